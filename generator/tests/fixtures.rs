//! Snapshot tests: the generated Rust and the report for each fixture spec.

mod common;

use cdf_codegen::{generate, CrateOptions, Error};

/// Each fixture's crate, as generated, against its files under
/// `generator/tests/output/<name>/` (which `compile.rs` builds): a change
/// to an emitter shows as a diff of Rust files. `CDF_CODEGEN_BLESS=1`
/// rewrites them. The report stays an insta snapshot.
#[test]
fn generated_code_matches_the_kept_output() {
    let mut stale = Vec::new();
    for (name, path) in common::fixtures() {
        let g = common::generate(&path, &common::fixture_package(&name));
        insta::assert_snapshot!(format!("{name}.report"), g.report.to_text());
        let dir = common::output_dir(&name);
        let want = common::kept(&g.files);
        if common::blessing() {
            let _ = std::fs::remove_dir_all(&dir);
            cdf_codegen::write::write_crate(&dir, &want).expect("output written");
            continue;
        }
        let differences = cdf_codegen::write::differences(&dir, &want);
        stale.extend(differences.into_iter().map(|d| format!("{name}: {d}")));
    }
    assert!(
        stale.is_empty(),
        "generator/tests/output is not what the generator writes (CDF_CODEGEN_BLESS=1 rewrites it, then review the diff):\n{}",
        stale.join("\n")
    );
}

/// Split, each type is defined in the crate of the one group that reaches
/// it (with no `cfg`: the crate is the feature), or in the shared crate
/// under the features that need it; the client crate re-exports them all.
#[test]
fn split_types_live_in_the_crate_of_their_group() {
    let path = common::workspace().join("spec/fixtures/split-crates.yaml");
    let g = common::generate(&path, "shop");
    let file = |path: &str| g.files.get(path).unwrap_or_else(|| panic!("no {path}"));
    let part = file("crates/types-inventory/src/types/p.rs");
    assert!(
        part.contains("pub struct PartType {") && !part.contains("#[cfg"),
        "{part}"
    );
    // The union of one group builds the shared struct through its `new`.
    assert!(part.contains("Self::ItemId(ItemId::new(value))"), "{part}");
    let order = file("crates/types-orders/src/types/o.rs");
    assert!(order.contains("pub enum OrderStatus {"), "{order}");
    let shared = file("crates/types/src/types/p.rs");
    assert!(
        shared.contains(
            "#[cfg(any(feature = \"inventory\", feature = \"orders\"))]\n#[derive(Debug, Clone, PartialEq)]\n#[non_exhaustive]\npub struct PartRef {"
        ),
        "{shared}"
    );
    assert!(g
        .files
        .contains_key("crates/types/src/runtime/serde_struct.rs"));
    assert!(!g.files.contains_key("src/runtime/serde_struct.rs"));
    let archive = file("crates/types-all-schemas/Cargo.toml");
    for needed in ["shop-types-inventory = ", "shop-types-orders = "] {
        assert!(archive.contains(needed), "{archive}");
    }
    let client = file("Cargo.toml");
    assert!(
        client.contains("inventory = [\"dep:shop-types-inventory\", \"shop-types/inventory\"]"),
        "{client}"
    );
    assert!(
        client.contains("other = [\"shop-types/other\"]"),
        "{client}"
    );
    let types = file("src/types/mod.rs");
    assert!(types.contains("#[cfg(feature = \"orders\")]\npub use shop_types_orders::types::*;"));
}

#[test]
fn generation_is_deterministic() {
    for (_, path) in common::fixtures() {
        let a = common::generate(&path, "x");
        let b = common::generate(&path, "x");
        assert_eq!(a.files, b.files, "{}", path.display());
    }
}

