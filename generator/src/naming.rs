//! Rust names from spec names: always valid identifiers, decided once, with
//! collisions resolved deterministically (first come in sorted order keeps
//! the plain name, later ones get a suffix that says why).

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be plain identifiers (strict and reserved keywords of
/// every edition), plus names the generated crate defines itself.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names that would shadow the prelude or std names the generated code
/// uses, or that the API modules import from the runtime by name (a schema
/// called `Page` or `Error` would otherwise lose to the import there).
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Result",
    "Box",
    "Vec",
    "String",
    "Self",
    "Some",
    "None",
    "Ok",
    "Err",
    "Client",
    "Error",
    "Request",
    "Method",
    "Part",
    "Page",
    "BulkError",
    "BulkOptions",
];

/// `getDBs` → `getDbs`: a plural acronym reads as one word, where heck
/// would split it into `d_bs`.
fn soften_plural_acronyms(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        let plural = run >= 2
            && chars.get(i + run) == Some(&'s')
            && !chars
                .get(i + run + 1)
                .is_some_and(|c| c.is_ascii_lowercase());
        // `3DModels`: a digit and one capital form a word (`3d`), not `3_d`.
        let digit_word = i > 0 && chars[i - 1].is_ascii_digit() && chars[i].is_ascii_uppercase();
        if digit_word && !chars.get(i + 1).is_some_and(|c| c.is_ascii_lowercase()) {
            out.push(chars[i].to_ascii_lowercase());
            i += 1;
        } else if plural {
            out.push(chars[i]);
            out.extend(chars[i + 1..i + run].iter().map(|c| c.to_ascii_lowercase()));
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Non-ASCII characters spelled as words of their code point (`é` → `u e9`).
/// Rust accepts such identifiers, but serde's derive slices field names by
/// byte when it applies `rename_all` and panics on them, and ASCII names
/// read the same in every editor and terminal.
fn ascii_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!(" u{:x} ", c as u32));
        }
    }
    out
}

