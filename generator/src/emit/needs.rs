//! What a hand-written example or test needs from the generated crate,
//! read from its own code, and the crate's name put into it.
//!
//! The examples under `templates/client/` are written against CDF's API.
//! Whether one belongs in a crate is whether it would compile there: every
//! type it takes from `types` or `api` must exist, and every API method it
//! calls decides a Cargo feature it needs. Both are read from the file's
//! syntax tree, so an example cannot drift from a list kept beside it. The
//! crate's name is written where the file names the crate, as a token: only
//! identifiers `cdf_client` change, never text in a comment or a string.
//! (Their places are found by a scan of our own: proc-macro2's span
//! locations would do it, but that feature costs every generation about 10%
//! more peak memory, measured on CDF, Vercel and Cloudflare.)

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use syn::visit::Visit;

/// The name the templates use for the generated crate.
pub const TEMPLATE_CRATE: &str = "cdf_client";

/// Names in the prelude and the language that a file uses without a `use`.
const PRELUDE: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "From",
    "Into",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Debug",
    "Drop",
    "AsRef",
];

/// What a file takes from the crate.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Types it names from `types` (by glob or by name) or from `api`.
    pub types: BTreeSet<String>,
    /// Every method it calls; those that are API methods decide features.
    pub methods: BTreeSet<String>,
    /// Modules of the crate's `runtime` it names (some are only in crates
    /// whose profile asks for them).
    pub runtime: BTreeSet<String>,
}

/// Reads `text` (a Rust file); `Err` with syn's message when it is not one.
pub fn of(text: &str) -> Result<Needs, String> {
    let file = syn::parse_file(text).map_err(|e| e.to_string())?;
    let mut v = Reader::default();
    v.visit_file(&file);
    let types = v
        .named
        .into_iter()
        .filter(|n| {
            !v.local.contains(n) && !v.imported.contains(n) && !PRELUDE.contains(&n.as_str())
        })
        .chain(v.from_crate)
        .collect();
    Ok(Needs {
        types,
        methods: v.methods,
        runtime: v.runtime,
    })
}

#[derive(Default)]
struct Reader {
    /// Capitalised first segments of paths: types, if nothing else.
    named: BTreeSet<String>,
    /// Types, traits, constants and generic parameters the file defines.
    local: BTreeSet<String>,
    /// Names a `use` brings from elsewhere (other crates, the runtime).
    imported: BTreeSet<String>,
    /// Names taken explicitly from the crate's `types` or `api`.
    from_crate: BTreeSet<String>,
    methods: BTreeSet<String>,
    runtime: BTreeSet<String>,
}

impl<'ast> Visit<'ast> for Reader {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&item.tree, &mut Vec::new());
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segments.as_slice() {
            [root, module, name, ..] if root == TEMPLATE_CRATE && is_generated(module) => {
                self.from_crate.insert(name.clone());
            }
            [root, module, name, ..] if root == TEMPLATE_CRATE && module == RUNTIME => {
                self.runtime.insert(name.clone());
            }
            [first, ..] if path.leading_colon.is_none() && starts_upper(first) => {
                self.named.insert(first.clone());
            }
            _ => {}
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.methods.insert(call.method.to_string());
        syn::visit::visit_expr_method_call(self, call);
    }

    /// `vec![..]`, `println!(..)`, `assert_eq!(..)`: arguments that are
    /// expressions are read like any others.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        use syn::parse::Parser;
        let args = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(exprs) = args.parse2(mac.tokens.clone()) {
            exprs.iter().for_each(|e| self.visit_expr(e));
        }
        syn::visit::visit_macro(self, mac);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.local.insert(item.ident.to_string());
        syn::visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.local.insert(item.ident.to_string());
        syn::visit::visit_item_enum(self, item);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.local.insert(item.ident.to_string());
        syn::visit::visit_item_type(self, item);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.local.insert(item.ident.to_string());
        syn::visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.local.insert(item.ident.to_string());
        syn::visit::visit_item_static(self, item);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.local.insert(item.ident.to_string());
        syn::visit::visit_item_trait(self, item);
    }

    fn visit_const_param(&mut self, param: &'ast syn::ConstParam) {
        self.local.insert(param.ident.to_string());
        syn::visit::visit_const_param(self, param);
    }

    fn visit_type_param(&mut self, param: &'ast syn::TypeParam) {
        self.local.insert(param.ident.to_string());
        syn::visit::visit_type_param(self, param);
    }
}

impl Reader {
    /// Notes the runtime module a `use` path (`at`, then `name`) reaches.
    fn runtime_at(&mut self, at: &[String], name: Option<&String>) {
        let mut path = at.iter().chain(name);
        let (root, module) = (path.next(), path.next());
        if root.is_some_and(|r| r == TEMPLATE_CRATE) && module.is_some_and(|m| m == RUNTIME) {
            self.runtime.extend(path.next().cloned());
        }
    }

    /// Records what one `use` tree brings in; `at` is the path so far.
    fn use_tree(&mut self, tree: &syn::UseTree, at: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => {
                at.push(p.ident.to_string());
                self.use_tree(&p.tree, at);
                at.pop();
            }
            syn::UseTree::Name(n) => self.used(at, n.ident.to_string(), None),
            syn::UseTree::Rename(r) => {
                self.used(at, r.ident.to_string(), Some(r.rename.to_string()));
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(t, at)),
            // A glob from the crate's `types` leaves its names to be read
            // where they are used; a glob of an enum's variants needs the
            // enum; any other glob brings nothing named here.
            syn::UseTree::Glob(_) => match at.as_slice() {
                [root, module, ..] if root == TEMPLATE_CRATE && module == RUNTIME => {
                    self.runtime_at(at, None);
                }
                [root, module, ty, ..] if root == TEMPLATE_CRATE && is_generated(module) => {
                    self.from_crate.insert(ty.clone());
                }
                _ => {}
            },
        }
    }

    fn used(&mut self, at: &[String], name: String, rename: Option<String>) {
        self.runtime_at(at, Some(&name));
        let generated =
            matches!(at, [root, module] if root == TEMPLATE_CRATE && is_generated(module));
        if generated {
            self.from_crate.insert(name.clone());
        }
        self.imported.insert(rename.unwrap_or(name));
    }
}

