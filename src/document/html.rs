//! HTML reader, on html5gum's span-carrying tokenizer.
//!
//! html5gum tokenizes (with naive state switching, so `<script>`, `<style>`
//! and `<textarea>` contents are raw text, not tags) but builds no tree; we
//! keep our own open-element stack. Each stack frame carries everything the
//! text under it needs (block kind, list id, skipped, in scope), computed
//! once at push time, so deep nesting costs O(1) per token.
//!
//! - Scope: if the page has an `<article>`, only text inside `<article>`
//!   elements is prose (with a `<main>`, only the articles inside it, or
//!   the main when none is: articles outside it are review or related-post
//!   cards); else inside `<main>`; else inside `<body>`; else all.
//! - Skipped: `<head>`, `<title>`, comments, and the contents of script,
//!   style, noscript, template, textarea, pre, code, nav, header, footer,
//!   aside, form, svg, iframe, select, button. A `<header>` or `<aside>`
//!   inside the `<article>` or `<main>` that scopes the prose is read: it
//!   holds the article's title, or a callout box of the article.
//! - Block elements end the current block; h1–h6 give `Heading` (and so
//!   does an accordion's `<summary>`, at level 6), li `ListItem` (one list
//!   id per ul/ol), td/th `TableCell`, blockquote `Quote`; other blocks
//!   inherit their parent's kind (a `<p>` in a `<blockquote>` is `Quote`).
//!   Inline elements do not break text.
//! - `<img alt>` text (quoted or not) is prose, inline where the image is.
//! - Character references are decoded by [`super::entities`], one atomic
//!   segment each; the rest of a run is verbatim (CRLF included).

use std::collections::HashMap;
use std::convert::Infallible;
use std::ops::Range;

use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Span, Tokenizer};

use super::builder::Builder;
use super::entities::{decode_with_map, Piece};
use super::{BlockKind, Document};

/// Words in an element's `id` or `class` that mark page furniture rather
/// than the article: reader comments, related links, sidebars, share bars,
/// advertising slots. Comments are readers' words, not the publisher's.
const CHROME_WORDS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "ad-slot",
    "sponsored",
    "comments",
    "comment-list",
    "comment-content",
    "comment-body",
    "commentlist",
    "comments-area",
    "disqus_thread",
    "respond",
    "related",
    "related-posts",
    "sidebar",
    "share",
    "sharing",
    "breadcrumbs",
    "breadcrumb",
    "newsletter",
    "cookie-banner",
    "site-header",
    "site-footer",
];

/// True when an element's `id` or `class` names page furniture.
fn is_page_chrome(tag: &StartTag, tokens: &Tokens) -> bool {
    [&tag.id, &tag.class].into_iter().any(|attr| {
        tokens.value(attr).is_some_and(|v| {
            v.split(|c| c.is_ascii_whitespace()).any(|w| {
                CHROME_WORDS
                    .iter()
                    .any(|c| w.eq_ignore_ascii_case(c.as_bytes()))
            })
        })
    })
}

/// Elements whose whole content is not prose.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "textarea", "pre", "code", "nav", "header",
    "footer", "aside", "form", "svg", "iframe", "select", "button", "head", "title",
];

/// Elements that end the current block (at their start and their end).
const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "td",
    "th",
    "tr",
    "br",
    "blockquote",
    "section",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figcaption",
    "figure",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "hr",
    "details",
    "summary",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "address",
    "pre",
    "fieldset",
    "legend",
    "body",
    "html",
    "head",
    "title",
    "center",
    "menu",
    "option",
    "textarea",
    "select",
    "button",
    "iframe",
    "noscript",
    "template",
];

/// Elements that never have content or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Which part of the page is prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Inside(&'static str),
}

/// An `<article>` inside the `<main>`.
static MAIN_ARTICLE: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| "main article".parse().expect("a valid selector"));

/// An open element and the context it gives the text inside it.
#[derive(Debug)]
struct Frame {
    /// Its tag id (see [`Tokens::tags`]).
    tag: usize,
    kind: BlockKind,
    /// The list id of `kind == ListItem` text.
    list: Option<u32>,
    /// The list id a child `<li>` joins.
    child_list: Option<u32>,
    skip: bool,
    in_scope: bool,
    /// Compounds of the content selector matched by this element and its
    /// ancestors (see [`Selector::advance`]).
    progress: usize,
}

fn is(name: &[u8], set: &[&str]) -> bool {
    set.iter().any(|s| s.as_bytes() == name)
}

/// Forwards to an emitter, minus the check of every input byte for
/// characters the spec calls parse errors: we ignore parse errors, and that
/// check was a tenth of the tokenizer's time.
struct NoCharErrors<E>(E);

impl<E: Emitter> ForwardingEmitter for NoCharErrors<E> {
    type Token = E::Token;

