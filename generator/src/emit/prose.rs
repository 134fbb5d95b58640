//! Spec prose as rustdoc reads it. A description is Markdown written for a
//! web page, and rustdoc's default lints read some of it as Rust: a bare
//! URL, a `[word]` it takes for an intra-doc link, a link whose target is
//! an operation id, or `<name>` it takes for an unclosed HTML tag. Each is
//! rewritten to what the author meant to show, so the generated crate
//! passes `cargo doc` with `-D warnings` and needs no crate-wide allow.
//! Code spans are left as written; fenced blocks never reach here.

use std::collections::BTreeMap;

/// Elements rustdoc knows as HTML; any other `<name>` is prose
/// (`<project>`, `<indirectRelation>`) and is escaped.
const HTML: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
];

/// Elements that take no closing tag.
const VOID: &[&str] = &["br", "col", "hr", "img"];

/// The HTML tag names of a description that rustdoc would find unclosed
/// or would not know: those are shown as text.
pub struct Tags {
    shown_as_text: Vec<String>,
}

impl Tags {
    /// Counts the tags of `lines` (prose only: fenced lines are left out
    /// by the caller).
    pub fn of<'a>(lines: impl Iterator<Item = &'a str>) -> Tags {
        let mut balance: BTreeMap<String, i64> = BTreeMap::new();
        for line in lines.filter(|l| l.contains('<')) {
            for text in prose_runs(line) {
                for (name, closing) in tags_in(text) {
                    *balance.entry(name).or_default() += if closing { -1 } else { 1 };
                }
            }
        }
        let shown_as_text = balance
            .into_iter()
            .filter(|(name, n)| {
                let known = HTML.contains(&name.as_str());
                !known || (*n != 0 && !VOID.contains(&name.as_str()))
            })
            .map(|(name, _)| name)
            .collect();
        Tags { shown_as_text }
    }

    /// `line` with its prose rewritten; code spans kept as they are.
    pub fn tidy(&self, line: &str) -> String {
        if !line.contains(['[', '<']) && !line.contains("http") {
            return line.to_string();
        }
        let mut out = String::with_capacity(line.len() + 8);
        for piece in pieces(line) {
            match piece {
                Piece::Code(code) => out.push_str(code),
                Piece::Prose(text) => {
                    let text = self.escape_tags(text);
                    let text = unlink_operation_ids(&text);
                    let text = escape_shortcut_links(&text);
                    out.push_str(&wrap_bare_urls(&text));
                }
            }
        }
        out
    }

    fn escape_tags(&self, text: &str) -> String {
        if self.shown_as_text.is_empty() || !text.contains('<') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 8);
        let mut rest = text;
        while let Some(at) = rest.find('<') {
            out.push_str(&rest[..at]);
            let after = &rest[at..];
            match tag_at(after) {
                Some((name, _)) if self.shown_as_text.contains(&name) => out.push_str("&lt;"),
                _ => out.push('<'),
            }
            rest = &after[1..];
        }
        out.push_str(rest);
        out
    }
}

enum Piece<'a> {
    Prose(&'a str),
    Code(&'a str),
}

/// `line` cut into prose and code spans (a run of n backticks up to the
/// next run of exactly n); an unmatched run is prose.
fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
        match closing_run(&bytes[i + run..], run) {
            Some(end) => {
                if start < i {
                    out.push(Piece::Prose(&line[start..i]));
                }
                let stop = i + run + end + run;
                out.push(Piece::Code(&line[i..stop]));
                start = stop;
                i = stop;
            }
            None => i += run,
        }
    }
    if start < line.len() {
        out.push(Piece::Prose(&line[start..]));
    }
    out
}

/// Where a run of exactly `n` backticks starts in `bytes`.
fn closing_run(bytes: &[u8], n: usize) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
            if run == n {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

fn prose_runs(line: &str) -> impl Iterator<Item = &str> {
    pieces(line).into_iter().filter_map(|p| match p {
        Piece::Prose(text) => Some(text),
        Piece::Code(_) => None,
    })
}

/// Every `<name ...>` and `</name>` of `text`: (lowercase name, closing).
fn tags_in(text: &str) -> Vec<(String, bool)> {
    text.match_indices('<')
        .filter_map(|(at, _)| tag_at(&text[at..]))
        .collect()
}

/// The tag `text` starts with: `<` or `</`, a letter, letters, digits or
/// `-`, then `>`, `/` or a space. An autolink (`<https://..>`) is not one.
fn tag_at(text: &str) -> Option<(String, bool)> {
    let rest = text.strip_prefix('<')?;
    let (closing, rest) = match rest.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(rest.len());
    let name = &rest[..len];
    let next = rest[len..].chars().next()?;
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_with_letter && matches!(next, '>' | '/' | ' '))
        .then(|| (name.to_ascii_lowercase(), closing))
}