#[test]
fn dangling_ref_is_an_error_naming_the_place() {
    let path = common::workspace().join("spec/fixtures/dangling-ref.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let err = generate(&text, &CrateOptions::default())
        .err()
        .expect("must fail");
    assert!(matches!(err, Error::Reference { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("/components/schemas/Holder/properties/target"),
        "{msg}"
    );
    assert!(msg.contains("#/components/schemas/Missing"), "{msg}");
}

#[test]
fn syntax_errors_name_line_and_column() {
    let err = generate(
        "openapi: 3.0.0\ninfo: [unclosed\n",
        &CrateOptions::default(),
    )
    .err()
    .unwrap();
    let msg = err.to_string();
    assert!(msg.contains("YAML") && msg.contains("line"), "{msg}");
    let err = generate(
        "{\"openapi\": \"3.0.0\",\n \"info\": }",
        &CrateOptions::default(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn unsupported_versions_are_refused() {
    let err = generate("swagger: '2.0'\n", &CrateOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().starts_with("/swagger:"), "{err}");
    let err = generate("info: {}\n", &CrateOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().starts_with("/openapi:"), "{err}");
    let err = generate("openapi: 4.0.0\n", &CrateOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("4.0.0 is not supported"), "{err}");
}

#[test]
fn model_errors_name_a_json_pointer() {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: 42\n";
    let err = generate(spec, &CrateOptions::default()).err().unwrap();
    assert!(
        err.to_string()
            .contains("/components/schemas/A/properties/b"),
        "{err}"
    );
}

fn with_overrides(fixture: &str, toml: &str) -> cdf_codegen::Generated {
    let path = common::workspace().join("spec/fixtures").join(fixture);
    let text = std::fs::read_to_string(path).unwrap();
    let opts = CrateOptions {
        overrides: cdf_codegen::overrides::Overrides::parse(&format!(
            "{}\n{toml}",
            common::fixture_profile()
        ))
        .unwrap(),
        ..Default::default()
    };
    generate(&text, &opts).unwrap()
}

/// The profile's answer header reaches the runtime, which retries any
/// failed request that carries it (tested in `templates/tests/runtime`);
/// a spec without a profile gets no such header.
#[test]
fn the_profile_names_the_retryable_header() {
    let constant = |g: &cdf_codegen::Generated| {
        let root = &g.files["src/runtime/mod.rs"];
        let line = root.lines().find(|l| l.contains("RETRYABLE_HEADER:"));
        line.map(str::trim).unwrap_or_default().to_string()
    };
    assert_eq!(
        constant(&with_overrides("minimal.json", "")),
        r#"pub const RETRYABLE_HEADER: Option<&str> = Some("cdf-is-auto-retryable");"#
    );
    let path = common::workspace().join("spec/fixtures/minimal.json");
    let bare = generate(
        &std::fs::read_to_string(path).unwrap(),
        &CrateOptions::default(),
    );
    assert_eq!(
        constant(&bare.unwrap()),
        "pub const RETRYABLE_HEADER: Option<&str> = None;"
    );
}

/// The datapoints reader (and its `prost` dependency) is in a crate only
/// when the profile names a POST of the spec for it; a name that is not
/// one is reported, never called.
#[test]
fn the_datapoints_reader_comes_with_a_profile_that_names_its_listing() {
    let both = "[datapoints]\nlist = \"createWidgets\"\ninsert = \"createWidgets\"\n";
    let with = with_overrides("bulk.yaml", both);
    for file in [
        "mod.rs",
        "read.rs",
        "insert.rs",
        "wire.rs",
        "json.rs",
        "encode.rs",
    ] {
        let path = format!("src/runtime/datapoints/{file}");
        assert!(with.files.contains_key(&path), "{path}");
    }
    let root = &with.files["src/runtime/mod.rs"];
    assert!(root.contains("pub mod datapoints;"), "{root}");
    assert!(
        root.contains("pub const DATAPOINTS_PATH: &str = \"/widgets\";"),
        "{root}"
    );
    assert!(root.contains("pub const DATAPOINTS_INSERT_PATH: &str = \"/widgets\";"));
    assert!(with.files["Cargo.toml"].contains("\nprost = "));
    let unknown = "[datapoints]\nlist = \"getDatapoints\"\ninsert = \"createWidgets\"\n";
    for profile in ["", unknown] {
        let without = with_overrides("bulk.yaml", profile);
        let files = without.files.keys();
        assert!(!files.into_iter().any(|f| f.contains("datapoints")));
        let root = &without.files["src/runtime/mod.rs"];
        assert!(!root.contains("datapoints"), "{root}");
        let manifest = &without.files["Cargo.toml"];
        assert!(!manifest.contains("prost"), "{manifest}");
        let report = without.report.to_text();
        assert_eq!(
            report.contains("getDatapoints"),
            !profile.is_empty(),
            "{report}"
        );
    }
}

fn all_code(g: &cdf_codegen::Generated) -> String {
    g.files.values().cloned().collect()
}

#[test]
fn codegen_toml_pins_schema_and_operation_names() {
    let g = with_overrides(
        "name-collisions.yaml",
        "[schemas.limit]\nname = \"LimitParam\"\n[schemas.unknown]\nname = \"Nope\"\n",
    );
    let code = all_code(&g);
    assert!(
        code.contains("pub type LimitParam") || code.contains("pub struct LimitParam"),
        "pinned name used"
    );
    assert!(
        !code.contains("Limit2"),
        "no numbered name left for the pinned schema"
    );
    assert!(
        g.report
            .findings
            .iter()
            .any(|f| f.message.contains("`unknown`")),
        "stale pin reported"
    );

    let g = with_overrides(
        "pagination.yaml",
        "[operations.filterThings]\nname = \"search_things\"\nidempotent = false\n\n[operations.\"GET /things/{thingId}/history\"]\nname = \"thing_history\"\n",
    );
    let code = all_code(&g);
    assert!(
        code.contains("pub async fn search_things("),
        "operation renamed"
    );
    assert!(
        code.contains("pub fn search_things_stream("),
        "its stream follows the new name"
    );
    assert!(
        code.contains("pub async fn thing_history("),
        "an operation without operationId, by method and path"
    );
    let search = code.split("pub async fn search_things(").nth(1).unwrap();
    let body = &search[..search.find("pub ").unwrap_or(search.len())];
    assert!(
        body.contains(".idempotent(false)"),
        "retry safety overridden: {body}"
    );
}

/// Names as a person would have written them: FastAPI's generated ids
/// read as the function's name, a long component's first words stand for
/// it, and a method renamed in the profile names its types.
#[test]
fn generated_ids_and_long_names_read_as_meant() {
    let g = with_overrides("name-collisions.yaml", "");
    let code = all_code(&g);
    assert!(
        code.contains("pub async fn filter_widgets("),
        "FastAPI id read"
    );
    assert!(
        code.contains("pub struct FilterWidgetsRequest"),
        "its body type"
    );
    assert!(!code.contains("WidgetsListPost"), "no path left in a name");
    assert!(code.contains("pub enum WidgetInventoryReconciliationStatus"));
    let report = g.report.to_text();
    assert!(report.contains("named from `filter_widgets`"), "{report}");

    let g = with_overrides(
        "name-collisions.yaml",
        "[operations.filter_widgets_widgets_list_post]\nname = \"search_widgets\"\n",
    );
    let code = all_code(&g);
    assert!(code.contains("pub async fn search_widgets("));
    assert!(
        code.contains("pub struct SearchWidgetsRequest"),
        "types follow the pin"
    );
}

/// A pin names one schema; only `shared = true` makes it the one type of
/// its shape, with the other component an alias of it.
#[test]
fn a_pin_merges_schemas_only_when_shared() {
    for (shared, alias) in [(false, false), (true, true)] {
        let toml = format!("[schemas.WidgetRef]\nname = \"ThingRef\"\nshared = {shared}\n");
        let code = all_code(&with_overrides("name-collisions.yaml", &toml));
        assert!(code.contains("pub struct ThingRef"), "{shared}");
        assert_eq!(
            code.contains("pub type GadgetRef = ThingRef;"),
            alias,
            "{shared}"
        );
        assert_eq!(code.contains("pub struct GadgetRef"), !alias, "{shared}");
        assert!(
            code.contains("    ThingRef(ThingRef),"),
            "variant named as its type"
        );
    }
}

/// Bulk limits from `spec/codegen.toml` either shape a bulk method or are
/// reported; none is dropped in silence.
#[test]
fn bulk_limits_that_cannot_apply_are_reported() {
    let path = common::workspace().join("spec/fixtures/bulk.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let toml = r#"
[operations.createGadgets]
bulk_totals = [{ path = "x", max = 1 }]
[operations.createWidgets]
bulk_totals = [{ path = "nope", max = 10 }]
[operations.deleteWidgets]
bulk_max_items = 2
"#;
    let opts = CrateOptions {
        overrides: cdf_codegen::overrides::Overrides::parse(&format!(
            "{}\n{toml}",
            common::fixture_profile()
        ))
        .unwrap(),
        ..Default::default()
    };
    let g = generate(&text, &opts).unwrap();
    let said = |pointer: &str, fragment: &str| {
        g.report
            .findings
            .iter()
            .any(|f| f.pointer == pointer && f.message.contains(fragment))
    };
    assert!(
        said(
            "/paths/~1gadgets/post",
            "no bulk items array (`bulk.items`) with a limit"
        ),
        "{:#?}",
        g.report.findings
    );
    assert!(
        said("/paths/~1widgets/post", "bulk total `nope`"),
        "{:#?}",
        g.report.findings
    );
    assert_eq!(
        g.report.bulk.from_overrides, 1,
        "deleteWidgets takes the smaller pinned limit"
    );
    assert!(g.files["src/api/default.rs"].contains("max_items: 2"));
}

/// The round-trip law on the union fixture: every variant's instance is
/// predicted to decode as itself, but for the one pair of twins, which the
/// report lists (the generated `tests/unions.rs` proves it with the real
/// types, see `compile.rs`).
#[test]
fn every_union_variant_of_the_fixture_decodes_faithfully() {
    let path = common::workspace().join("spec/fixtures/faithful-unions.yaml");
    let g = common::generate(&path, "faithful");
    let u = &g.report.unions;
    assert_eq!(u.variants, u.decoded_faithfully, "{:#?}", u.unfaithful);
    assert!(u.unfaithful.is_empty(), "{:#?}", u.unfaithful);
    assert_eq!(u.twins.len(), 1, "{:#?}", u.twins);
    assert!(u.twins[0]
        .message
        .contains("`Twins::SecondTwin` reads as `FirstTwin`"));
    let tests = &g.files["tests/unions.rs"];
    assert!(tests.contains("Grant::OwnerGrant"), "{tests}");
    // Each variant's instance carries its own key.
    assert!(tests.contains(r#"{\"ownerRule\":"#), "{tests}");
}

/// Pagination under another API's names (its own profile beside the
/// spec): the streams set the Rust fields those names give, and a
/// cursor that is not a string makes no stream. The crate is compiled by
/// `compile.rs`, which is what catches a field name spelt for CDF.
#[test]
fn pagination_follows_the_profile_names() {
    let path = common::workspace().join("spec/fixtures/token-pagination.yaml");
    let g = common::generate(&path, "token-pagination");
    let code = all_code(&g);
    for method in [
        "pub fn list_widgets_stream(",
        "pub fn search_widgets_stream(",
        "pub fn search_widgets_partitioned(",
    ] {
        assert!(code.contains(method), "no `{method}`");
    }
    // The runtime's generic streams read and set the fields the profile
    // names, through one small impl per request and answer type.
    assert!(code.contains("pagination::paged_request!(ListWidgetsParams, page_token);"));
    assert!(code.contains("pagination::paged_request!(WidgetSearch, page_token, shard);"));
    assert!(code.contains("pagination::page!(WidgetPage => Widget, results, next_page_token);"));
    assert!(
        !g.files["src/api/mod.rs"]
            .lines()
            .any(|l| l.contains("paged_request!(") && l.contains(", cursor")),
        "a CDF field name"
    );
    assert_eq!(
        code.matches("paged_request!(WidgetSearch").count(),
        1,
        "once per type"
    );
    assert!(!code.contains("list_gadgets_stream"), "an integer cursor");
}