    fn inner(&mut self) -> &mut impl Emitter<Token = Self::Token> {
        &mut self.0
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }
}

/// A page's tokens, with only what the reader uses: tag names interned, the
/// three attributes it reads, and text runs. html5gum's default emitter
/// allocated every tag name, attribute and text run, and a map per tag;
/// that was a third of the time spent reading a page.
#[derive(Debug, Default)]
struct Tokens {
    list: Vec<Tok>,
    /// Attribute values and text runs as html5gum decoded them; the
    /// `value` ranges of [`Tok`] point here.
    bytes: Vec<u8>,
    /// Per tag id: the tag's name and how the reader treats it.
    tags: Vec<TagInfo>,
}

#[derive(Debug)]
enum Tok {
    Start(StartTag),
    /// An end tag's tag id.
    End(usize),
    Text {
        /// In the fragment.
        span: Range<usize>,
        value: Range<usize>,
    },
}

#[derive(Debug, Default)]
struct StartTag {
    tag: usize,
    self_closing: bool,
    id: Option<Attr>,
    class: Option<Attr>,
    alt: Option<Attr>,
}

/// An attribute the reader looks at. As with html5gum's default emitter,
/// the first of duplicate attributes counts.
#[derive(Debug, Clone)]
struct Attr {
    /// In the fragment, from the start of the name to just after the value
    /// (its closing quote, if any); the name alone when there is no value.
    span: Range<usize>,
    value: Range<usize>,
}

/// A tag name and what it does to the reader, worked out once per name.
#[derive(Debug)]
struct TagInfo {
    name: Vec<u8>,
    /// Ends the current block (at its start and its end).
    block: bool,
    /// Its content is not prose.
    skip: bool,
    /// Has no content or end tag.
    void: bool,
}

impl StartTag {
    fn slot(&mut self, slot: Slot) -> &mut Option<Attr> {
        match slot {
            Slot::Id => &mut self.id,
            Slot::Class => &mut self.class,
            Slot::Alt => &mut self.alt,
        }
    }
}

impl Tokens {
    fn name(&self, tag: usize) -> &[u8] {
        &self.tags[tag].name
    }

    fn value(&self, attr: &Option<Attr>) -> Option<&[u8]> {
        attr.as_ref().map(|a| &self.bytes[a.value.clone()])
    }

    fn is_start_of(&self, token: &Tok, name: &str) -> bool {
        matches!(token, Tok::Start(t) if self.name(t.tag) == name.as_bytes())
    }
}

/// Which attribute of [`StartTag`] a value goes to.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Id,
    Class,
    Alt,
}

/// Builds [`Tokens`] from html5gum's callback events, as its default
/// emitter builds its tokens from them.
#[derive(Debug)]
struct TokenSink {
    out: Tokens,
    ids: HashMap<Vec<u8>, usize>,
    /// Tag ids by [`name_hash`]: a page uses a few dozen names over and
    /// over, and hashing each tag's name for `ids` was most of the sink's time.
    recent: [usize; 64],
    /// The start tag being read: its id, once its name is known.
    tag: Option<usize>,
    /// Attributes read since the last start or end tag was emitted.
    attrs: StartTag,
    /// The attribute the next value belongs to, if the reader keeps it.
    filling: Option<Slot>,
}

impl TokenSink {
    fn new() -> TokenSink {
        TokenSink {
            out: Tokens::default(),
            ids: HashMap::new(),
            recent: [usize::MAX; 64],
            tag: None,
            attrs: StartTag::default(),
            filling: None,
        }
    }

    fn intern(&mut self, name: &[u8]) -> usize {
        let h = name_hash(name);
        let recent = self.recent[h];
        if self.out.tags.get(recent).is_some_and(|t| t.name == name) {
            return recent;
        }
        if let Some(&id) = self.ids.get(name) {
            self.recent[h] = id;
            return id;
        }
        let id = self.out.tags.len();
        self.out.tags.push(TagInfo {
            name: name.to_vec(),
            block: is(name, BLOCK),
            skip: is(name, SKIP),
            void: is(name, VOID),
        });
        self.ids.insert(name.to_vec(), id);
        self.recent[h] = id;
        id
    }

