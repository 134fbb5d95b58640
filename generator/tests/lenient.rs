//! Dirty documents (`spec/fixtures/dirty.yaml`): each thing real specs get
//! wrong is read the one way it can mean, reported with its JSON pointer,
//! and the generated code carries that meaning.

mod common;

use cdf_codegen::normalise::ChangeKind;

fn dirty() -> cdf_codegen::Generated {
    common::generate(
        &common::workspace().join("spec/fixtures/dirty.yaml"),
        "dirty",
    )
}

fn file<'g>(g: &'g cdf_codegen::Generated, path: &str) -> &'g str {
    g.files.get(path).unwrap_or_else(|| panic!("no {path}"))
}

#[test]
fn every_leniency_is_reported_with_its_place() {
    let g = dirty();
    let lenient: Vec<(&str, &str)> = g
        .report
        .normalisation
        .iter()
        .filter(|c| c.kind == ChangeKind::Lenient)
        .map(|c| (c.pointer.as_str(), c.detail.as_str()))
        .collect();
    let dogs = "/paths/~1kennels~1{kennelId}~1dogs";
    let expected = [
        ("/info/version".to_string(), "no `version`"),
        (format!("{dogs}/get/responses/404"), "without `description`"),
        (
            "/components/schemas/Owner/properties/name/required".into(),
            "moved into the object's `required` list",
        ),
        (
            "/definitions/Dog/properties/chipId/maximum".into(),
            "beyond 64 bits",
        ),
        (
            "/definitions/Dog/properties/weightDelta/minimum".into(),
            "beyond 64 bits",
        ),
        (
            format!("{dogs}/get/parameters/1/schema/$ref"),
            "`#/components/parameters/sort_order/schema` is not where schemas live: the schema is copied here",
        ),
        (
            format!("{dogs}/get/responses/200/content/application~1json/schema/items/$ref"),
            "read as `#/components/schemas/Dog`",
        ),
        (
            "/components/schemas/Problem/properties/owner/$ref".into(),
            "read as `#/components/schemas/Owner`",
        ),
        (
            format!("{dogs}/post/responses/201"),
            "#/components/requestBodies/NewDog",
        ),
        (format!("{dogs}/get"), "`{kennelId}`"),
        (
            format!("{dogs}/get/responses/200/headers/x-total/schema/$ref"),
            "read as `#/components/schemas/Count`",
        ),
        (
            format!("{dogs}/get/responses/410"),
            "read as a JSON response of `#/components/schemas/Problem`",
        ),
    ];
    for (pointer, fragment) in &expected {
        assert!(
            lenient
                .iter()
                .any(|(p, d)| p == pointer && d.contains(fragment)),
            "no leniency at {pointer} saying {fragment:?}; got {lenient:#?}"
        );
    }
    // And nothing else: the example that looks like draft 3 is data.
    assert_eq!(lenient.len(), 15, "{lenient:#?}");
    // Nothing else was lost on the way: `definitions` moved, not dropped.
    assert!(
        !g.report
            .normalisation
            .iter()
            .any(|c| c.kind == ChangeKind::Dropped),
        "{:#?}",
        g.report.normalisation
    );
}

#[test]
fn the_generated_code_means_what_the_dirty_spec_meant() {
    let g = dirty();
    let types = format!(
        "{}{}{}",
        file(&g, "src/types/o.rs"),
        file(&g, "src/types/d.rs"),
        file(&g, "src/types/l.rs")
    );
    // Draft-3 `required: true` is required; `required: false` is not.
    assert!(types.contains("pub name: String,"), "{types}");
    assert!(types.contains("pub nickname: Option<String>,"), "{types}");
    // The bound beyond 64 bits is kept as a bound.
    assert!(types.contains("18446744073709552000.0"), "{types}");
    // The parameter's schema is typed where it is used, as if written there.
    assert!(types.contains("pub enum ListDogsOrder"), "{types}");
    assert!(types.contains("\"desc\""), "{types}");
    let api = file(&g, "src/api/default.rs");
    assert!(
        api.contains("kennel_id: &str"),
        "the undeclared path parameter is a string: {api}"
    );
    // A response that referred to a request body answers with its content.
    assert!(api.contains("-> Result<Dog, Error>"), "{api}");
    // The parameter named `schema` is a query parameter.
    assert!(api.contains("\"schema\""), "{api}");
}

#[test]
fn swagger_2_is_refused_with_what_to_do() {
    let text = r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#;
    let err = cdf_codegen::generate(text, &Default::default())
        .err()
        .expect("Swagger 2.0 is refused")
        .to_string();
    assert!(
        err.contains("/swagger") && err.contains("swagger2openapi"),
        "{err}"
    );
}

#[test]
fn yaml_keeps_its_meaning_through_keys_tags_and_big_numbers() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-codes:\n  200: ok\n  true: yes\n  ~: nothing\n  big: 340282366920938463463374607431768211455\n  tagged: !custom 5\n";
    let value = cdf_codegen::load::parse_text(text).expect("parses");
    let codes = &value["x-codes"];
    assert_eq!(codes["200"], "ok");
    assert_eq!(codes["true"], "yes");
    assert_eq!(codes["null"], "nothing");
    assert_eq!(codes["tagged"], 5);
    assert_eq!(codes["big"].as_f64(), Some(3.402_823_669_209_385e38));
    let nan = cdf_codegen::load::parse_text("a: .nan\n")
        .unwrap_err()
        .to_string();
    assert!(
        nan.contains("no JSON form") && nan.contains("line 1"),
        "{nan}"
    );
}

#[test]
fn a_title_or_version_of_any_text_still_gives_a_manifest_cargo_reads() {
    let text = "openapi: 3.0.3\ninfo:\n  title: \"Two\\nlines, \\\"quoted\\\" \\\\ and a tab\\t\"\n  version: \"\"\npaths: {}\n";
    let g = cdf_codegen::generate(text, &Default::default()).expect("generates");
    let manifest: toml::Value = toml::from_str(&g.files["Cargo.toml"]).expect("valid TOML");
    let package = &manifest["package"];
    let description = package["description"].as_str().unwrap();
    assert!(
        description.contains("Two\nlines, \"quoted\" \\ and a tab\t"),
        "{description}"
    );
    // An empty `info.version` still gives valid semver build metadata.
    let version = package["version"].as_str().unwrap();
    let (core, build) = version.split_once('+').expect("build metadata");
    assert_eq!(core, "1.0.0");
    assert!(
        build
            .split('.')
            .all(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
        "{version}"
    );
}
