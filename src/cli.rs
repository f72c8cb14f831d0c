//! Command-line arguments (clap derive) and [`run`], the entry point the
//! binary calls. Raw arguments are turned into [`Settings`] first; only the
//! settings build the walker, the linter and the reporter.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::baseline::Baseline;
use crate::cache::Cache;
use crate::check;
use crate::pack::PackError;
use crate::report::Format;
use crate::rules::Severity;
use crate::settings::{self, Settings};

const EXAMPLES: &str = "\
Examples:
  beautylint check                       Lint every article under the current directory
  beautylint check posts/ drafts/a.md    Lint a folder and one file (any extension)
  beautylint check --format json . > findings.json
  beautylint check --fail-on warning     Exit 1 on warnings too
  beautylint check --pack extra.toml     Add a rule pack of your own
  beautylint check --require pregnancy,active-acne
  beautylint rules                       List the rules
  beautylint rule microneedling/home-use Show one rule's documentation
  beautylint server                      Language server for editors (LSP over stdio)

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage, pack or read errors.";

/// A content-safety linter for beauty articles: flags at-home
/// microneedling/dermarolling advice and missing contraindication warnings.
#[derive(Debug, Parser)]
#[command(name = "beautylint", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Markdown, HTML and text articles.
    #[command(after_help = EXAMPLES)]
    Check(CheckArgs),
    /// List every rule: id, default severity and summary.
    Rules(PackArgs),
    /// Print the documentation of one rule.
    Rule {
        /// The rule id, e.g. `microneedling/home-use`.
        id: String,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Print the effective settings for a file: the config files used, in
    /// order, and the resolved values.
    Config {
        /// The file (it need not exist).
        path: PathBuf,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Write a commented starter `beautylint.toml` in the current folder.
    Init {
        /// Overwrite an existing `beautylint.toml`.
        #[arg(long)]
        force: bool,
    },
    /// Run the language server (LSP over stdin/stdout) for editors.
    Server,

    /// Internals for benchmarks and bug reports (not a stable interface).
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

/// `beautylint debug …`.
#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print the trigger terms of the packs, one per line: a file with none
    /// of them (ASCII case-insensitively) is not parsed. Prints nothing when
    /// every file must be parsed (e.g. a pack has a `phrase` rule).
    TriggerTerms(PackArgs),
}

/// Options shared by every command that loads rules.
#[derive(Debug, Args, Default, Clone)]
pub struct PackArgs {
    /// Add a rule pack from a TOML file (repeatable).
    #[arg(long = "pack", value_name = "FILE")]
    pub packs: Vec<PathBuf>,
}

/// `beautylint check` options.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Files or directories to lint. Directories are walked honouring
    /// .gitignore, .ignore and .beautylintignore; files named here are always
    /// linted, whatever their extension.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to use colour: `auto` colours only when stdout is a terminal and
    /// NO_COLOR is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Exit with 1 when a finding of at least this severity is reported
    /// [default: error, or `fail-on` from the config file].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Level>,

    /// Print only the summary line (human format).
    #[arg(long, short)]
    pub quiet: bool,

    #[command(flatten)]
    pub packs: PackArgs,

    /// Contraindication categories an article must mention, comma-separated
    /// canonical names (default: the pack's core set).
    #[arg(long, value_delimiter = ',', value_name = "CATS")]
    pub require: Option<Vec<String>>,

    /// Skip files larger than this many bytes [default: 16777216, or
    /// `max-file-size` from the config file].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Worker threads for the walk (0: one per CPU).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub threads: usize,

    #[command(flatten)]
    pub config: ConfigArgs,

    /// Ignore inline `beautylint-disable…` comments and front-matter
    /// suppressions.
    #[arg(long)]
    pub no_inline_config: bool,

    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in this baseline file; they are then
    /// not reported (exit 0 unless a file could not be read).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// With `-` as PATH: the file name the text on stdin stands for (its
    /// document type, config file and path in the report).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Write the report to FILE instead of stdout (diagnostics stay on
    /// stderr).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print the number of findings per rule (count, rule, severity,
    /// summary) instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Reuse the findings of files whose text and settings have not changed
    /// since a run with --cache, and record this run's (see --cache-dir).
    #[arg(long)]
    pub cache: bool,

    /// Where --cache keeps its file [default: .beautylint-cache].
    #[arg(long, value_name = "DIR", env = "BEAUTYLINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// With --format github: also append a Markdown table of every finding
    /// to FILE (GitHub Actions sets GITHUB_STEP_SUMMARY).
    #[arg(
        long,
        value_name = "FILE",
        env = "GITHUB_STEP_SUMMARY",
        hide_env_values = true
    )]
    pub step_summary: Option<PathBuf>,

    /// Benchmarking only (hidden, not a stable interface): do the work up to
    /// this stage for every file and report no findings, to measure what
    /// reading (`read`: the walk, reading, the prefilter) or reading and
    /// parsing (`parse`) cost on their own.
    #[arg(long, value_enum, value_name = "STAGE", hide = true)]
    pub stop_after: Option<crate::check::Stage>,
}