    fn event(&mut self, event: CallbackEvent<'_>, span: Span<usize>) {
        match event {
            CallbackEvent::OpenStartTag { name } => self.tag = Some(self.intern(name)),
            CallbackEvent::AttributeName { name } => {
                let slot = match name {
                    b"id" => Some(Slot::Id),
                    b"class" => Some(Slot::Class),
                    b"alt" => Some(Slot::Alt),
                    _ => None,
                };
                self.filling = None;
                if let Some(slot) = slot {
                    let at = self.out.bytes.len();
                    let attr = self.attrs.slot(slot);
                    if attr.is_none() {
                        *attr = Some(Attr {
                            span: span.start..span.end,
                            value: at..at,
                        });
                        self.filling = Some(slot);
                    }
                }
            }
            CallbackEvent::AttributeValue { value } => {
                let Some(slot) = self.filling else { return };
                let bytes = &mut self.out.bytes;
                let attr = self.attrs.slot(slot);
                let attr = attr.as_mut().expect("filling names a set slot");
                // Values come in one piece; should one come in two, keep
                // the whole contiguous at the end of `bytes`.
                if attr.value.end != bytes.len() {
                    let old = attr.value.clone();
                    attr.value = bytes.len()..bytes.len();
                    bytes.extend_from_within(old);
                    attr.value.end = bytes.len();
                }
                bytes.extend_from_slice(value);
                attr.value.end = bytes.len();
                attr.span.end = span.end + 1;
            }
            CallbackEvent::CloseStartTag { self_closing } => {
                let tag = match self.tag.take() {
                    Some(tag) => tag,
                    None => self.intern(b""),
                };
                let attrs = std::mem::take(&mut self.attrs);
                self.filling = None;
                self.out.list.push(Tok::Start(StartTag {
                    tag,
                    self_closing,
                    ..attrs
                }));
            }
            CallbackEvent::EndTag { name } => {
                self.attrs = StartTag::default();
                self.filling = None;
                let tag = self.intern(name);
                self.out.list.push(Tok::End(tag));
            }
            CallbackEvent::String { value } => {
                let at = self.out.bytes.len();
                self.out.bytes.extend_from_slice(value);
                self.out.list.push(Tok::Text {
                    span: span.start..span.end,
                    value: at..self.out.bytes.len(),
                });
            }
            CallbackEvent::Comment { .. }
            | CallbackEvent::Doctype { .. }
            | CallbackEvent::Error(_) => {}
        }
    }
}

/// A cheap hash of a tag name, an index into [`TokenSink::recent`].
fn name_hash(name: &[u8]) -> usize {
    let first = name.first().map_or(0, |&b| usize::from(b));
    let last = name.last().map_or(0, |&b| usize::from(b));
    (name.len() * 7 + first * 3 + last) % 64
}

fn tokenize(fragment: &str) -> Tokens {
    let mut sink = TokenSink::new();
    // Sized for the page once: grown a push at a time, the two buffers were
    // copied over and over (decoded text is rarely longer than its source).
    sink.out.bytes.reserve(fragment.len());
    sink.out.list.reserve(fragment.len() / 128);
    let mut emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, span: Span<usize>| {
        sink.event(event, span);
        None::<Infallible>
    });
    emitter.naively_switch_states(true);
    // Reading from a `&str` cannot fail (the error type is `Infallible`).
    let _ = Tokenizer::new_with_emitter(fragment, NoCharErrors(emitter)).finish();
    sink.out
}

/// Reads an HTML page into a [`Document`].
pub fn parse(source: &str) -> Document {
    let mut b = Builder::new();
    extract_into(&mut b, source, 0..source.len(), true);
    b.finish()
}

/// Options for [`parse_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Where the article body is, tried in order: the first selector that
    /// matches an element of the page makes only the text inside the
    /// elements it matches prose. When none matches (or the list is empty),
    /// the default article/main/body scoping applies.
    pub content: Vec<Selector>,
}

/// Reads an HTML page into a [`Document`] with options (content selectors).
pub fn parse_with(source: &str, options: &HtmlOptions) -> Document {
    let mut b = Builder::new();
    extract_scoped(&mut b, source, 0..source.len(), true, &options.content);
    b.finish()
}

/// A CSS-like selector, in a small subset: compounds of a tag name (or
/// `*`), `.class` and `#id`, joined by the descendant combinator (spaces),
/// e.g. `article .entry-content` or `div#main.post`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    source: String,
    parts: Vec<Compound>,
}

/// One compound selector: every part must match the same element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Compound {
    /// Lowercased; `None` for any element.
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for Selector {
    type Err = String;

    fn from_str(s: &str) -> Result<Selector, String> {
        let name_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii();
        let mut parts = Vec::new();
        for word in s.split_ascii_whitespace() {
            let mut c = Compound::default();
            let mut rest = word;
            let tag_len = rest
                .find(|ch: char| !(name_char(ch) || ch == '*'))
                .unwrap_or(rest.len());
            let tag = &rest[..tag_len];
            if !tag.is_empty() && tag != "*" {
                if tag.contains('*') {
                    return Err(format!("`{tag}` is not a tag name"));
                }
                c.tag = Some(tag.to_ascii_lowercase());
            }
            rest = &rest[tag_len..];
            while let Some(sigil) = rest.chars().next() {
                let body = &rest[1..];
                let len = body.find(|ch: char| !name_char(ch)).unwrap_or(body.len());
                if !matches!(sigil, '.' | '#') || len == 0 {
                    return Err(format!(
                        "unsupported selector syntax at `{rest}`: only tag names, `.class`, \
                         `#id` and the descendant combinator (a space) are supported"
                    ));
                }
                let name = body[..len].to_string();
                if sigil == '.' {
                    c.classes.push(name);
                } else {
                    c.id = Some(name);
                }
                rest = &body[len..];
            }
            parts.push(c);
        }
        if parts.is_empty() {
            return Err("empty selector".into());
        }
        Ok(Selector {
            source: s.trim().to_string(),
            parts,
        })
    }
}

