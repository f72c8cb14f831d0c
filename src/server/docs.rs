//! Rule documentation for editors: the links in diagnostics
//! (`codeDescription.href`) and `docs/rules.md`, generated from the packs.

use lsp_types::Url;

use crate::rules::RuleMeta;

/// The HTML anchor of a rule in `docs/rules.md`: the id with `/` as `-`.
pub fn rule_anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Where a rule's documentation lives: `docs/rules.md` on the project
/// repository when `Cargo.toml` names one (`repository`), else the file in
/// the source tree this binary was built from.
pub fn rule_docs_url(id: &str) -> Option<Url> {
    let anchor = rule_anchor(id);
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    let mut url = if repo.is_empty() {
        Url::from_file_path(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).ok()?
    } else {
        Url::parse(&format!("{repo}/blob/main/docs/rules.md")).ok()?
    };
    url.set_fragment(Some(&anchor));
    Some(url)
}

/// `docs/rules.md`: every rule with an anchor, its severity, summary, docs
/// (headings moved one level down) and help.
pub fn rules_markdown(rules: &[RuleMeta]) -> String {
    let mut out = String::from(
        "# beautylint rules\n\n\
         <!-- Generated from the built-in packs: BEAUTYLINT_BLESS=1 cargo test rules_md -->\n\n",
    );
    for r in rules {
        out.push_str(&format!("- [`{}`](#{})\n", r.id, rule_anchor(&r.id)));
    }
    for r in rules {
        out.push_str(&format!(
            "\n<a id=\"{}\"></a>\n\n## {}\n\nDefault severity: {}\n\n{}\n",
            rule_anchor(&r.id),
            r.id,
            r.severity,
            r.summary.trim()
        ));
        let mut fenced = false;
        let docs = r.docs.trim();
        if !docs.is_empty() {
            out.push('\n');
            for line in docs.lines() {
                if line.trim_start().starts_with("```") {
                    fenced = !fenced;
                }
                if !fenced && line.starts_with('#') {
                    out.push('#');
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        if let Some(help) = &r.help {
            out.push_str(&format!("\n**Help:** {}\n", help.trim()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Linter;

    #[test]
    fn anchors_are_stable() {
        assert_eq!(
            rule_anchor("microneedling/home-use"),
            "microneedling-home-use"
        );
        let url = rule_docs_url("microneedling/home-use").unwrap();
        assert_eq!(url.fragment(), Some("microneedling-home-use"));
        assert!(url.path().ends_with("docs/rules.md"), "{url}");
    }

    /// `docs/rules.md` matches the built-in packs. After changing a pack:
    /// `BEAUTYLINT_BLESS=1 cargo test rules_md` rewrites it.
    #[test]
    fn rules_md_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
        let want = rules_markdown(&Linter::builtin().rules());
        if std::env::var_os("BEAUTYLINT_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/rules.md is stale: run `BEAUTYLINT_BLESS=1 cargo test rules_md`"
        );
    }
}