/// `[text](operationId)`: rustdoc resolves a target that is a bare word as
/// a Rust path and fails; the spec meant a page of its own reference, so
/// the text stays and the link goes.
fn unlink_operation_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(mid) = rest.find("](") {
        let target_end = rest[mid + 2..].find(')').map(|e| mid + 2 + e);
        let open = rest[..mid].rfind('[');
        match (open, target_end) {
            (Some(open), Some(end)) if is_word(&rest[mid + 2..end]) => {
                out.push_str(&rest[..open]);
                out.push_str(&rest[open + 1..mid]);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push_str(&rest[..mid + 2]);
                rest = &rest[mid + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_word(target: &str) -> bool {
    let mut chars = target.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[word]` is a shortcut link to rustdoc, and `[a][b]` a reference link;
/// in spec prose they are brackets (`array of [string]`, `[A-Za-z][0-9]`).
/// Only an inline link `[text](target)` and a definition `[r]: url` at the
/// start of a line stay.
/// The generator's own links are `[`path`]`, whose brackets sit outside
/// the code span and so never reach one piece of prose whole.
fn escape_shortcut_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let escaped = open > 0 && rest.as_bytes()[open - 1] == b'\\';
        let close = rest[open + 1..].find(']').map(|c| open + 1 + c);
        let Some(close) = close.filter(|_| !escaped) else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        let inner = &rest[open + 1..close];
        let follows = rest[close + 1..].chars().next();
        out.push_str(&rest[..open]);
        let definition =
            follows == Some(':') && out.trim().is_empty() && rest[..open].trim().is_empty();
        if inner.contains('[') || follows == Some('(') || definition {
            out.push('[');
            rest = &rest[open + 1..];
            continue;
        }
        out.push_str("\\[");
        out.push_str(inner);
        out.push_str("\\]");
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A bare `http(s)://` URL becomes `<url>`, which rustdoc links, also in
/// parentheses or quotes. A URL already in a link (`](`, `<`, `[`) or an
/// HTML attribute stays as it is.
fn wrap_bare_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut rest = text;
    while let Some(at) = rest.find("http") {
        let candidate = &rest[at..];
        let scheme = ["https://", "http://"]
            .iter()
            .find(|s| candidate.starts_with(**s));
        let head = &rest[..at];
        let linked = ["](", "<", "[", "=\"", "='", "=", "/"]
            .iter()
            .any(|p| head.ends_with(p))
            || head.ends_with(|c: char| c.is_ascii_alphanumeric());
        let len = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
            .unwrap_or(candidate.len());
        let url = candidate[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        let host = scheme.map_or("", |s| &url[s.len()..]);
        if scheme.is_none() || linked || host.is_empty() {
            out.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
            continue;
        }
        out.push_str(&rest[..at]);
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &candidate[url.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::Tags;

    fn tidy(doc: &str) -> Vec<String> {
        let tags = Tags::of(doc.lines());
        doc.lines().map(|l| tags.tidy(l)).collect()
    }

    #[test]
    fn bare_urls_are_linked_and_linked_ones_kept() {
        assert_eq!(
            tidy("as documented in https://cloud.google.com/a/b. See [x](https://e.com/) or <https://f.com>, `https://g.com` (https://h.com/i). \"https://j.com\" <a href=\"https://k.com\">k</a>"),
            vec!["as documented in <https://cloud.google.com/a/b>. See [x](https://e.com/) or <https://f.com>, `https://g.com` (<https://h.com/i>). \"<https://j.com>\" <a href=\"https://k.com\">k</a>"]
        );
    }

    #[test]
    fn brackets_in_prose_are_not_links() {
        assert_eq!(
            tidy("array of [string] | ^[A-Za-z_][A-Za-z0-9_]*$ | [a](b::c) | [`BulkError`] | [x][y] | [r]: u"),
            vec![r"array of \[string\] | ^\[A-Za-z_\]\[A-Za-z0-9_\]*$ | [a](b::c) | [`BulkError`] | \[x\]\[y\] | \[r\]: u"]
        );
    }

    #[test]
    fn a_reference_definition_stays() {
        // An angle-bracketed destination is still a definition.
        assert_eq!(tidy("[r]: https://e.com"), vec!["[r]: <https://e.com>"]);
    }

    #[test]
    fn a_link_to_an_operation_id_keeps_its_text() {
        assert_eq!(
            tidy("(see [Retrieve results](getVisionExtract)) and [page](../../) and [m](Self::m)"),
            vec!["(see Retrieve results) and [page](../../) and [m](Self::m)"]
        );
    }

    #[test]
    fn tags_rustdoc_cannot_close_are_shown_as_text() {
        let doc = "inside <em> tags\nthe <indirectRelation> of <indirectExternalId>\n<b>bold</b> and <br> and <td>x</td>\n`<code>` stays";
        assert_eq!(
            tidy(doc),
            vec![
                "inside &lt;em> tags",
                "the &lt;indirectRelation> of &lt;indirectExternalId>",
                "<b>bold</b> and <br> and <td>x</td>",
                "`<code>` stays",
            ]
        );
    }

    #[test]
    fn unmatched_backticks_are_prose() {
        assert_eq!(tidy("a ` b [c] ``d`` e"), vec![r"a ` b \[c\] ``d`` e"]);
    }
}