impl Compound {
    fn matches(&self, tag: &StartTag, tokens: &Tokens) -> bool {
        if self
            .tag
            .as_ref()
            .is_some_and(|t| t.as_bytes() != tokens.name(tag.tag))
        {
            return false;
        }
        if let Some(id) = &self.id {
            if tokens.value(&tag.id) != Some(id.as_bytes()) {
                return false;
            }
        }
        if !self.classes.is_empty() {
            let Some(class) = tokens.value(&tag.class) else {
                return false;
            };
            let have: Vec<&[u8]> = class
                .split(|b| b.is_ascii_whitespace())
                .filter(|c| !c.is_empty())
                .collect();
            if !self.classes.iter().all(|c| have.contains(&c.as_bytes())) {
                return false;
            }
        }
        true
    }
}

impl Selector {
    /// How many compounds are matched after entering `tag`, given how many
    /// its parent had matched. Matching the leftmost compounds as early as
    /// possible is exact for descendant-only selectors; `parts.len()` means
    /// the element is (inside) a match.
    fn advance(&self, progress: usize, tag: &StartTag, tokens: &Tokens) -> usize {
        match self.parts.get(progress) {
            Some(c) if c.matches(tag, tokens) => progress + 1,
            _ => progress,
        }
    }

    /// Whether some element of the page matches.
    fn matches_any(&self, tokens: &Tokens) -> bool {
        // (tag id, progress) per open element, and how many of each tag are open.
        let mut stack: Vec<(usize, usize)> = vec![(usize::MAX, 0)];
        let mut open = vec![0usize; tokens.tags.len()];
        for token in &tokens.list {
            match token {
                Tok::Start(tag) => {
                    let top = stack.last().expect("root").1;
                    let p = self.advance(top, tag, tokens);
                    if p == self.parts.len() {
                        return true;
                    }
                    if !(tokens.tags[tag.tag].void || tag.self_closing) {
                        open[tag.tag] += 1;
                        stack.push((tag.tag, p));
                    }
                }
                Tok::End(tag) => {
                    if open[*tag] == 0 {
                        continue;
                    }
                    while stack.len() > 1 {
                        let (t, _) = stack.pop().expect("len > 1");
                        open[t] -= 1;
                        if t == *tag {
                            break;
                        }
                    }
                }
                Tok::Text { .. } => {}
            }
        }
        false
    }
}

/// Reads the HTML in `source[range]` into `b`, mapping to offsets in
/// `source`. `scoped` applies the article/main/body scoping (whole pages);
/// fragments embedded in Markdown are read whole. An invalid range reads nothing.
pub(crate) fn extract_into(b: &mut Builder, source: &str, range: Range<usize>, scoped: bool) {
    extract_scoped(b, source, range, scoped, &[]);
}

