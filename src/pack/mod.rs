//! Rule packs: the rules' vocabulary as TOML data (`patterns/*.toml`).
//!
//! A pack holds term lists (matched with aho-corasick, on word boundaries,
//! with hyphen/space/joined forms alike and optional fuzzy matching), regex
//! cue classes with weights, contraindication categories, and one `[[rule]]`
//! table per rule with its message, help, docs and inline examples. The Rust
//! side knows rule *kinds*; everything a reviewer may want to tune is here.

use std::collections::BTreeMap;
use std::ops::Range;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::rules::Severity;

/// The packs compiled into the binary, as `(file name, TOML text)`.
pub const BUILTIN: &[(&str, &str)] = &[(
    "patterns/microneedling.toml",
    include_str!("../../patterns/microneedling.toml"),
)];

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

impl PackError {
    /// An error pointing at `span` in the pack file `name`.
    pub fn at(
        name: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> Box<PackError> {
        Box::new(PackError {
            message: message.into(),
            src: NamedSource::new(name, text.to_string()),
            span: span.map(|r| (r.start, r.end - r.start).into()),
            label: label.into(),
            help,
        })
    }
}

/// A term list: words and phrases matched case-insensitively on word
/// boundaries. Spaces and hyphens inside a term also match the joined form.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TermList {
    #[serde(default)]
    pub terms: Vec<String>,
    /// Single words that may also match misspellings (edit distance 1 for
    /// 6–8 letters, 2 for 9 or more). Short words are never fuzzy.
    #[serde(default)]
    pub fuzzy: Vec<String>,
    /// Regexes (case-insensitive) that also count as a hit of this list.
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    /// Regexes whose matches are never hits of this list (e.g. "acne scars").
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
}

/// What a cue class does in the stance model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum CueRole {
    /// Counts toward "this recommends home use".
    Recommend,
    /// Counts toward "this warns against home use".
    Warn,
    /// Places the treatment at home or in the reader's hands.
    Home,
    /// Places the treatment in a clinic or with a professional.
    Professional,
    /// A procedure step addressed to the reader (imperative).
    Step,
    /// A heading or lead-in that frames what follows as a warning.
    WarnFrame,
    /// A heading that frames what follows as instructions.
    HowtoFrame,
    /// A sentence that names conditions as reasons not to be treated.
    ContraFrame,
    /// Advice to see a dermatologist or licensed professional.
    SeeProfessional,
    /// A claim that microneedling is safe for everyone, risk-free, etc.
    UnsafeClaim,
    /// Cancels a risk word ("to avoid infection", "hardly any side effects").
    Mitigate,
}

/// What a warning cue rules over in its clause: the recommendation cues
/// there are what it forbids, so they do not count toward recommending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CueScope {
    /// The rest of the clause: "never *buy a roller for home use*".
    After,
    /// The whole clause: "*rolling at home every week* is a recipe for
    /// infection".
    Clause,
}

/// A class of regex cues with one role and weight.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CueClass {
    pub role: CueRole,
    #[serde(default = "one")]
    pub weight: f32,
    /// Shown as the label of a hit ("purchase language", "risk").
    pub label: String,
    /// For `warn` cues: what a hit rules over (see [`CueScope`]).
    #[serde(default)]
    pub scope: Option<Spanned<CueScope>>,
    pub patterns: Vec<Spanned<String>>,
}

fn one() -> f32 {
    1.0
}

/// One contraindication category (canonical name is the table key).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Category {
    /// Human name used in messages ("blood thinners").
    pub label: String,
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(default)]
    pub fuzzy: Vec<String>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
}

impl Category {
    /// The category's words as a term list.
    pub fn term_list(&self) -> TermList {
        TermList {
            terms: self.terms.clone(),
            fuzzy: self.fuzzy.clone(),
            patterns: self.patterns.clone(),
            exclude: self.exclude.clone(),
        }
    }
}

/// The contraindication catalogue.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Contraindications {
    /// Categories `incomplete-contraindications` requires by default.
    #[serde(default)]
    pub core: Vec<Spanned<String>>,
    #[serde(default)]
    pub categories: BTreeMap<String, Category>,
}