/// Where configuration comes from.
#[derive(Debug, Args, Default, Clone)]
pub struct ConfigArgs {
    /// Use this config file for every file instead of the nearest
    /// `beautylint.toml`.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore all config files.
    #[arg(long)]
    pub isolated: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A severity as spelled on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

/// What the binary knows about its terminal, so the library never asks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, is_tty: bool, term: &Terminal) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && !term.no_color,
        }
    }
}

/// How a run ended; [`ExitStatus::code`] is the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding at or above `--fail-on`.
    Clean,
    /// At least one finding at or above `--fail-on`.
    Findings,
    /// A usage, pack or read error (the rest of the run still happened).
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Runs a parsed command line. Reports go to `out`, diagnostics to `err`.
/// An `Err` is a failure to write `out` or `err` (e.g. a broken pipe, which
/// the caller should treat as success, or a full disk).
pub fn run(
    cli: Cli,
    term: &Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => {
            let settings = Settings::from_check_args(args, term);
            check_command(&settings, out, err)
        }
        Command::Config {
            path,
            config,
            packs,
        } => {
            let color = ColorChoice::Auto.enabled(term.stderr_is_tty, term);
            let source = config_source(&config);
            let cli = crate::config::CliOverrides {
                packs: packs.packs,
                ..Default::default()
            };
            let resolved =
                crate::config::Resolver::new(source, cli).and_then(|r| r.for_file(&path));
            match resolved {
                Ok(fs) => {
                    out.write_all(crate::config::describe(&path, &fs).as_bytes())?;
                    Ok(ExitStatus::Clean)
                }
                Err(e) => diagnostic(e.as_ref(), color, err),
            }
        }
        Command::Init { force } => {
            let path = std::path::Path::new(crate::config::FILE_NAME);
            if path.exists() && !force {
                writeln!(
                    err,
                    "beautylint: error: {} already exists (use --force to overwrite)",
                    path.display()
                )?;
                return Ok(ExitStatus::Error);
            }
            if let Err(e) = std::fs::write(path, crate::config::STARTER) {
                writeln!(
                    err,
                    "beautylint: error: cannot write {}: {e}",
                    path.display()
                )?;
                return Ok(ExitStatus::Error);
            }
            writeln!(err, "beautylint: wrote {}", path.display())?;
            Ok(ExitStatus::Clean)
        }
        Command::Rules(packs) => {
            let color = ColorChoice::Auto.enabled(term.stderr_is_tty, term);
            let linter = match settings::linter_for(&packs, Default::default()) {
                Ok(l) => l,
                Err(e) => return pack_error(&e, color, err),
            };
            let rules = linter.rules();
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rules {
                writeln!(
                    out,
                    "{:width$}  {:7}  {}",
                    r.id,
                    r.severity.as_str(),
                    r.summary
                )?;
            }
            Ok(ExitStatus::Clean)
        }
        Command::Rule { id, packs } => {
            let color = ColorChoice::Auto.enabled(term.stderr_is_tty, term);
            let linter = match settings::linter_for(&packs, Default::default()) {
                Ok(l) => l,
                Err(e) => return pack_error(&e, color, err),
            };
            match linter.rules().into_iter().find(|r| r.id == id) {
                Some(r) => {
                    writeln!(out, "# {}\n", r.id)?;
                    writeln!(out, "Default severity: {}\n", r.severity)?;
                    writeln!(out, "{}", r.summary)?;
                    if !r.docs.trim().is_empty() {
                        writeln!(out, "\n{}", r.docs.trim_end())?;
                    }
                    if let Some(help) = &r.help {
                        writeln!(out, "\nHelp: {help}")?;
                    }
                    Ok(ExitStatus::Clean)
                }
                None => {
                    writeln!(
                        err,
                        "beautylint: error: no rule `{id}` (see `beautylint rules`)"
                    )?;
                    Ok(ExitStatus::Error)
                }
            }
        }
        // stdout is the protocol channel: only stderr is written here.
        Command::Server => match crate::server::run_stdio() {
            Ok(true) => Ok(ExitStatus::Clean),
            // `exit` without `shutdown`: exit code 1, as LSP asks.
            Ok(false) => Ok(ExitStatus::Findings),
            Err(e) => {
                writeln!(err, "beautylint: error: language server: {e}")?;
                Ok(ExitStatus::Error)
            }
        },
        Command::Debug(DebugCommand::TriggerTerms(packs)) => {
            let color = ColorChoice::Auto.enabled(term.stderr_is_tty, term);
            let linter = match settings::linter_for(&packs, Default::default()) {
                Ok(l) => l,
                Err(e) => return pack_error(&e, color, err),
            };
            for t in linter.trigger_terms().unwrap_or_default() {
                writeln!(out, "{t}")?;
            }
            Ok(ExitStatus::Clean)
        }
    }
}