/// [`extract_into`] with content selectors (see [`HtmlOptions::content`]).
fn extract_scoped(
    b: &mut Builder,
    source: &str,
    range: Range<usize>,
    scoped: bool,
    content: &[Selector],
) {
    let Some(fragment) = source.get(range.clone()) else {
        return;
    };
    let base = range.start;
    let tokens = tokenize(fragment);
    let mut selector = if scoped {
        content.iter().find(|s| s.matches_any(&tokens))
    } else {
        None
    };
    let scope = if !scoped || selector.is_some() {
        Scope::All
    } else {
        let has = |tag: &str| tokens.list.iter().any(|t| tokens.is_start_of(t, tag));
        let scope = ["article", "main", "body"]
            .into_iter()
            .find(|t| has(t))
            .map_or(Scope::All, Scope::Inside);
        // With a `<main>`, the `<article>`s outside it are cards (reviews,
        // related posts), not the page: the articles inside it, or else
        // the main itself.
        if scope == Scope::Inside("article") && has("main") {
            if MAIN_ARTICLE.matches_any(&tokens) {
                selector = Some(&MAIN_ARTICLE);
                scope
            } else {
                Scope::Inside("main")
            }
        } else {
            scope
        }
    };
    // Inside the article (or main), a `<header>` holds the article's title
    // and byline, not the site's banner, and an `<aside>` is a callout box
    // ("Who should skip it"), not the site's sidebar.
    let article_scope = matches!(scope, Scope::Inside("article" | "main"));
    let mut stack = vec![Frame {
        tag: usize::MAX,
        kind: BlockKind::Paragraph,
        list: None,
        child_list: None,
        skip: false,
        in_scope: scope == Scope::All && selector.is_none(),
        progress: 0,
    }];
    // How many frames of each tag are open, so a stray end tag is O(1).
    let mut open = vec![0usize; tokens.tags.len()];
    b.close();
    for token in &tokens.list {
        match token {
            Tok::Start(tag) => {
                let info = &tokens.tags[tag.tag];
                let name = info.name.as_slice();
                if info.block {
                    b.close();
                }
                let top = stack.last().expect("the root frame is never popped");
                if name == b"img" && !top.skip && top.in_scope {
                    if let Some(alt) = &tag.alt {
                        let raw = fragment.get(alt.span.clone());
                        if let Some((value, value_start)) = raw.and_then(attribute_value) {
                            let value_start = alt.span.start + value_start;
                            let decoded = decode_with_map(value, base + value_start, true);
                            if same_text(&decoded, &tokens.bytes[alt.value.clone()]) {
                                b.ensure(top.kind, top.list);
                                push_pieces(b, decoded);
                            }
                        }
                    }
                }
                if info.void || tag.self_closing {
                    continue;
                }
                let heading = match name {
                    [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
                    // An accordion's caption heads its panel ("Who
                    // shouldn't have microneedling?"), below any real heading.
                    b"summary" => Some(6),
                    _ => None,
                };
                let (kind, list, child_list) = if let Some(level) = heading {
                    (BlockKind::Heading(level), None, top.child_list)
                } else {
                    match name {
                        b"li" => {
                            let id = top.child_list.unwrap_or_else(|| b.new_list());
                            (BlockKind::ListItem, Some(id), Some(id))
                        }
                        b"ul" | b"ol" | b"menu" => (top.kind, top.list, Some(b.new_list())),
                        b"td" | b"th" => (BlockKind::TableCell, None, top.child_list),
                        b"blockquote" => (BlockKind::Quote, None, top.child_list),
                        _ => (top.kind, top.list, top.child_list),
                    }
                };
                let progress = selector.map_or(0, |s| s.advance(top.progress, tag, &tokens));
                let selected = selector.is_some_and(|s| progress == s.parts.len());
                let frame = Frame {
                    tag: tag.tag,
                    kind,
                    list,
                    child_list,
                    skip: top.skip
                        || (info.skip
                            && !(matches!(name, b"header" | b"aside")
                                && top.in_scope
                                && article_scope))
                        || is_page_chrome(tag, &tokens),
                    in_scope: top.in_scope
                        || (selector.is_none() && scope == Scope::Inside(tag_str(name)))
                        || selected,
                    progress,
                };
                open[tag.tag] += 1;
                stack.push(frame);
            }
            &Tok::End(tag) => {
                if tokens.tags[tag].block {
                    b.close();
                }
                if open[tag] == 0 {
                    continue; // stray end tag
                }
                // Pop to the matching element, closing any left open inside it.
                while stack.len() > 1 {
                    let f = stack.pop().expect("len > 1");
                    open[f.tag] -= 1;
                    if f.tag == tag {
                        break;
                    }
                }
            }
            Tok::Text { span, value } => {
                let top = stack.last().expect("the root frame is never popped");
                if top.skip || !top.in_scope {
                    continue;
                }
                let Some(raw) = fragment.get(span.clone()) else {
                    continue;
                };
                b.ensure(top.kind, top.list);
                let decoded = decode_with_map(raw, base + span.start, false);
                let value = &tokens.bytes[value.clone()];
                if same_text(&decoded, value) {
                    push_pieces(b, decoded);
                } else {
                    // Our decoding disagrees with the tokenizer (should not
                    // happen): trust html5gum and map the run as one piece.
                    let value = String::from_utf8_lossy(value);
                    b.push_atomic(&value, base + span.start..base + span.end);
                }
            }
        }
    }
    b.close();
}

/// The tag name as a `&'static str` when it is a scope element, for comparison.
fn tag_str(name: &[u8]) -> &'static str {
    match name {
        b"article" => "article",
        b"main" => "main",
        b"body" => "body",
        _ => "",
    }
}