/// The crate's hand-written module.
const RUNTIME: &str = "runtime";

fn is_generated(module: &str) -> bool {
    module == "types" || module == "api"
}

fn starts_upper(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// `text` with every identifier `cdf_client` made `lib`: found by a
/// scan that skips comments, string, byte-string, raw-string and character
/// literals and reads identifiers whole, so text in a comment or a string
/// and longer identifiers stay as they are. `text` must lex as Rust.
pub fn with_crate_name(text: &str, lib: &str) -> Result<String, String> {
    text.parse::<TokenStream>()
        .map_err(|e: proc_macro2::LexError| e.to_string())?;
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        i = match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => text[i..].find('\n').map_or(b.len(), |n| i + n),
            b'/' if b.get(i + 1) == Some(&b'*') => block_comment_end(b, i),
            b'"' => quoted_end(b, i + 1, b'"'),
            b'\'' => char_or_lifetime_end(text, i),
            c if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                let end = ident_end(b, i);
                let word = &text[i..end];
                let raw_string = matches!(word, "r" | "br" | "b" | "c" | "cr")
                    && matches!(b.get(end), Some(b'"' | b'#'));
                if raw_string {
                    literal_end(b, end, word.ends_with('r'))
                } else {
                    if word == TEMPLATE_CRATE {
                        out.push_str(&text[copied..i]);
                        out.push_str(lib);
                        copied = end;
                    }
                    end
                }
            }
            _ => i + 1,
        };
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric() || b[i] >= 0x80) {
        i += 1;
    }
    i
}

/// After `b"`, `r#"` and the like: `raw` literals have no escapes and end
/// at `"` followed by as many `#` as they opened with.
fn literal_end(b: &[u8], mut i: usize, raw: bool) -> usize {
    if !raw {
        return quoted_end(b, i + 1, b'"');
    }
    let hashes = b[i..].iter().take_while(|c| **c == b'#').count();
    i += hashes + 1;
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    b.len()
}

/// The end of a literal closed by `close`, with `\` escapes.
fn quoted_end(b: &[u8], mut i: usize, close: u8) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == close => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Block comments nest in Rust.
fn block_comment_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// `'x'`, `'\n'` and `'é'` are characters; `'a` is a lifetime, whose name
/// is then read as an identifier.
fn char_or_lifetime_end(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    if b.get(i + 1) == Some(&b'\\') {
        return quoted_end(b, i + 1, b'\'');
    }
    let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
    if b.get(i + 1 + width) == Some(&b'\'') {
        i + 2 + width
    } else {
        i + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r##"//! Uses cdf_client.
use cdf_client::types::*;
use cdf_client::api::{GetTablesParams, ListSequencesParams as Lsp};
use cdf_client::{BulkOptions, Client};
use cdf_client::runtime::datapoints::{self, SeriesId};
use std::time::Duration;

struct Local<T> { t: T }
const LIMIT: usize = 3;

fn main() -> Result<(), cdf_client::Error> {
    let s = "cdf_client \" cdf_client";
    let r = r#"cdf_client " cdf_client"#;
    /* cdf_client /* nested cdf_client */ cdf_client */
    let c = ('"', 'é', '\'', b'x');
    fn f<'cdf>(x: &'cdf str) {}
    let x: Option<GetSequenceDto> = None;
    let v = vec![SequenceValueTypeEnum::String];
    let my_cdf_client = LIMIT;
    client.sequences().advanced_list_sequences_stream(Duration::from_secs(1));
    let _ = cdf_client::types::DataGroup::default();
    let _ = cdf_client::runtime::bulk::BulkOptions::default();
    Ok(())
}
"##;

    #[test]
    fn reads_the_types_and_methods_a_file_needs() {
        let needs = of(FILE).unwrap();
        let types: Vec<&str> = needs.types.iter().map(String::as_str).collect();
        assert_eq!(
            types,
            [
                "DataGroup",
                "GetSequenceDto",
                "GetTablesParams",
                "ListSequencesParams",
                "SequenceValueTypeEnum"
            ]
        );
        assert!(needs.methods.contains("advanced_list_sequences_stream"));
        assert!(needs.methods.contains("sequences"));
        let runtime: Vec<&str> = needs.runtime.iter().map(String::as_str).collect();
        assert_eq!(runtime, ["bulk", "datapoints"]);
    }

    #[test]
    fn renames_the_crate_as_a_token_only() {
        let out = with_crate_name(FILE, "their_api").unwrap();
        assert!(
            out.starts_with("//! Uses cdf_client.\nuse their_api::types::*;"),
            "{out}"
        );
        assert!(out.contains("Result<(), their_api::Error>"), "{out}");
        assert!(
            out.contains(r#"let s = "cdf_client \" cdf_client";"#),
            "{out}"
        );
        assert!(
            out.contains(r##"let r = r#"cdf_client " cdf_client"#;"##),
            "{out}"
        );
        assert!(
            out.contains("/* cdf_client /* nested cdf_client */ cdf_client */"),
            "{out}"
        );
        assert!(out.contains("let my_cdf_client = LIMIT;"), "{out}");
        assert!(
            out.contains("let _ = their_api::types::DataGroup::default();"),
            "{out}"
        );
        assert_eq!(out.matches("their_api").count(), 7, "{out}");
    }
}
