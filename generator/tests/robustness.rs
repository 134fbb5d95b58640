//! The generator against bad input: hand-written hostile specs
//! (`spec/fixtures/bad/`) and random mutations of every fixture. It must
//! answer with output or with an error that names the place, never panic.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use serde_json::{json, Value};

use cdf_codegen::{generate, CrateOptions};

/// Generates from `text`; `Err` is the generator's error text, and a panic
/// is turned into a test failure naming the input.
fn outcome(text: &str, what: &str) -> Result<cdf_codegen::Generated, String> {
    match catch_unwind(AssertUnwindSafe(|| {
        generate(text, &CrateOptions::default())
    })) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{what}: the generator panicked: {message}");
        }
    }
}

/// Every file of a generated crate is Rust that parses.
fn assert_parses(g: &cdf_codegen::Generated, what: &str) {
    for (path, text) in g.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        if let Err(e) = syn::parse_file(text) {
            panic!("{what}: generated {path} does not parse: {e}");
        }
    }
}

/// What each file in `spec/fixtures/bad/` must give: generated code, or an
/// error holding every one of these fragments (a place and the reason).
const EXPECTED: &[(&str, Option<&[&str]>)] = &[
    (
        "bad-ref-syntax.yaml",
        Some(&["/components/schemas/A", "http://example.invalid"]),
    ),
    (
        "deep-nesting.json",
        Some(&["JSON", "line 1", "recursion limit"]),
    ),
    ("deep-schema.json", None),
    (
        "duplicate-key.json",
        Some(&["JSON", "line 7", "key `A` appears twice"]),
    ),
    ("duplicate-key.yaml", Some(&["YAML", "line 6", "duplicate"])),
    ("empty.yaml", Some(&["not an OpenAPI document", "empty"])),
    (
        "not-utf8.yaml",
        Some(&["UTF-8", "line 6", "column 40", "0xe9"]),
    ),
    (
        "operation-bad-param.yaml",
        Some(&["/paths/~1a~1{id}/get/parameters/0", "nowhere"]),
    ),
    ("ref-cycle.yaml", Some(&["/components/schemas/", "cycle"])),
    ("retyped.yaml", Some(&["/paths"])),
    (
        "scalar.json",
        Some(&["not an OpenAPI document", "a number"]),
    ),
    ("self-ref.yaml", Some(&["/components/schemas/A", "cycle"])),
    (
        "swagger2.json",
        Some(&[
            "/swagger",
            "Swagger 2.0 document",
            "OpenAPI 3.0 and 3.1",
            "Convert it",
        ]),
    ),
    ("wrong-version.yaml", Some(&["4.0.0"])),
    ("yaml-bomb.yaml", Some(&["YAML", "repetition limit"])),
];

#[test]
fn bad_inputs_fail_with_their_place_never_a_panic() {
    let dir = common::workspace().join("spec/fixtures/bad");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") || n.ends_with(".yaml"))
        .collect();
    files.sort();
    let listed: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        files, listed,
        "every file in spec/fixtures/bad has an expectation"
    );
    let mut report = Vec::new();
    for (file, expected) in EXPECTED {
        let path = dir.join(file);
        let result = cdf_codegen::load::read_spec(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| outcome(&text, file));
        match (result, expected) {
            (Ok(g), None) => assert_parses(&g, file),
            (Err(e), Some(fragments)) => {
                let missing: Vec<&&str> = fragments.iter().filter(|f| !e.contains(**f)).collect();
                if !missing.is_empty() {
                    report.push(format!("{file}: error lacks {missing:?}: {e}"));
                }
            }
            (Ok(_), Some(_)) => report.push(format!("{file}: generated, but should fail")),
            (Err(e), None) => report.push(format!("{file}: should generate, got: {e}")),
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// One change to a document: the `target`-th node (in document order) is
/// deleted, retyped, pointed elsewhere, renamed or buried deep.
#[derive(Debug, Clone)]
struct Mutation {
    target: usize,
    kind: u8,
    pick: usize,
}

const HOSTILE_NAMES: &[&str] = &[
    "", "type", "self", "Self", "crate", "match", "1", "é", "*/", "\"#", "`", "#[x]", "a b", "_",
    "r#type", "\u{0}", "ø/~",
];

const SCALARS: &[&str] = &[
    "null",
    "true",
    "0",
    "-1",
    "1.5e300",
    "\"\"",
    "\"x\"",
    "\"*/ \\\"# `\"",
    "[]",
    "{}",
];

/// Every node's path from the root, in document order.
fn paths(value: &Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(here.clone());
    let children: Vec<(String, &Value)> = match value {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (key, child) in children {
        here.push(key);
        paths(child, here, out);
        here.pop();
    }
}

fn parent_mut<'a>(root: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |node, key| match node {
        Value::Object(m) => m.get_mut(key),
        Value::Array(a) => a.get_mut(key.parse::<usize>().ok()?),
        _ => None,
    })
}