/// An inline example of a rule: text that must fire (with the exact text
/// of the finding) or text that must stay clean.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Example {
    pub text: String,
    /// The exact text the finding must cover.
    #[serde(default)]
    pub fires: Option<String>,
    #[serde(default)]
    pub clean: bool,
    /// Read the example as this kind of file: `txt` (default), `md` or `html`.
    #[serde(default)]
    pub format: Option<String>,
}

/// One rule of a pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSpec {
    /// Short name; the full id is `pack/name`.
    pub name: String,
    /// The Rust rule kind that runs it.
    pub kind: Spanned<String>,
    pub severity: Severity,
    pub summary: String,
    pub message: String,
    #[serde(default)]
    pub help: Option<String>,
    pub docs: String,
    /// For `phrase` rules: term lists and regexes whose hits are findings.
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    /// For `home-needle-depth`: the shortest length (mm) that is flagged.
    #[serde(default)]
    pub threshold: Option<f32>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Spanned<Example>>,
}

/// A parsed pack (not yet compiled).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Named term lists; the rule kinds look up the names they use
    /// (`device`, `procedure`, `home-verb`, `not-device`…).
    #[serde(default)]
    pub terms: BTreeMap<String, TermList>,
    /// Named regex cue classes.
    #[serde(default)]
    pub cues: BTreeMap<String, CueClass>,
    #[serde(default)]
    pub contraindications: Contraindications,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

/// A pack with its source text, so later errors (bad regex, failing
/// example) can point into the file.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Where it came from, for diagnostics.
    pub origin: String,
    /// The TOML text.
    pub text: String,
    pub spec: PackSpec,
}

impl Pack {
    /// The packs built into the binary.
    pub fn builtin() -> Vec<Pack> {
        BUILTIN
            .iter()
            .map(|(name, text)| Pack::parse(name, text).expect("built-in pack must parse"))
            .collect()
    }

    /// True for a pack built into the binary, unchanged.
    pub fn is_builtin(&self) -> bool {
        BUILTIN
            .iter()
            .any(|(name, text)| *name == self.origin && *text == self.text)
    }

    /// Loads a user pack from a TOML file.
    pub fn load_file(path: &std::path::Path) -> Result<Pack, Box<PackError>> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            PackError::at(
                &origin,
                "",
                None,
                format!("cannot read pack {origin}: {e}"),
                "",
                None,
            )
        })?;
        Pack::parse(&origin, &text)
    }

    /// Parses a pack from its TOML text; `origin` names it in diagnostics.
    pub fn parse(origin: &str, text: &str) -> Result<Pack, Box<PackError>> {
        let spec: PackSpec = toml::from_str(text).map_err(|e| {
            PackError::at(
                origin,
                text,
                e.span(),
                format!("invalid pack {origin}: {}", e.message()),
                "here",
                Some("see the pack format in the README".into()),
            )
        })?;
        if spec.name.is_empty() || spec.name.contains('/') {
            return Err(PackError::at(
                origin,
                text,
                None,
                format!("invalid pack {origin}: `name` must be non-empty and contain no `/`"),
                "",
                None,
            ));
        }
        Ok(Pack {
            origin: origin.to_string(),
            text: text.to_string(),
            spec,
        })
    }

    /// An error pointing at a span of this pack's text.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> Box<PackError> {
        PackError::at(&self.origin, &self.text, span, message, label, help)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pack_parses() {
        let packs = Pack::builtin();
        assert_eq!(packs[0].spec.name, "microneedling");
        assert!(!packs[0].spec.rules.is_empty());
    }

    #[test]
    fn unknown_field_points_at_its_line() {
        let text = "name = \"x\"\nbogus = 1\n";
        let err = Pack::parse("x.toml", text).unwrap_err();
        let span = err.span.unwrap();
        assert_eq!(&text[span.offset()..span.offset() + 5], "bogus");
        assert!(err.message.contains("unknown field"), "{}", err.message);
    }

    #[test]
    fn bad_toml_is_an_error_not_a_panic() {
        assert!(Pack::parse("x.toml", "name = [").is_err());
    }
}
