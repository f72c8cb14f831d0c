//! Rule packs: the rules' vocabulary as TOML data (`patterns/*.toml`).
//!
//! (Stub: the loader lands with the engine.)

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A pack that could not be loaded or whose examples do not hold.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(beautylint::pack))]
pub struct PackError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

/// A loaded pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub name: String,
}

impl Pack {
    /// The packs built into the binary.
    pub fn builtin() -> Vec<Pack> {
        vec![Pack {
            name: "microneedling".into(),
        }]
    }

    /// Loads a user pack from a TOML file.
    pub fn load_file(path: &std::path::Path) -> Result<Pack, Box<PackError>> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Box::new(PackError {
                message: format!("cannot read pack {}: {e}", path.display()),
                src: NamedSource::new(path.display().to_string(), String::new()),
                span: None,
                label: String::new(),
                help: None,
            })
        })?;
        Pack::parse(&path.display().to_string(), &text)
    }

    /// Parses a pack from its TOML text; `name` is used in diagnostics.
    pub fn parse(name: &str, _text: &str) -> Result<Pack, Box<PackError>> {
        Ok(Pack { name: name.into() })
    }
}