/// `--config` / `--isolated` as a config source.
pub(crate) fn config_source(args: &ConfigArgs) -> crate::config::Source {
    match (&args.config, args.isolated) {
        (_, true) => crate::config::Source::Isolated,
        (Some(f), false) => crate::config::Source::File(f.clone()),
        (None, false) => crate::config::Source::Discover,
    }
}

/// `beautylint check`: config files, stdin, baselines, then the report.
/// Files named on the command line from which a run counts as big (see
/// [`crate::rules::expect_many_pages`]); a folder always does.
const MANY_FILES: usize = 16;

fn check_command(
    settings: &Settings,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let resolver = match settings.resolver() {
        Ok(r) => r,
        Err(e) => return diagnostic(e.as_ref(), settings.stderr_color, err),
    };
    let baseline = match settings.baseline.as_deref().map(Baseline::load) {
        Some(Err(e)) => {
            writeln!(err, "beautylint: error: {e}")?;
            return Ok(ExitStatus::Error);
        }
        Some(Ok(b)) => Some(b),
        None => None,
    };
    let stdin = if settings.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut bytes = Vec::new();
        if let Err(e) = io::stdin().lock().read_to_end(&mut bytes) {
            writeln!(err, "beautylint: error: cannot read stdin: {e}")?;
            return Ok(ExitStatus::Error);
        }
        Some(bytes)
    } else {
        None
    };
    if settings.paths.len() >= MANY_FILES || settings.paths.iter().any(|p| p.is_dir()) {
        crate::rules::expect_many_pages();
    }
    let cache = match &settings.cache {
        Some(dir) => match Cache::open(dir) {
            Ok((cache, warning)) => {
                if let Some(w) = warning {
                    writeln!(err, "beautylint: warning: {w}")?;
                }
                Some(cache)
            }
            Err(e) => {
                writeln!(
                    err,
                    "beautylint: warning: --cache is off: cannot identify this beautylint binary ({e})"
                )?;
                None
            }
        },
        None => None,
    };
    let status = if stdin.is_none() && baseline.is_none() && streamable(settings) {
        check_streamed(settings, &resolver, cache.as_ref(), out, err)?
    } else {
        check_collected(
            settings,
            &resolver,
            cache.as_ref(),
            stdin,
            baseline,
            out,
            err,
        )?
    };
    if let (Some(cache), Some(dir)) = (&cache, &settings.cache) {
        // A cache that cannot be written costs the next run time, not this
        // run its result.
        if let Err(e) = cache.save() {
            writeln!(
                err,
                "beautylint: warning: cannot write the cache in {}: {e}",
                dir.display()
            )?;
        }
    }
    Ok(status)
}