/// A PascalCase type name for a spec name such as `Annotations.Box` or `limit`.
pub fn type_name(raw: &str) -> String {
    let mut name = soften_plural_acronyms(&ascii_words(raw)).to_upper_camel_case();
    if name.is_empty() {
        name = "Unnamed".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// `3D Models` → `three D Models`: names that start with a digit read
/// better spelled out than prefixed.
pub fn spell_leading_digit(raw: &str) -> String {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    match raw.chars().next().and_then(|c| c.to_digit(10)) {
        Some(d) => format!("{} {}", WORDS[d as usize], &raw[1..]),
        None => raw.to_string(),
    }
}

/// A snake_case field or method name; keywords get a trailing underscore.
pub fn field_name(raw: &str) -> String {
    let mut name = soften_plural_acronyms(&ascii_words(raw)).to_snake_case();
    if name.is_empty() {
        name = "field".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) || name == "_" {
        name.push('_');
    }
    name
}

/// A PascalCase enum variant for a wire value such as `STRING`, `1m` or `a-b`.
pub fn variant_name(raw: &str) -> String {
    let mut name = ascii_words(&raw.replace("[]", " array")).to_upper_camel_case();
    if name.is_empty() {
        name = if raw.is_empty() {
            "Empty".into()
        } else {
            symbol_name(raw)
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" || name == "Other" {
        name.push('_');
    }
    name
}

/// A name for a value made only of symbols (`+`, `<=`, ...), from their code points.
fn symbol_name(raw: &str) -> String {
    let mut s = String::from("U");
    for c in raw.chars() {
        s.push_str(&format!("{:X}", c as u32));
    }
    s
}

/// A value's name that keeps its case, for values that collide after PascalCase
/// (`1m` and `1M`): characters that cannot stand in an identifier are dropped,
/// and the letter after them capitalised.
pub fn case_preserving_variant(raw: &str) -> String {
    let mut name = String::new();
    let mut upper_next = false;
    for c in ascii_words(&raw.replace("[]", " Array")).chars() {
        if !c.is_ascii_alphanumeric() {
            upper_next = true;
        } else if upper_next {
            name.push(c.to_ascii_uppercase());
            upper_next = false;
        } else {
            name.push(c);
        }
    }
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.insert(0, 'V');
    }
    name
}

/// Where one place of a type-name hint ends and the next, nested in it,
/// begins (see [`nested`]).
pub const SEGMENT: char = '\u{1f}';

/// Type names longer than this are shortened where the spec allows.
pub const LONG_NAME: usize = 40;

/// The hint of a type nested in `outer` at `place` (a property, a
/// variant): read as `outer` + `place`, with the boundary kept so that the
/// name of a deeply nested type can leave the middle places out.
pub fn nested(outer: &str, place: &str) -> String {
    format!("{outer}{SEGMENT}{place}")
}

/// The words of a type name: `AclScopeAll` → `Acl`, `Scope`, `All`.
pub fn words(name: &str) -> Vec<&str> {
    let starts: Vec<usize> = name
        .char_indices()
        .filter(|(i, c)| *i == 0 || c.is_ascii_uppercase())
        .map(|(i, _)| i)
        .chain([name.len()])
        .collect();
    starts.windows(2).map(|w| &name[w[0]..w[1]]).collect()
}

/// The last word of a type name (from its last capital): `AdminGroupId` → `Id`.
pub fn last_word(name: &str) -> &str {
    let start = name
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(0, |(i, _)| i);
    &name[start..]
}

/// The name of one element of a list named `plural`: `AssetIds` → `AssetId`,
/// `Policies` → `Policy`. `None` when the last word does not read as a
/// plural (`Status`, `Data`): the caller then appends `Item`.
pub fn singular(plural: &str) -> Option<String> {
    let (head, word) = plural.split_at(plural.len() - last_word(plural).len());
    let stem = if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        word[..word.len() - 2].to_string()
    } else if word.ends_with('s') && !["ss", "us", "is"].iter().any(|e| word.ends_with(e)) {
        word[..word.len() - 1].to_string()
    } else {
        return None;
    };
    // `Ys` or `S` alone: too short to be a word's plural.
    (stem.len() >= 2).then(|| format!("{head}{stem}"))
}

/// Shorter names for `inner` nested in `outer`, most specific first: the
/// first words of `outer` (at least half of them, and two) joined to
/// `inner`, with words the two share at the seam written once.
/// `IntractableDirectRelationsCursorNotice` › `Category` gives
/// `IntractableDirectRelationsCursorCategory` first;
/// `DocumentParserFileReference` › `FileInstanceId` gives
/// `DocumentParserFileInstanceId`.
pub fn outer_prefixes(outer: &str, inner: &str) -> Vec<String> {
    const JOINING: &[&str] = &[
        "And", "At", "By", "For", "From", "In", "Of", "On", "Or", "To", "With",
    ];
    let outer_words = words(outer);
    let inner_words = words(inner);
    let fewest = 2.max(outer_words.len().div_ceil(2));
    let mut names: Vec<String> = (fewest..outer_words.len())
        .rev()
        // Not `…With` + inner, and not `A` of `AOrB`: a cut there changes
        // what the name says.
        .filter(|&keep| {
            !JOINING.contains(&outer_words[keep - 1]) && !["Or", "And"].contains(&outer_words[keep])
        })
        .map(|keep| {
            let head = &outer_words[..keep];
            let seam = (1..=head.len().min(inner_words.len()))
                .rev()
                .find(|&k| head[head.len() - k..] == inner_words[..k])
                .unwrap_or(0);
            let mut name = head.concat();
            name.push_str(&inner_words[seam..].concat());
            name
        })
        .filter(|name| name != outer)
        .collect();
    names.dedup();
    names
}

/// The name a person gave an operation whose id FastAPI generated:
/// `{function}{path}_{method}`, the path's non-word characters made `_`
/// (`filter_simulators_simulators_list_post` for `filter_simulators` at
/// `POST /simulators/list`). `None` for any other id.
pub fn fastapi_stem<'a>(operation_id: &'a str, path: &str, method: &str) -> Option<&'a str> {
    let mut suffix: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    suffix.push('_');
    suffix.push_str(method);
    operation_id
        .strip_suffix(&suffix)
        .filter(|stem| stem.chars().any(char::is_alphanumeric))
}

