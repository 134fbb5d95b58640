//! What prettyplease leaves for a reader to mend, mended from the text
//! alone after formatting: it prints items back to back, where a reader
//! (and rustfmt, which keeps them) expects one blank line between two
//! items; it breaks a macro's arguments wherever a line is full, even
//! inside one field's `opt asset_id = "assetId"`; and it spaces a macro's
//! generic types (`Vec < Item >`).

/// The text as a reader expects it: item macros' argument lists broken
/// between entries, their generic types tight, and blank lines between
/// items.
pub fn tidy(text: &str) -> String {
    separate_items(&reflow_item_macros(text))
}

/// How an item of Rust source can begin, after its indentation.
const ITEM_STARTS: &[&str] = &[
    "#[",
    "///",
    "pub ",
    "pub(",
    "impl ",
    "impl<",
    "fn ",
    "async fn ",
    "const ",
    "static ",
    "struct ",
    "enum ",
    "type ",
    "mod ",
    "trait ",
    "unsafe ",
    "macro_rules!",
    "use ",
    "crate::",
];

/// rustfmt's line width, which the reflowed lists keep to.
const WIDTH: usize = 100;

/// Each multi-line call of an [`ITEM_MACROS`] macro, its arguments
/// re-broken only after a comma that separates two entries.
fn reflow_item_macros(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let call = item_macro_call(line);
        match call {
            Some(args) if !args.is_empty() => out.push_str(&tight_generics(line)),
            _ => out.push_str(line),
        }
        out.push('\n');
        if call != Some("") {
            continue;
        }
        let indent = &line[..indent(line)];
        let close = format!("{indent});");
        let mut args: Vec<&str> = Vec::new();
        let mut closed = false;
        for inner in lines.by_ref() {
            if inner == close {
                let joined = args.iter().map(|a| a.trim()).collect::<Vec<_>>().join(" ");
                let joined = tight_generics(&joined);
                pack(&entries(&joined), &format!("{indent}    "), &mut out);
                out.push_str(inner);
                out.push('\n');
                closed = true;
                break;
            }
            args.push(inner);
        }
        // A call that never closes at its own indentation is left as it was.
        if !closed {
            for arg in args {
                out.push_str(arg);
                out.push('\n');
            }
        }
    }
    out
}

/// `Vec < Item >` as `Vec<Item>`: prettyplease prints a macro's tokens
/// spaced, not knowing which `<` opens generics. In an item macro's
/// arguments, outside string literals, every `<` and `>` is a type's.
fn tight_generics(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = code_chars(text).peekable();
    while let Some((_, c, code)) = chars.next() {
        let next = chars.peek().map(|(_, n, _)| *n);
        let spaced = code && c == ' ';
        if spaced && matches!(next, Some('<' | '>')) && !out.ends_with(['-', '=']) {
            continue;
        }
        if spaced && out.ends_with('<') {
            continue;
        }
        out.push(c);
    }
    out
}

/// Each character of `text` with its byte offset, and whether it is code:
/// outside string literals (a literal's quotes are part of it).
fn code_chars(text: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    text.char_indices().map(move |(i, c)| {
        let code = !in_string && c != '"';
        if escaped {
            escaped = false;
        } else if in_string && c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_string = !in_string;
        }
        (i, c, code)
    })
}

