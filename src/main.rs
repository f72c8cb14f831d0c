//! The `beautylint` binary: parse the arguments, run, map the outcome to an
//! exit code. All the work is in the library (`beautylint::cli::run`).

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use beautylint::cli::{self, Cli, Terminal};
use clap::Parser;

fn main() -> ExitCode {
    // clap prints --help/--version itself and exits 2 on usage errors.
    let args = Cli::parse();
    let term = Terminal {
        stdout_is_tty: io::stdout().is_terminal(),
        stderr_is_tty: io::stderr().is_terminal(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    };
    // Not locked for the whole run: `beautylint server` writes stdout from
    // the LSP writer thread.
    let mut out = io::BufWriter::new(io::stdout());
    let mut err = io::stderr();
    let result = cli::run(args, &term, &mut out, &mut err).and_then(|status| {
        out.flush()?;
        Ok(status)
    });
    match result {
        Ok(status) => ExitCode::from(status.code()),
        // `beautylint check . | head -1`: the reader went away, which is fine.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "beautylint: error: cannot write output: {e}");
            ExitCode::from(2)
        }
    }
}