/// Hands out unique names within one scope (a module, a struct, an enum).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn with_reserved(names: &[&str]) -> Self {
        Scope {
            taken: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// `want` if free, else `want` + the first free number from 2.
    pub fn claim(&mut self, want: &str) -> String {
        if self.taken.insert(want.to_string()) {
            return want.to_string();
        }
        let mut n = 2;
        loop {
            let candidate = format!("{want}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// serde's `rename_all = "camelCase"` applied to a snake_case field name, so
/// the emitter only writes a `rename` where the two disagree.
pub fn serde_camel_case(field: &str) -> String {
    let mut pascal = String::new();
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    match pascal.chars().next() {
        Some(first) => first.to_ascii_lowercase().to_string() + &pascal[first.len_utf8()..],
        None => pascal,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fastapi_ids_give_their_function_name() {
        use super::fastapi_stem as stem;
        assert_eq!(
            stem(
                "filter_simulators_simulators_list_post",
                "/simulators/list",
                "post"
            ),
            Some("filter_simulators")
        );
        assert_eq!(
            stem("read_item_items__item_id__get", "/items/{item_id}", "get"),
            Some("read_item")
        );
        assert_eq!(stem("listAssets", "/assets", "get"), None);
        assert_eq!(
            stem("_simulators_list_post", "/simulators/list", "post"),
            None
        );
        assert_eq!(
            stem("x_simulators_list_get", "/simulators/list", "post"),
            None
        );
    }

    #[test]
    fn outer_prefixes_keep_the_first_words_and_merge_the_seam() {
        use super::outer_prefixes;
        assert_eq!(
            outer_prefixes("IntractableDirectRelationsCursorNotice", "Category"),
            [
                "IntractableDirectRelationsCursorCategory",
                "IntractableDirectRelationsCategory",
            ]
        );
        assert_eq!(
            outer_prefixes("DocumentParserFileReference", "FileInstanceId"),
            ["DocumentParserFileInstanceId"]
        );
        // The whole of `inner` at the seam gives `outer` back, which is taken.
        assert_eq!(
            outer_prefixes("AssetCardinalityPropertiesAggregate", "Aggregate"),
            ["AssetCardinalityAggregate"]
        );
        assert!(outer_prefixes("AssetFilter", "Name").is_empty());
        // Never cut before `Or`, nor after a joining word.
        assert_eq!(
            outer_prefixes("GroupMembershipManagedExternallyOrInCdf", "Members"),
            Vec::<String>::new()
        );
        assert_eq!(
            outer_prefixes("IntractableCursorWithNestedFilterNotice", "Code"),
            [
                "IntractableCursorWithNestedFilterCode",
                "IntractableCursorWithNestedCode"
            ]
        );
    }

    #[test]
    fn singular_reads_the_last_word_only() {
        let cases = [
            ("DataResourceIdsItems", Some("DataResourceIdsItem")),
            ("GroupPolicies", Some("GroupPolicy")),
            ("TaxBoxes", Some("TaxBox")),
            ("ClassAddresses", Some("ClassAddress")),
            ("JobStatus", None),
            ("RowData", None),
            ("Access", None),
            ("Analysis", None),
            ("Xs", None),
        ];
        for (plural, want) in cases {
            assert_eq!(super::singular(plural).as_deref(), want, "{plural}");
        }
    }

    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(type_name("Annotations.Box"), "AnnotationsBox");
        assert_eq!(type_name("limit"), "Limit");
        assert_eq!(type_name("GetSequenceColumnDTO"), "GetSequenceColumnDto");
        assert_eq!(type_name("1d"), "T1d");
        assert_eq!(type_name("Self"), "SelfType");
        assert_eq!(type_name(""), "Unnamed");
    }

    #[test]
    fn leading_digits_are_spelled() {
        assert_eq!(
            field_name(&spell_leading_digit("3D Models")),
            "three_d_models"
        );
        assert_eq!(
            type_name(&spell_leading_digit("3D Models api")),
            "ThreeDModelsApi"
        );
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("externalId"), "external_id");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("_"), "field");
        assert_eq!(field_name("$id"), "id");
        assert_eq!(field_name("3d"), "_3d");
        assert_eq!(field_name("getDBs"), "get_dbs");
        assert_eq!(field_name("byIDs"), "by_ids");
        assert_eq!(field_name("HTTPServer"), "http_server");
        assert_eq!(field_name("get3DMappings"), "get3d_mappings");
        assert_eq!(field_name("list3D"), "list3d");
        assert_eq!(field_name("version2Beta"), "version2_beta");
        assert_eq!(type_name("ListACLsResponse"), "ListAclsResponse");
    }

    #[test]
    fn variants() {
        assert_eq!(variant_name("STRING"), "String");
        assert_eq!(variant_name("1m"), "V1m");
        assert_eq!(variant_name("<="), "U3C3D");
        assert_eq!(case_preserving_variant("1M"), "V1M");
        assert_eq!(case_preserving_variant("a-b"), "VaB");
        assert_eq!(variant_name("TEXT[]"), "TextArray");
    }

    #[test]
    fn camel_case_matches_serde() {
        assert_eq!(serde_camel_case("external_id"), "externalId");
        assert_eq!(serde_camel_case("type_"), "type");
        assert_eq!(serde_camel_case("_3d"), "3d");
    }

    #[test]
    fn scope_numbers_collisions() {
        let mut s = Scope::default();
        assert_eq!(s.claim("Limit"), "Limit");
        assert_eq!(s.claim("Limit"), "Limit2");
        assert_eq!(s.claim("Limit"), "Limit3");
    }
}
