//! Quick fixes that insert beautylint's suppression comments:
//!
//! - `<!-- beautylint-disable-next-line RULE -- reason -->` on its own line
//!   above the finding's line, with that line's indentation;
//! - `<!-- beautylint-disable-file RULE -->` at the top of the file, after
//!   Markdown front matter.
//!
//! Both are HTML comments, so they exist for Markdown and HTML only.

/// An insertion: `text` goes at byte `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    pub offset: usize,
    pub text: String,
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// End of a Markdown front matter block (`---`…`---`/`...` or `+++`…`+++`
/// at the very start), as the byte offset just past its closing line.
pub fn front_matter_end(text: &str) -> Option<usize> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    let mut lines = body.split_inclusive('\n');
    let first = lines.next()?.trim_end();
    let closers: &[&str] = match first {
        "---" => &["---", "..."],
        "+++" => &["+++"],
        _ => return None,
    };
    let mut at = bom + body.split_inclusive('\n').next()?.len();
    for line in lines {
        at += line.len();
        if closers.contains(&line.trim_end()) {
            return Some(at);
        }
    }
    None
}

/// The insertion that disables `rule` on the line that starts at
/// `line_start` (`line` is that line's text without its break). `None` when
/// the line is inside front matter, where an HTML comment would break the
/// YAML or TOML.
pub fn disable_next_line(text: &str, line_start: usize, line: &str, rule: &str) -> Option<Insert> {
    if front_matter_end(text).is_some_and(|end| line_start < end) {
        return None;
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    Some(Insert {
        offset: line_start,
        text: format!(
            "{indent}<!-- beautylint-disable-next-line {rule} -- reason -->{}",
            newline(text)
        ),
    })
}

/// The insertion that disables `rule` in the whole file.
pub fn disable_file(text: &str, markdown: bool, rule: &str) -> Insert {
    let offset = if markdown {
        front_matter_end(text)
    } else {
        None
    }
    .unwrap_or(if text.starts_with('\u{feff}') { 3 } else { 0 });
    let nl = newline(text);
    // Keep a blank line between the comment and Markdown prose after front
    // matter, so the comment stays a block of its own.
    let text_after = if markdown && offset > 0 && !text[offset..].starts_with(nl) {
        format!("<!-- beautylint-disable-file {rule} -->{nl}{nl}")
    } else {
        format!("<!-- beautylint-disable-file {rule} -->{nl}")
    };
    Insert {
        offset,
        text: text_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_line_keeps_indentation_and_line_endings() {
        let text = "# T\r\n\r\n  - Roll at home.\r\n";
        let start = text.find("  -").unwrap();
        let ins =
            disable_next_line(text, start, "  - Roll at home.", "microneedling/home-use").unwrap();
        assert_eq!(ins.offset, start);
        assert_eq!(
            ins.text,
            "  <!-- beautylint-disable-next-line microneedling/home-use -- reason -->\r\n"
        );
    }

    #[test]
    fn file_comment_goes_after_front_matter() {
        let text = "---\ntitle: Roll\n---\n# Roll at home\n";
        assert_eq!(front_matter_end(text), Some(20));
        let ins = disable_file(text, true, "microneedling/home-use");
        assert_eq!(ins.offset, 20);
        assert_eq!(
            ins.text,
            "<!-- beautylint-disable-file microneedling/home-use -->\n\n"
        );
        // No next-line comment inside the YAML.
        assert_eq!(disable_next_line(text, 4, "title: Roll", "x/y"), None);
        // HTML and front-matter-less Markdown: the very top.
        assert_eq!(disable_file("<p>x</p>", false, "x/y").offset, 0);
        assert_eq!(disable_file("# x\n", true, "x/y").offset, 0);
        assert_eq!(front_matter_end("---\nunclosed\n"), None);
        assert_eq!(front_matter_end("+++\na = 1\n+++\nx"), Some(14));
    }
}
