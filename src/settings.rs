//! Resolved settings for `beautylint check` (ripgrep's `HiArgs` idea): the
//! raw arguments are checked and combined once, and only this object builds
//! the walker options, the linter and the reporter.

use std::path::PathBuf;

use crate::cli::{CheckArgs, PackArgs, Terminal};
use crate::config::{self, CliOverrides, DiagError, Resolver};
use crate::pack::{Pack, PackError};
use crate::report::{Format, ReportOptions, Reporter};
use crate::rules::{LintOptions, Linter, Severity};
use crate::walk::WalkOptions;

/// Everything a check run needs, resolved from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    /// Colour the report on stdout.
    pub color: bool,
    /// Colour diagnostics on stderr.
    pub stderr_color: bool,
    pub fail_on: Severity,
    pub quiet: bool,
    pub packs: PackArgs,
    pub lint: LintOptions,
    pub max_file_size: u64,
    pub threads: usize,
    /// `--output-file`: write the report here instead of stdout.
    pub output_file: Option<PathBuf>,
    /// `--statistics`: counts per rule instead of the findings.
    pub statistics: bool,
    /// `--format github`: the step summary file to append to.
    pub step_summary: Option<PathBuf>,
    /// Where configuration comes from (`--config`, `--isolated`).
    pub config: config::Source,
    /// Honour inline suppressions (not `--no-inline-config`).
    pub inline_config: bool,
    /// `--stop-after` (benchmarking): lint up to this stage only.
    pub stop_after: Option<crate::check::Stage>,
    /// `--baseline`: report only findings not in this file.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline`: record every finding in this file.
    pub write_baseline: Option<PathBuf>,
    /// `--stdin-filename`: what `-` stands for.
    pub stdin_filename: Option<PathBuf>,
    /// `--fail-on` as given (it wins over config files; `fail_on` has the default filled in).
    pub cli_fail_on: Option<Severity>,
    /// `--max-file-size` as given.
    pub cli_max_file_size: Option<u64>,
    /// `--cache`: the folder of the findings cache.
    pub cache: Option<PathBuf>,
}

impl Settings {
    pub fn from_check_args(args: CheckArgs, term: &Terminal) -> Settings {
        let require = args.require.map(|cats| {
            cats.into_iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        });
        Settings {
            paths: args.paths,
            format: args.format,
            // A report written to a file is not coloured unless asked.
            color: args
                .color
                .enabled(term.stdout_is_tty && args.output_file.is_none(), term),
            stderr_color: args.color.enabled(term.stderr_is_tty, term),
            fail_on: args.fail_on.map_or(Severity::Error, Into::into),
            quiet: args.quiet,
            packs: args.packs,
            lint: LintOptions { require },
            stop_after: args.stop_after,
            max_file_size: args.max_file_size.unwrap_or(config::DEFAULT_MAX_FILE_SIZE),
            threads: args.threads,
            output_file: args.output_file,
            statistics: args.statistics,
            step_summary: args.step_summary.filter(|p| !p.as_os_str().is_empty()),
            config: crate::cli::config_source(&args.config),
            inline_config: !args.no_inline_config,
            baseline: args.baseline,
            write_baseline: args.write_baseline,
            stdin_filename: args.stdin_filename,
            cli_fail_on: args.fail_on.map(Into::into),
            cli_max_file_size: args.max_file_size,
            cache: args.cache.then(|| {
                args.cache_dir
                    .unwrap_or_else(|| PathBuf::from(crate::cache::DEFAULT_DIR))
            }),
        }
    }

    /// The built-in packs plus the user's, compiled.
    pub fn build_linter(&self) -> Result<Linter, Box<PackError>> {
        linter_for(&self.packs, self.lint.clone())
    }

    /// Per-file settings from config files, with the command line on top.
    pub fn resolver(&self) -> Result<Resolver, DiagError> {
        Resolver::new(
            self.config.clone(),
            CliOverrides {
                packs: self.packs.packs.clone(),
                require: self.lint.require.clone(),
                fail_on: self.cli_fail_on,
                max_file_size: self.cli_max_file_size,
            },
        )
    }

    pub fn walk_options(&self) -> WalkOptions {
        WalkOptions {
            threads: self.threads,
        }
    }

    pub fn reporter(&self) -> Box<dyn Reporter> {
        if self.statistics {
            return Box::new(crate::report::statistics::Statistics);
        }
        self.format.reporter(&ReportOptions {
            color: self.color,
            quiet: self.quiet,
            step_summary: self.step_summary.clone(),
        })
    }
}

/// Loads the built-in packs and the `--pack` files, and compiles them.
pub fn linter_for(packs: &PackArgs, options: LintOptions) -> Result<Linter, Box<PackError>> {
    let mut all = Pack::builtin();
    for path in &packs.packs {
        all.push(Pack::load_file(path)?);
    }
    Linter::new(all, options)
}