fn mutate(doc: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    let path = all[m.target % all.len()].clone();
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let schemas: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let Some(parent) = parent_mut(doc, parent_path) else {
        return;
    };
    let replacement = match m.kind % 7 {
        0 => None,
        1 => serde_json::from_str(SCALARS[m.pick % SCALARS.len()]).ok(),
        2 => Some(json!({"$ref": "#/components/schemas/DoesNotExist"})),
        3 if !schemas.is_empty() => Some(json!({
            "$ref": format!("#/components/schemas/{}", schemas[m.pick % schemas.len()])
        })),
        4 => {
            if let Value::Object(map) = parent {
                if let Some(v) = map.shift_remove(last) {
                    map.insert(HOSTILE_NAMES[m.pick % HOSTILE_NAMES.len()].to_string(), v);
                }
            }
            return;
        }
        5 => {
            let mut deep = json!({"type": "string"});
            for i in 0..(m.pick % 40) {
                deep = if i % 2 == 0 {
                    json!({"allOf": [deep]})
                } else {
                    json!({"type": "object", "properties": {"p": deep}})
                };
            }
            Some(deep)
        }
        _ => Some(json!({"oneOf": [{"type": "string"}, {"type": ["integer", "null"]}, {}]})),
    };
    match (parent, replacement) {
        (Value::Object(map), None) => {
            map.shift_remove(last);
        }
        (Value::Array(items), None) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        (Value::Object(map), Some(v)) => {
            map.insert(last.clone(), v);
        }
        (Value::Array(items), Some(v)) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = v;
            }
        }
        _ => {}
    }
}

fn fixture_docs() -> Vec<(String, Value)> {
    common::fixtures()
        .into_iter()
        .map(|(name, path)| {
            let text = std::fs::read_to_string(&path).unwrap();
            (name, cdf_codegen::load::parse_text(&text).unwrap())
        })
        .collect()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (any::<usize>(), any::<u8>(), any::<usize>()).prop_map(|(target, kind, pick)| Mutation {
        target,
        kind,
        pick,
    })
}

/// Cases per run: `PROPTEST_CASES` for a longer hunt; CI's default keeps
/// the test to seconds.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(96)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..ProptestConfig::default()
    })]

    /// Mutated fixtures, in JSON and in YAML: output that parses as Rust,
    /// or an error naming a place. Never a panic.
    #[test]
    fn mutated_fixtures_never_panic(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
        as_yaml in any::<bool>(),
    ) {
        let docs = fixture_docs();
        let (name, doc) = &docs[which % docs.len()];
        let mut doc = doc.clone();
        for m in &mutations {
            mutate(&mut doc, m);
        }
        let text = if as_yaml {
            yaml_serde::to_string(&doc).unwrap()
        } else {
            serde_json::to_string_pretty(&doc).unwrap()
        };
        let what = format!("{name} with {mutations:?}");
        match outcome(&text, &what) {
            Ok(g) => assert_parses(&g, &what),
            Err(e) => prop_assert!(
                e.contains('/') || e.contains("line ") || e.starts_with("the document root: "),
                "{what}: the error names no place: {e}"
            ),
        }
    }
}