/// Whether our decoded pieces equal html5gum's value, up to the line-ending
/// normalisation the tokenizer does and we do not.
fn same_text(pieces: &[Piece<'_>], value: &[u8]) -> bool {
    // Compared without building the normalised text: this runs on every
    // text run of a page. Most have no carriage return to normalise.
    if !pieces.iter().any(|p| p.text.contains('\r')) {
        let mut rest = value;
        for p in pieces {
            match rest.strip_prefix(p.text.as_bytes()) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        return rest.is_empty();
    }
    let mut ours = pieces.iter().flat_map(|p| p.text.bytes()).peekable();
    let mut theirs = value.iter().copied();
    while let Some(mut b) = ours.next() {
        if b == b'\r' {
            ours.next_if_eq(&b'\n');
            b = b'\n';
        }
        if theirs.next() != Some(b) {
            return false;
        }
    }
    theirs.next().is_none()
}

fn push_pieces(b: &mut Builder, pieces: Vec<Piece<'_>>) {
    for p in pieces {
        if p.verbatim {
            b.push_verbatim(&p.text, p.src.start);
        } else {
            b.push_atomic(&p.text, p.src);
        }
    }
}

/// The raw value inside an attribute's source (`name = "value"`), and its
/// offset in that source.
fn attribute_value(attr: &str) -> Option<(&str, usize)> {
    let eq = attr.find('=')?;
    let after = &attr[eq + 1..];
    let trimmed = after.trim_start_matches([' ', '\t', '\n', '\r', '\x0C']);
    let start = eq + 1 + (after.len() - trimmed.len());
    match trimmed.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => {
            let inner = &trimmed[1..];
            let inner = inner.strip_suffix(q as char)?;
            Some((inner, start + 1))
        }
        Some(_) => {
            // An unquoted value ends at whitespace or `>`; html5gum's span
            // of the attribute takes in the character that ended it.
            let end = trimmed
                .find([' ', '\t', '\n', '\r', '\x0C', '>'])
                .unwrap_or(trimmed.len());
            Some((&trimmed[..end], start))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::check_invariants;
    use crate::document::entities::decode;
    use crate::document::entities::tests::normalize_newlines;

    fn read(src: &str) -> Document {
        let doc = parse(src);
        check_invariants(&doc, src).unwrap();
        // Every text run we decode must agree with html5gum.
        let tokens = tokenize(src);
        for t in &tokens.list {
            if let Tok::Text { span, value } = t {
                let ours = normalize_newlines(&decode(&src[span.clone()], false));
                assert_eq!(
                    ours.as_bytes(),
                    &tokens.bytes[value.clone()],
                    "run {span:?}"
                );
            }
        }
        doc
    }

    fn blocks(doc: &Document) -> Vec<(BlockKind, &str)> {
        doc.blocks
            .iter()
            .map(|b| (b.kind, doc.block_text(b)))
            .collect()
    }

    fn span_of<'a>(doc: &Document, src: &'a str, needle: &str) -> &'a str {
        let at = doc.text.find(needle).unwrap();
        &src[doc.source_span(at..at + needle.len()).range()]
    }

    #[test]
    fn entities_map_to_their_source() {
        let src = "<p>It&rsquo;s caf&eacute; &amp; more &#8217; &#x2019; &nbsp;x &notit; AT&T</p>";
        let doc = read(src);
        assert_eq!(
            doc.text,
            "It\u{2019}s caf\u{e9} & more \u{2019} \u{2019} \u{a0}x \u{ac}it; AT&T"
        );
        assert_eq!(span_of(&doc, src, "caf\u{e9}"), "caf&eacute;");
        assert_eq!(span_of(&doc, src, "\u{e9}"), "&eacute;");
        assert_eq!(span_of(&doc, src, "\u{ac}it"), "&notit");
        assert_eq!(span_of(&doc, src, "AT&T"), "AT&T");
    }

    #[test]
    fn blocks_kinds_lists_and_headings() {
        let src = "<body><h1>Guide</h1><p>Intro <b>bold</b> <a href=\"/x\">link</a></p>\
            <h2>Steps</h2><ul><li>one</li><li>two<ul><li>inner</li></ul>tail</li></ul>\
            <ol><li>first<li>second</ol><blockquote><p>quoted</p></blockquote>\
            <table><tr><td>cell</td><th>head</th></tr></table><h2>Next</h2>x<br>y\
            <p><img src=a alt=\"roller &amp; pen\"> shown</p></body>";
        let doc = read(src);
        use BlockKind::*;
        assert_eq!(
            blocks(&doc),
            vec![
                (Heading(1), "Guide"),
                (Paragraph, "Intro bold link"),
                (Heading(2), "Steps"),
                (ListItem, "one"),
                (ListItem, "two"),
                (ListItem, "inner"),
                (ListItem, "tail"),
                (ListItem, "first"),
                (ListItem, "second"),
                (Quote, "quoted"),
                (TableCell, "cell"),
                (TableCell, "head"),
                (Heading(2), "Next"),
                (Paragraph, "x"),
                (Paragraph, "y"),
                (Paragraph, "roller & pen shown"),
            ]
        );
        let l = |i: usize| doc.blocks[i].list;
        assert_eq!(l(3), l(4));
        assert_eq!(l(4), l(6));
        assert_ne!(l(5), l(4));
        assert_eq!(l(7), l(8));
        assert_ne!(l(7), l(3));
        assert_eq!(doc.blocks[3].headings, vec![0, 2]);
        assert_eq!(doc.blocks[13].headings, vec![0, 12]);
        assert_eq!(span_of(&doc, src, "&"), "&amp;");
    }

    #[test]
    fn skipped_elements_are_not_prose() {
        let src = "<html><head><title>T</title><style>p{}</style></head><body>\
            <nav>menu</nav><header>top</header><p>keep <!-- dermaroller at home --> this</p>\
            <script>var s = '<p>derma roller</p>';</script><aside class=related><a>The best rollers</a></aside>\
            <form><textarea>roll at home</textarea><button>Send</button></form>\
            <pre>code</pre><p>x <code>y</code> z</p><svg><text>s</text></svg><footer>f</footer></body></html>";
        let doc = read(src);
        assert_eq!(doc.text, "keep  this\n\nx  z");
    }

    #[test]
    fn article_then_main_then_body_scoping() {
        // The articles inside `<main>`; one outside it (a related-post
        // card in the footer) is not the page.
        let doc = read("<body><p>out</p><main><p>m</p><article><p>a1</p></article></main><article>a2</article></body>");
        assert_eq!(doc.text, "a1");
        // No article inside `<main>`: the main. A shop page whose customer
        // reviews are `<article>`s after it is read from its main.
        let doc = read("<body><main><h1>Stamp</h1><p>Use weekly.</p></main><article class=review>Love it</article></body>");
        assert_eq!(doc.text, "Stamp\n\nUse weekly.");
        let doc = read("<body><p>out</p><article><p>a1</p></article><article>a2</article></body>");
        assert_eq!(doc.text, "a1\n\na2");
        let doc = read("<body><p>out</p><main><p>m</p></main></body>");
        assert_eq!(doc.text, "m");
        let doc = read("<head><title>t</title></head><p>before body</p><body><p>b</p></body>");
        assert_eq!(doc.text, "b");
        let doc = read("no tags &amp; all");
        assert_eq!(doc.text, "no tags & all");
    }

    #[test]
    fn an_article_header_is_read_and_a_site_header_is_not() {
        // WordPress puts the post title in `<header class="entry-header">`
        // inside the article; the site banner is a `<header>` outside it.
        let doc = read(
            "<body><header class=banner><h1>Glow Journal</h1></header><article>\
             <header class=entry-header><h1>Derma rollers</h1></header><p>Text.</p>\
             <header class=site-header>chrome</header></article></body>",
        );
        assert_eq!(doc.text, "Derma rollers\n\nText.");
        assert!(matches!(doc.blocks[0].kind, BlockKind::Heading(1)));
        // With `<main>` as the scope, likewise; with only `<body>`, every
        // `<header>` is the site's.
        let doc = read("<body><main><header><h1>T</h1></header><p>x</p></main></body>");
        assert_eq!(doc.text, "T\n\nx");
        let doc = read("<body><header><h1>Site</h1></header><p>x</p></body>");
        assert_eq!(doc.text, "x");
    }

    #[test]
    fn an_accordion_summary_heads_its_panel() {
        let doc = read(
            "<body><h2>FAQ</h2><details><summary>Who shouldn't have it?</summary>\
             <p>Anyone pregnant.</p></details><details><summary>Cost?</summary><p>$300.</p>\
             </details></body>",
        );
        assert_eq!(
            doc.text,
            "FAQ\n\nWho shouldn't have it?\n\nAnyone pregnant.\n\nCost?\n\n$300."
        );
        assert!(matches!(doc.blocks[1].kind, BlockKind::Heading(6)));
        // Each panel sits under its own summary, and both under the h2.
        assert_eq!(doc.blocks[2].headings, vec![0, 1]);
        assert_eq!(doc.blocks[4].headings, vec![0, 3]);
    }

    #[test]
    fn an_aside_in_the_article_is_read_and_a_sidebar_is_not() {
        // A callout box inside the article holds its warnings; the `<aside>`
        // beside it is the site's rail, and a related-posts aside is chrome.
        let doc = read(
            "<body><article><p>Intro.</p><aside class=callout><h3>Who should skip it</h3>\
             <ul><li>Pregnancy</li></ul></aside><aside class=related><p>More</p></aside>\
             </article><aside class=rail><p>Ad</p></aside></body>",
        );
        assert_eq!(doc.text, "Intro.\n\nWho should skip it\n\nPregnancy");
        assert!(matches!(doc.blocks[1].kind, BlockKind::Heading(3)));
        assert_eq!(doc.blocks[2].kind, BlockKind::ListItem);
        // With only `<body>` as the scope, every `<aside>` is a sidebar.
        let doc = read("<body><aside><p>Side</p></aside><p>x</p></body>");
        assert_eq!(doc.text, "x");
    }

    #[test]
    fn the_first_of_duplicate_attributes_counts() {
        // Attribute names are read lowercased, as html5gum gives them.
        let src = "<body><div class=x class=comments><p>kept</p></div>\
            <div CLASS=comments class=x><p>dropped</p></div>\
            <p><img alt=\"first\" alt=\"second\"> <img ALT=\"upper\"></p></body>";
        assert_eq!(read(src).text, "kept\n\nfirst upper");
    }

    #[test]
    fn unquoted_alt_values_are_read_with_their_spans() {
        // Ended by `>`, by a space, by `/>` (the `/` is part of the value),
        // and with a character reference.
        let src = "<p><img alt=roller> <img alt=pen src=a> <img alt=stamp/> \
            <img alt=a&amp;b>\n<img alt= spaced\n></p>";
        let doc = read(src);
        assert_eq!(doc.text, "roller pen stamp/ a&b\nspaced");
        for (text, source) in [
            ("roller", "roller"),
            ("pen", "pen"),
            ("stamp/", "stamp/"),
            ("a&b", "a&amp;b"),
            ("spaced", "spaced"),
        ] {
            assert_eq!(span_of(&doc, src, text), source);
        }
    }

    #[test]
    fn crlf_and_multibyte() {
        let src = "<p>Caf\u{e9} \u{1F600}\r\nline&eacute;\u{1F600}</p>\r\n<p>two</p>";
        let doc = read(src);
        assert_eq!(
            doc.text,
            "Caf\u{e9} \u{1F600}\r\nline\u{e9}\u{1F600}\n\ntwo"
        );
        assert_eq!(span_of(&doc, src, "\u{1F600}\r\nline"), "\u{1F600}\r\nline");
    }

    #[test]
    fn malformed_html_does_not_panic() {
        for src in [
            "",
            "<",
            "<p",
            "<p>unclosed <b>bold <i>both",
            "</div></p></li>stray",
            "<!-- unclosed comment <p>x</p>",
            "<script>never closed <p>x</p>",
            "<![CDATA[ x ]]> y",
            "<textarea>x",
            "<p title=\"unterminated>text",
            "<img alt=\"a &amp b\"",
            "<img alt='&notit=1'>after",
            "&#xFFFFFFFFFFFF; &#0; \0 \r",
            "<ul><li>a<ul><li>b</ol></ul></li>c",
            "<td>cell<h7>x</h7><h0>y",
        ] {
            read(src);
        }
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 100_000;
        let src = format!("{}text{}", "<div>".repeat(n), "</div>".repeat(n));
        // No wall-clock bound (it failed on a loaded machine): a quadratic
        // reader would not finish 100k levels in any sane test run.
        let doc = read(&src);
        assert_eq!(doc.text, "text");
        let src = format!("{}x{}", "<div><span>".repeat(n / 2), "</p>".repeat(n));
        let doc = read(&src);
        assert_eq!(doc.text, "x");
    }

    fn with(src: &str, selectors: &[&str]) -> String {
        let options = HtmlOptions {
            content: selectors.iter().map(|s| s.parse().unwrap()).collect(),
        };
        let doc = parse_with(src, &options);
        check_invariants(&doc, src).unwrap();
        doc.text
    }

    #[test]
    fn content_selectors_pick_the_article_body() {
        let src = "<body><article><h1>T</h1><div class=\"meta entry-content\"><p>body</p>\
            <aside class=advert>ad</aside></div><div class=comments><p>comment</p></div></article>\
            <div class=\"post-body\" id=pb><p>other</p></div></body>";
        assert_eq!(with(src, &["article .entry-content"]), "body");
        assert_eq!(with(src, &[".missing", ".post-body"]), "other");
        assert_eq!(with(src, &["div#pb.post-body"]), "other");
        assert_eq!(with(src, &["#pb p"]), "other");
        // The first selector that matches wins, in list order.
        assert_eq!(with(src, &[".post-body", ".entry-content"]), "other");
        // Nothing matches: the default article scoping (reader comments
        // are page furniture and never read).
        assert_eq!(with(src, &["section .x"]), "T\n\nbody");
        assert_eq!(with(src, &[]), parse(src).text);
        // Descendant, not child: `.entry-content` is not inside `.comments`.
        assert_eq!(with(src, &[".comments .entry-content"]), "T\n\nbody");
    }

    #[test]
    fn selector_syntax() {
        assert!("article > p".parse::<Selector>().is_err());
        assert!("a[href]".parse::<Selector>().is_err());
        assert!("p:first-child".parse::<Selector>().is_err());
        assert!("".parse::<Selector>().is_err());
        assert!(".".parse::<Selector>().is_err());
        let s: Selector = " DIV.a.b#c  span ".parse().unwrap();
        assert_eq!(s.to_string(), "DIV.a.b#c  span");
        assert_eq!(s.parts.len(), 2);
        assert_eq!(s.parts[0].tag.as_deref(), Some("div"));
        assert_eq!(s.parts[0].classes, ["a", "b"]);
    }
}