/// The text split after each comma that separates entries: outside
/// string literals, and inside at most one bracket (the list), so a
/// closure's `Self::from(a, b)` or a type's `Map<K, V>` stays whole.
fn entries(text: &str) -> Vec<&str> {
    let (mut parts, mut start, mut depth) = (Vec::new(), 0, 0usize);
    let mut previous = ' ';
    for (i, c, code) in code_chars(text) {
        let before = std::mem::replace(&mut previous, c);
        if !code {
            continue;
        }
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            '>' if matches!(before, '-' | '=') => {}
            ')' | ']' | '}' | '>' => depth = depth.saturating_sub(1),
            ',' if depth <= 1 => {
                parts.push(text[start..=i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// The entries on as few lines of at most [`WIDTH`] columns as they fit.
fn pack(entries: &[&str], indent: &str, out: &mut String) {
    let mut line = String::new();
    for entry in entries {
        if !line.is_empty() && indent.len() + line.len() + 1 + entry.len() > WIDTH {
            out.push_str(&format!("{indent}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(entry);
    }
    if !line.is_empty() {
        out.push_str(&format!("{indent}{line}\n"));
    }
}

/// One blank line before each item that follows the end of another at the
/// same indentation; consecutive `use` lines, and consecutive setters,
/// stay together.
fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous: Option<&str> = None;
    for line in text.lines() {
        if let Some(prev) = previous {
            let grouped = group(prev).is_some() && group(prev) == group(line);
            if ends_item(prev) && starts_item(line) && !grouped && indent(prev) == indent(line) {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        previous = Some(line);
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The last line of an item: a closing brace or bracket, or a one-line
/// item that ends in `;`.
fn ends_item(line: &str) -> bool {
    let trimmed = line.trim_start();
    let code = !trimmed.starts_with("//") && !trimmed.starts_with("#[");
    matches!(trimmed, "}" | "};" | "];" | ");" | "));")
        || (code && trimmed.ends_with(';') && starts_item(line))
}

/// The kind of one-line item that stands in a group without blank lines.
fn group(line: &str) -> Option<&'static str> {
    let trimmed = line.trim_start();
    if trimmed.starts_with("use ") || trimmed.starts_with("pub use ") {
        Some("use")
    } else if item_macro(line) == Some("setter") && trimmed.ends_with(");") {
        Some("setter")
    } else {
        None
    }
}

/// The runtime's macros that the generated files call where an item
/// stands (`templates/src`); a test checks that the runtime defines each.
/// Other macro calls (`assert!`) are statements and get no blank line.
const ITEM_MACROS: &[&str] = &[
    "constructor",
    "conversions",
    "serde_struct",
    "setter",
    "string_enum",
    "union_de",
];

/// The [`ITEM_MACROS`] macro a line calls, if it starts with such a call.
fn item_macro(line: &str) -> Option<&'static str> {
    let trimmed = line.trim_start();
    ITEM_MACROS
        .iter()
        .copied()
        .find(|m| trimmed.strip_prefix(m).is_some_and(|r| r.starts_with("!(")))
}

/// What follows `name!(` on a line that calls an [`ITEM_MACROS`] macro:
/// empty when the call's arguments start on the next line.
fn item_macro_call(line: &str) -> Option<&str> {
    let m = item_macro(line)?;
    let trimmed = line.trim_start();
    Some(&trimmed[m.len() + 2..])
}

fn starts_item(line: &str) -> bool {
    let trimmed = line.trim_start();
    ITEM_STARTS.iter().any(|s| trimmed.starts_with(s)) || item_macro(line).is_some()
}

#[cfg(test)]
mod tests {
    use super::{reflow_item_macros, separate_items, ITEM_MACROS};

    #[test]
    fn generics_in_item_macros_are_written_tight() {
        let text = "    setter!(matches, Vec < Vec < f64 > >);\n    setter!(s, into String);\nstring_enum!(Op { Lt = \"a < b\" });\nlet x = a < b;\n";
        let want = "    setter!(matches, Vec<Vec<f64>>);\n    setter!(s, into String);\nstring_enum!(Op { Lt = \"a < b\" });\nlet x = a < b;\n";
        assert_eq!(reflow_item_macros(text), want);
        let long = format!(
            "union_de!(\n    U, untagged(1), [A(OBJECT, 2, [\"{}\"]),\n    B(ARRAY, 3, [])]\n);\n",
            "k".repeat(80)
        );
        assert!(!reflow_item_macros(&long).contains(" <"));
        let map = "constructor!(\n    [m(serde_json::Map < String, serde_json::Value >)], []\n);\n";
        let want = "constructor!(\n    [m(serde_json::Map<String, serde_json::Value>)], []\n);\n";
        assert_eq!(reflow_item_macros(map), want);
    }

    #[test]
    fn item_macros_are_the_runtimes() {
        let runtime: String = crate::emit::runtime::MODULES
            .iter()
            .map(|(_, text)| *text)
            .collect();
        for name in ITEM_MACROS {
            assert!(
                runtime.contains(&format!("macro_rules! {name} {{")),
                "{name}"
            );
        }
    }

    #[test]
    fn items_get_one_blank_line_and_statements_none() {
        let text = "use a::b;\nuse c::d;\n#[derive(Debug)]\npub struct A {\n    x: i32,\n}\nimpl A {\n    fn f() {\n        if x {\n        }\n        let y = 1;\n    }\n    pub fn g() {}\n}\npub type B = A;\nconst C: i32 = 1;\n";
        let expected = "use a::b;\nuse c::d;\n\n#[derive(Debug)]\npub struct A {\n    x: i32,\n}\n\nimpl A {\n    fn f() {\n        if x {\n        }\n        let y = 1;\n    }\n\n    pub fn g() {}\n}\n\npub type B = A;\n\nconst C: i32 = 1;\n";
        assert_eq!(separate_items(text), expected);
    }

    #[test]
    fn setters_stay_together_and_a_macro_item_is_set_apart() {
        let text = "impl A {\n    pub fn new() -> Self {\n    }\n    setter!(a, i32);\n    setter!(b, into String);\n}\n#[cfg(x)]\nstring_enum!(E { A = \"a\" });\npub struct B;\n";
        let expected = "impl A {\n    pub fn new() -> Self {\n    }\n\n    setter!(a, i32);\n    setter!(b, into String);\n}\n\n#[cfg(x)]\nstring_enum!(E { A = \"a\" });\n\npub struct B;\n";
        assert_eq!(separate_items(text), expected);
    }

    #[test]
    fn item_macro_lists_break_between_entries_only() {
        let text = "serde_struct!(\n    Dto, [opt name = \"name\", opt asset_id =\n    \"a,b\\\"\", req columns = \"columns\"]\n);\n";
        let narrow: String = reflow_item_macros(text)
            .lines()
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(narrow, text.replace(" =\n    \"a", " = \"a"));
        let long = format!(
            "serde_struct!(\n    Dto, [{}]\n);\n",
            ["opt abcdefgh = \"abcdefgh\""; 5].join(", ")
        );
        let expected = format!(
            "serde_struct!(\n    Dto, [{},\n    {}]\n);\n",
            ["opt abcdefgh = \"abcdefgh\""; 3].join(", "),
            ["opt abcdefgh = \"abcdefgh\""; 2].join(", ")
        );
        assert_eq!(reflow_item_macros(&long), expected);
        // A comma inside an entry's own brackets does not end it.
        let nested = "conversions!(\n    Id { Many(Map < A,\n    B >), Id(i64) }\n);\n";
        let flowed = reflow_item_macros(nested);
        assert!(
            flowed.contains("    Id { Many(Map<A, B>), Id(i64) }\n"),
            "{flowed}"
        );
        // Other calls, text without any, and a call that never closes pass through.
        let other = "assert!(\n    a, b =\n    c\n);\n";
        assert_eq!(reflow_item_macros(other), other);
        let open = "setter!(\n    a,\n    b\n";
        assert_eq!(reflow_item_macros(open), open);
    }

    #[test]
    fn doc_comments_stay_whole() {
        let text = "/// Constraints enforce that;\n/// * this\n#[cfg(x)]\npub struct A;\n";
        assert_eq!(separate_items(text), text);
    }

    #[test]
    fn formatted_text_is_not_changed_twice() {
        let once = separate_items("fn a() {\n}\nfn b() {\n}\n");
        assert_eq!(separate_items(&once), once);
    }
}