/// `beautylint check` when the report is written once every file is linted.
fn check_collected(
    settings: &Settings,
    resolver: &crate::config::Resolver,
    cache: Option<&Cache>,
    stdin: Option<Vec<u8>>,
    baseline: Option<Baseline>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let mut checked = match check::run_configured(settings, resolver, cache, stdin, err) {
        Ok(c) => c,
        Err(check::RunError::Io(e)) => return Err(e),
        Err(check::RunError::Config(e)) => {
            return diagnostic(e.as_ref(), settings.stderr_color, err)
        }
    };
    let mut baselined = 0;
    if let Some(path) = &settings.write_baseline {
        let b = Baseline::from_report(&checked.report);
        if let Err(e) = b.write(path) {
            writeln!(
                err,
                "beautylint: error: cannot write {}: {e}",
                path.display()
            )?;
            return Ok(ExitStatus::Error);
        }
        writeln!(
            err,
            "beautylint: wrote {} finding(s) to {}",
            b.entries.len(),
            path.display()
        )?;
        baselined = b.filter(&mut checked.report);
    } else if let Some(b) = &baseline {
        baselined = b.filter(&mut checked.report);
    }
    if let Ok(rules) = resolver.base_rules() {
        checked.report.rules = rules;
    }
    if let Some(path) = &settings.output_file {
        if let Err(e) = write_report_file(settings, &checked.report, path) {
            writeln!(
                err,
                "beautylint: error: cannot write {}: {e}",
                path.display()
            )?;
            return Ok(ExitStatus::Error);
        }
    } else {
        settings.reporter().report(&checked.report, out)?;
    }
    if settings.format == Format::Concise && !settings.statistics && !settings.quiet {
        // Concise keeps stdout to one line per finding.
        writeln!(
            err,
            "{}",
            crate::report::human::summary_line(&checked.report)
        )?;
    }
    if baselined > 0 {
        let note = format!("{baselined} finding(s) in the baseline were not reported");
        if settings.format == Format::Human {
            writeln!(out, "{note}")?;
        } else {
            writeln!(err, "beautylint: {note}")?;
        }
    }
    Ok(if checked.report.errored() {
        ExitStatus::Error
    } else if checked.failing() > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// True when the report can be written as the run goes: JSON and JSON Lines
/// on stdout, without a baseline to write or `--statistics`. The run then
/// holds no findings, only the sorted paths (see `check::run_streamed`).
fn streamable(settings: &Settings) -> bool {
    matches!(settings.format, Format::Json | Format::Jsonl)
        && settings.output_file.is_none()
        && settings.write_baseline.is_none()
        && !settings.statistics
}

/// `beautylint check` for a [`streamable`] run: the same bytes and exit code
/// as a collected one.
fn check_streamed(
    settings: &Settings,
    resolver: &crate::config::Resolver,
    cache: Option<&Cache>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    use crate::report::json::JsonStream;
    // A config error is found before anything is written, but the document
    // is only started once the walk has resolved every file's settings.
    let mut stream: Option<JsonStream> = None;
    let (mut errored, mut failing) = (false, false);
    let lines = settings.format == Format::Jsonl;
    let render = |file: &crate::report::FileReport| crate::report::json::Rendered::of(file, lines);
    let result = check::run_streamed(settings, resolver, cache, &render, err, &mut |item| {
        let s = match &mut stream {
            Some(s) => s,
            None => stream.insert(JsonStream::begin(lines, out)?),
        };
        match item {
            check::Streamed::Findings(file, fail_on, rendered) => {
                failing |= file.findings.iter().any(|f| f.severity >= fail_on);
                s.rendered(&rendered?, out)
            }
            check::Streamed::Clean(_) => {
                s.clean();
                Ok(())
            }
            check::Streamed::Skipped(skipped) => {
                errored |= skipped.error;
                s.skipped(skipped);
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => {}
        Err(check::RunError::Io(e)) => return Err(e),
        Err(check::RunError::Config(e)) => {
            return diagnostic(e.as_ref(), settings.stderr_color, err)
        }
    }
    let stream = match stream {
        Some(s) => s,
        None => JsonStream::begin(lines, out)?,
    };
    stream.finish(out)?;
    Ok(if errored {
        ExitStatus::Error
    } else if failing {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// Renders any diagnostic (config or pack error) pointing into its file.
fn diagnostic(
    e: &dyn miette::Diagnostic,
    color: bool,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let mut s = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    });
    if handler.render_report(&mut s, e).is_err() {
        s = format!("beautylint: error: {e}\n");
    }
    err.write_all(s.as_bytes())?;
    Ok(ExitStatus::Error)
}

/// Renders a pack error as a miette diagnostic pointing into the pack file.
fn pack_error(e: &PackError, color: bool, err: &mut dyn Write) -> io::Result<ExitStatus> {
    let mut s = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    });
    if handler.render_report(&mut s, e).is_err() {
        s = format!("beautylint: error: {e}\n");
    }
    err.write_all(s.as_bytes())?;
    Ok(ExitStatus::Error)
}

/// `--output-file`: the report into a new file (truncated if it exists).
fn write_report_file(
    settings: &Settings,
    report: &crate::report::Report,
    path: &std::path::Path,
) -> io::Result<()> {
    let mut file = io::BufWriter::new(std::fs::File::create(path)?);
    settings.reporter().report(report, &mut file)?;
    file.into_inner().map_err(|e| e.into_error())?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colour_needs_a_terminal_and_no_no_color() {
        let tty = Terminal {
            stdout_is_tty: true,
            stderr_is_tty: true,
            no_color: false,
        };
        let no_color = Terminal {
            no_color: true,
            ..tty
        };
        assert!(ColorChoice::Auto.enabled(true, &tty));
        assert!(!ColorChoice::Auto.enabled(false, &tty));
        assert!(!ColorChoice::Auto.enabled(true, &no_color));
        assert!(ColorChoice::Always.enabled(false, &no_color));
        assert!(!ColorChoice::Never.enabled(true, &tty));
    }

    #[test]
    fn require_is_comma_separated() {
        let cli =
            Cli::try_parse_from(["beautylint", "check", "--require", "pregnancy, active-acne"])
                .unwrap();
        let Command::Check(args) = cli.command else {
            panic!()
        };
        let s = Settings::from_check_args(args, &Terminal::default());
        assert_eq!(
            s.lint.require,
            Some(vec!["pregnancy".to_string(), "active-acne".to_string()])
        );
        assert_eq!(s.paths, [PathBuf::from(".")]);
        assert_eq!(s.max_file_size, 16 * 1024 * 1024);
        assert_eq!(s.fail_on, Severity::Error);
    }

    #[test]
    fn clap_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
