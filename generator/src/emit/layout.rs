//! Blank lines between items. prettyplease prints items back to back;
//! a reader (and rustfmt, which keeps them) expects one blank line between
//! two items, so it is put in after formatting, from the text alone.

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
    "setter!",
    "string_enum!",
    "struct_de!",
];

/// One blank line before each item that follows the end of another at the
/// same indentation; consecutive `use` lines, and consecutive setters,
/// stay together.
pub fn separate_items(text: &str) -> String {
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
    matches!(trimmed, "}" | "};" | "];" | ");")
        || (code && trimmed.ends_with(';') && starts_item(line))
}

/// The kind of one-line item that stands in a group without blank lines.
fn group(line: &str) -> Option<&'static str> {
    let trimmed = line.trim_start();
    if trimmed.starts_with("use ") || trimmed.starts_with("pub use ") {
        Some("use")
    } else if trimmed.starts_with("setter!(") && trimmed.ends_with(");") {
        Some("setter")
    } else {
        None
    }
}

fn starts_item(line: &str) -> bool {
    let trimmed = line.trim_start();
    ITEM_STARTS.iter().any(|s| trimmed.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::separate_items;

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
