//! The change report between two specs (`cdf_codegen::diff`): snapshot
//! tests on hand-written fixture pairs in `spec/fixtures/diff/`, and checks
//! on the real spec's history whose every fact was verified by hand against
//! the JSON documents (python, reading `paths` and `components.schemas`).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cdf_codegen::diff::{diff_texts, Change, ChangeKind, SpecDiff};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn diff_files(old: &Path, new: &Path) -> SpecDiff {
    diff_texts(&read(old), &read(new), &common::profile_for(new))
        .unwrap_or_else(|e| panic!("{} → {}: {e}", old.display(), new.display()))
}

/// `(name, old, new)` for every `NAME.old.*` / `NAME.new.*` pair.
fn fixture_pairs() -> Vec<(String, PathBuf, PathBuf)> {
    let dir = common::workspace().join("spec/fixtures/diff");
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("spec/fixtures/diff exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let side = |name: &str, side: &str| {
        let prefix = format!("{name}.{side}.");
        files
            .iter()
            .find(|p| {
                p.file_name()
                    .and_then(|f| f.to_str())
                    .is_some_and(|f| f.starts_with(&prefix))
            })
            .cloned()
            .unwrap_or_else(|| panic!("fixture pair {name}: no {side} side"))
    };
    let mut names: Vec<String> = files
        .iter()
        .filter_map(|p| {
            let file = p.file_name()?.to_str()?;
            Some(file.split_once(".old.")?.0.to_string())
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let (old, new) = (side(&n, "old"), side(&n, "new"));
            (n, old, new)
        })
        .collect()
}

fn fixture(name: &str) -> SpecDiff {
    let (_, old, new) = fixture_pairs()
        .into_iter()
        .find(|(n, ..)| n == name)
        .unwrap_or_else(|| panic!("no fixture pair {name}"));
    diff_files(&old, &new)
}

/// The one change of `kind` under `subject` whose detail contains `text`.
fn find<'d>(d: &'d SpecDiff, kind: ChangeKind, subject: &str, text: &str) -> &'d Change {
    let hits: Vec<&Change> = d
        .changes
        .iter()
        .filter(|c| c.kind == kind && c.subject == subject && c.detail.contains(text))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "{kind:?} `{subject}` `{text}`: {hits:#?}\nunder that subject: {:#?}",
        d.changes
            .iter()
            .filter(|c| c.subject == subject)
            .collect::<Vec<_>>()
    );
    hits[0]
}

fn counts(d: &SpecDiff) -> (usize, usize) {
    let b = d.breaking_count();
    (b, d.changes.len() - b)
}

// ---- fixtures ----------------------------------------------------------------

#[test]
fn fixture_pairs_match_snapshots() {
    let pairs = fixture_pairs();
    assert!(pairs.len() >= 3, "{pairs:?}");
    for (name, old, new) in pairs {
        let d = diff_files(&old, &new);
        insta::assert_snapshot!(format!("{name}.md"), d.to_markdown());
    }
    insta::assert_snapshot!("schemas.json", fixture("schemas").to_json());
}

/// Two generations on their own, neither knowing the other's names.
fn diff_unlocked(old: &Path, new: &Path) -> SpecDiff {
    let build = |p: &Path| {
        let loaded = cdf_codegen::load::load_str(&read(p)).expect("loads");
        cdf_codegen::ir::build(&loaded, &Default::default()).expect("builds")
    };
    cdf_codegen::diff::diff(&build(old), &build(new))
}

#[test]
fn fixtures_exercise_every_change_kind() {
    // A schema's Rust name changes only where no lock follows it, so the
    // rename shows in generations that do not carry one.
    let seen: BTreeSet<ChangeKind> = fixture_pairs()
        .iter()
        .flat_map(|(_, old, new)| {
            let mut changes = diff_files(old, new).changes;
            changes.extend(diff_unlocked(old, new).changes);
            changes
        })
        .map(|c| c.kind)
        .collect();
    let missing: Vec<_> = ChangeKind::ALL
        .iter()
        .filter(|k| !seen.contains(k))
        .collect();
    assert!(missing.is_empty(), "no fixture gives {missing:?}");
}

/// A schema added beside `GiftCard` that takes its name after PascalCase
/// (`gift-card` sorts first) renames it in a generation of its own; with
/// the old crate's lock carried, as `codegen` does, `GiftCard` keeps it.
#[test]
fn a_colliding_schema_renames_nothing_when_the_lock_is_carried() {
    let (_, old, new) = fixture_pairs()
        .into_iter()
        .find(|(n, ..)| n == "schemas")
        .expect("schemas pair");
    let renamed = |d: &SpecDiff| {
        d.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::SchemaRenamed)
            .map(|c| c.detail.clone())
            .collect::<Vec<_>>()
    };
    let unlocked = renamed(&diff_unlocked(&old, &new));
    assert!(
        unlocked
            .iter()
            .any(|d| d.contains("`GiftCard` is now `GiftCard2`")),
        "{unlocked:?}"
    );
    assert_eq!(renamed(&diff_files(&old, &new)), Vec::<String>::new());
}

/// The additive pair of `tests/compile.rs` (whose caller builds against
/// both crates) is reported as additions only, none of them breaking.
#[test]
fn an_additive_update_is_not_breaking() {
    let dir = common::workspace().join("spec/fixtures/additive");
    let d = diff_files(&dir.join("old.yaml"), &dir.join("new.yaml"));
    let kinds: BTreeSet<ChangeKind> = d.changes.iter().map(|c| c.kind).collect();
    let expected = BTreeSet::from([
        ChangeKind::OperationAdded,
        ChangeKind::ParamAdded,
        ChangeKind::FieldAdded,
        ChangeKind::EnumValueAdded,
        ChangeKind::VariantAdded,
        ChangeKind::SchemaAdded,
    ]);
    assert_eq!(kinds, expected, "{:#?}", d.changes);
    assert!(!d.is_breaking(), "{}", d.to_markdown());
}

/// The examples the issue gives, and the rules the module doc states.
#[test]
fn breaking_rules_hold_on_fixtures() {
    let d = fixture("schemas");
    let oc = "schema OrderCreate";
    let order = "schema Order";
    // A new required request field is breaking.
    assert!(find(&d, ChangeKind::FieldAdded, oc, "`currency`").breaking);
    // A new optional response field is not.
    assert!(!find(&d, ChangeKind::FieldAdded, order, "`estimatedDelivery`").breaking);
    // Nor is a required one in a response (callers read responses).
    assert!(!find(&d, ChangeKind::FieldAdded, order, "`createdAt`").breaking);
    // A removed enum value in a request is breaking; so is one in a response
    // (the variant goes); an added one is not (`Other(String)`).
    assert!(
        find(
            &d,
            ChangeKind::EnumValueRemoved,
            "schema Channel",
            "`phone`"
        )
        .breaking
    );
    assert!(
        find(
            &d,
            ChangeKind::EnumValueRemoved,
            "schema OrderStatus",
            "`cancelled`"
        )
        .breaking
    );
    assert!(!find(&d, ChangeKind::EnumValueAdded, "schema Channel", "`app`").breaking);
    assert!(
        !find(
            &d,
            ChangeKind::EnumValueAdded,
            "schema OrderStatus",
            "`returned`"
        )
        .breaking
    );
    // Optional fields added to requests: one more setter, never breaking.
    assert!(!find(&d, ChangeKind::FieldAdded, oc, "`referrer`").breaking);
    assert!(!find(&d, ChangeKind::FieldAdded, "schema OrderQuery", "`since`").breaking);
    // Required-ness either way changes `T` <-> `Option<T>`.
    assert!(
        find(
            &d,
            ChangeKind::FieldRequiredChanged,
            oc,
            "`giftWrap` now required"
        )
        .breaking
    );
    assert!(
        find(
            &d,
            ChangeKind::FieldRequiredChanged,
            order,
            "`sku` now optional"
        )
        .breaking
    );
    assert!(
        find(
            &d,
            ChangeKind::FieldRequiredChanged,
            order,
            "`total` now required"
        )
        .breaking
    );
    // Union variants: `#[non_exhaustive]`, so never breaking when added.
    assert!(
        !find(
            &d,
            ChangeKind::VariantAdded,
            "schema Payment",
            "`VoucherPayment`"
        )
        .breaking
    );
    assert!(
        !find(
            &d,
            ChangeKind::VariantAdded,
            "schema PaymentMethod",
            "`VoucherPayment`"
        )
        .breaking
    );
    // Inline types are compared where they stand, under their owner.
    assert!(find(&d, ChangeKind::FieldRetyped, order, "`shipTo.zip`").breaking);
    assert!(!find(&d, ChangeKind::FieldAdded, order, "`shipTo.country`").breaking);
    // A schema no operation uses is judged both ways, and says so.
    let c = find(&d, ChangeKind::FieldAdded, "schema Leftover", "`owner`");
    assert!(
        c.breaking && c.detail.contains("no operation uses"),
        "{c:?}"
    );
    assert_eq!(c.pointer, "/components/schemas/Leftover");
    // Removed things point into the old spec.
    let c = find(&d, ChangeKind::SchemaRemoved, "schema LegacyCoupon", "");
    assert_eq!(c.pointer, "/components/schemas/LegacyCoupon");

    let d = fixture("operations");
    let stats = "GET /stats (getStats)";
    assert!(!find(&d, ChangeKind::ParamAdded, stats, "`unit`").breaking);
    assert!(
        !find(
            &d,
            ChangeKind::ParamAdded,
            "GET /gadgets (listGadgets)",
            "`colour`"
        )
        .breaking
    );
    assert!(
        find(
            &d,
            ChangeKind::ParamAdded,
            "GET /health (getHealth)",
            "`probe`"
        )
        .breaking
    );
    assert!(
        find(
            &d,
            ChangeKind::FieldAdded,
            "POST /gadgets (createGadgets)",
            "request body field `mode`"
        )
        .breaking
    );
    let renamed = find(
        &d,
        ChangeKind::OperationRenamed,
        "DELETE /gadgets/{gadgetId} (deleteGadget)",
        "",
    );
    // The lock keeps the method name by the operation's place.
    assert!(!renamed.breaking, "{renamed:?}");
    assert!(
        renamed.detail.contains(
            "`removeGadget` → `deleteGadget`: the lock keeps `client.gadgets().remove_gadget()`"
        ),
        "{renamed:?}"
    );
    assert_eq!(renamed.group, "tag Gadgets");
    assert!(
        !find(
            &d,
            ChangeKind::OperationAdded,
            "POST /gadgets/search (searchGadgets)",
            ""
        )
        .breaking
    );
    assert!(d.is_breaking());
}

#[test]
fn same_api_spelled_for_3_0_and_3_1_has_no_changes() {
    let d = fixture("spelling");
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    assert!(!d.is_breaking());
    assert!(d.to_markdown().contains("No changes."));
}

#[test]
fn each_fixture_against_itself_is_empty() {
    for (name, old, new) in fixture_pairs() {
        for path in [old, new] {
            let d = diff_files(&path, &path);
            assert!(d.changes.is_empty(), "{name}: {:#?}", d.changes);
        }
    }
}

#[test]
fn output_is_deterministic_and_json_is_complete() {
    let a = fixture("operations");
    let b = fixture("operations");
    assert_eq!(a.changes, b.changes);
    assert_eq!(a.to_markdown(), b.to_markdown());
    let json: serde_json::Value = serde_json::from_str(&a.to_json()).expect("valid JSON");
    let (breaking, other) = counts(&a);
    assert_eq!(json["breaking"], true);
    assert_eq!(json["breaking_changes"], breaking);
    assert_eq!(json["other_changes"], other);
    assert_eq!(json["old_title_version"], "Gadget Depot 1.0.0");
    assert_eq!(
        json["changes"].as_array().map(Vec::len),
        Some(a.changes.len())
    );
    // Breaking first, then the rest; kinds in snake_case; each names its
    // Rust item.
    let flags: Vec<bool> = (0..breaking + other)
        .map(|i| json["changes"][i]["breaking"] == true)
        .collect();
    assert!(flags[..breaking].iter().all(|b| *b) && !flags[breaking..].iter().any(|b| *b));
    let renamed = a
        .changes
        .iter()
        .position(|c| c.kind == ChangeKind::OperationRenamed)
        .expect("a rename");
    assert_eq!(json["changes"][renamed]["kind"], "operation_renamed");
    assert_eq!(
        json["changes"][renamed]["rust"],
        "client.gadgets().remove_gadget()"
    );
    assert!((0..breaking + other).all(|i| json["changes"][i]["rust"] != ""));
}

#[test]
fn unreadable_spec_is_an_error() {
    let ok = read(&common::workspace().join("spec/fixtures/diff/spelling.old.yaml"));
    let plain = Default::default();
    assert!(diff_texts(&ok, "openapi: 3.1.0\ninfo: [unclosed\n", &plain).is_err());
    assert!(diff_texts("swagger: '2.0'\n", &ok, &plain).is_err());
}

// ---- the real spec and its history ---------------------------------------------

/// `(2023-11-22, 2025-12-05, current)`, or `None` (skipped, saying so).
fn history() -> Option<(PathBuf, PathBuf, PathBuf)> {
    let Some(current) = common::real_spec() else {
        eprintln!("SKIPPED: no spec (set CDF_OPENAPI_SPEC or place spec/cognite-api-v1.json)");
        return None;
    };
    let dated = |date: &str| {
        common::history_specs()
            .into_iter()
            .find(|p| p.to_string_lossy().contains(date))
    };
    match (dated("2023-11-22"), dated("2025-12-05")) {
        (Some(a), Some(b)) => Some((a, b, current)),
        _ => {
            eprintln!(
                "SKIPPED: no history/ with the 2023-11-22 and 2025-12-05 specs beside the spec"
            );
            None
        }
    }
}

#[test]
fn real_spec_against_itself_is_empty() {
    let Some((_, _, current)) = history() else {
        return;
    };
    let d = diff_files(&current, &current);
    assert!(
        d.changes.is_empty(),
        "{:#?}",
        &d.changes[..d.changes.len().min(20)]
    );
    assert!(!d.is_breaking());
}

/// Each fact checked by hand in the two JSON documents.
#[test]
fn history_2023_11_22_to_2025_12_05() {
    let Some((old, new, _)) = history() else {
        return;
    };
    let d = diff_files(&old, &new);
    let (breaking, other) = counts(&d);
    eprintln!("2023-11-22 → 2025-12-05: {breaking} breaking, {other} other");
    assert!(breaking > 0 && other > 0);
    // `GET /projects` (listProjects) is in 2023 only.
    let c = find(
        &d,
        ChangeKind::OperationRemoved,
        "GET /projects (listProjects)",
        "",
    );
    assert!(c.breaking && c.detail.contains("client.projects().list_projects()"));
    // `POST /timeseries/subscriptions` (postSubscriptions) is in 2025 only.
    let c = find(
        &d,
        ChangeKind::OperationAdded,
        "POST /timeseries/subscriptions (postSubscriptions)",
        "",
    );
    assert!(!c.breaking);
    // `GET /profiles` had no operationId in 2023; `listUserProfiles` in 2025.
    let c = find(
        &d,
        ChangeKind::OperationRenamed,
        "GET /profiles (listUserProfiles)",
        "",
    );
    assert!(
        !c.breaking
            && c.detail
                .contains("`(none)` → `listUserProfiles`: the lock keeps"),
        "{c:?}"
    );
    // `POST /hostedextractors/destinations/update` moved from tag
    // `Hosted Extractor Destinations` to `Destinations`.
    let c = find(
        &d,
        ChangeKind::OperationMoved,
        "POST /hostedextractors/destinations/update (update_destinations)",
        "tag `Hosted Extractor Destinations` → `Destinations`",
    );
    assert!(c.breaking);
    // The `Aggregate` enum gained `countGood`.
    assert!(
        !find(
            &d,
            ChangeKind::EnumValueAdded,
            "schema Aggregate",
            "`countGood`"
        )
        .breaking
    );
    // `Function.runtime` lost `py38` (enum py38/py39/py310 → py39/py310/py311).
    assert!(
        find(
            &d,
            ChangeKind::EnumValueRemoved,
            "schema Function",
            "value `py38` removed"
        )
        .breaking
    );
    assert!(
        !find(
            &d,
            ChangeKind::EnumValueAdded,
            "schema Function",
            "value `py311` added"
        )
        .breaking
    );
    // `GET /documents/{id}/content` became `deprecated: true`.
    let c = find(
        &d,
        ChangeKind::OperationDeprecated,
        "GET /documents/{id}/content (documentsContent)",
        "",
    );
    assert!(!c.breaking && c.detail == "deprecated");
}

/// Each fact checked by hand in the two JSON documents.
#[test]
fn history_2025_12_05_to_current() {
    let Some((_, old, new)) = history() else {
        return;
    };
    let d = diff_files(&old, &new);
    let (breaking, other) = counts(&d);
    eprintln!("2025-12-05 → current: {breaking} breaking, {other} other");
    assert!(breaking > 0 && other > 0);
    // `GET /documents/{id}/content` (documentsContent), deprecated before, is gone.
    let c = find(
        &d,
        ChangeKind::OperationRemoved,
        "GET /documents/{id}/content (documentsContent)",
        "",
    );
    assert!(c.breaking);
    // `GET /dataproducts` (listDataProducts) is new.
    assert!(
        !find(
            &d,
            ChangeKind::OperationAdded,
            "GET /dataproducts (listDataProducts)",
            ""
        )
        .breaking
    );
    // Same `POST /simulators/runs/byids`, operationId
    // `simulation_by_id_simulators_runs_byids_post` → `retrieve_simulation_run_by_id`.
    let c = find(
        &d,
        ChangeKind::OperationRenamed,
        "POST /simulators/runs/byids (retrieve_simulation_run_by_id)",
        "`simulation_by_id_simulators_runs_byids_post` → `retrieve_simulation_run_by_id`",
    );
    assert!(!c.breaking, "{c:?}");
    // FastAPI's id repeats the path and method; the method is named from
    // the function alone, and the lock keeps that name.
    assert!(
        c.detail
            .contains("the lock keeps `client.simulation_runs().simulation_by_id()`"),
        "{c:?}"
    );
    // `Function` gained required `functionType`, but `Function` is also
    // sent, so the field is an `Option` (see `access`): one more setter.
    let c = find(
        &d,
        ChangeKind::FieldAdded,
        "schema Function",
        "field `functionType` added",
    );
    assert!(!c.breaking && c.detail.contains("Option<"), "{c:?}");
    // `Function.runtime`: py39/py310/py311 → py310/py311/py312/py313.
    assert!(
        find(
            &d,
            ChangeKind::EnumValueRemoved,
            "schema Function",
            "value `py39` removed"
        )
        .breaking
    );
    assert!(
        !find(
            &d,
            ChangeKind::EnumValueAdded,
            "schema Function",
            "value `py313` added"
        )
        .breaking
    );
    // `AssetMapping3D.required` went from [nodeId, assetId] to [nodeId].
    let c = find(
        &d,
        ChangeKind::FieldRequiredChanged,
        "schema AssetMapping3D",
        "`assetId` now optional",
    );
    assert!(c.breaking && c.detail.contains("`i64` → `Option<i64>`"));
    // `DELETE /streams/{streamId}` answered 200 with a JSON object; now only 410.
    let c = find(
        &d,
        ChangeKind::ResponseChanged,
        "DELETE /streams/{streamId} (deleteStream)",
        "",
    );
    assert_eq!(c.detail, "returns `()` (was `Map<String, Value>`)");
    // `CogniteCapability` items: 7 ACLs added (agentsAcl ... streamsAcl), `ilainstancesAcl` removed.
    let cap = |kind| {
        d.changes
            .iter()
            .filter(|c| c.subject == "schema CogniteCapability" && c.kind == kind)
            .count()
    };
    assert_eq!(cap(ChangeKind::VariantAdded), 7);
    assert!(
        !find(
            &d,
            ChangeKind::VariantAdded,
            "schema CogniteCapability",
            "`StreamsAcl`"
        )
        .breaking
    );
    assert!(
        find(
            &d,
            ChangeKind::VariantRemoved,
            "schema CogniteCapability",
            "`IlainstancesAcl`"
        )
        .breaking
    );
    let md = d.to_markdown();
    assert!(md.starts_with("## API changes: Cognite API v1 → Cognite API v1\n"));
    let breaking_at = md.find("### Breaking changes").expect("breaking section");
    let other_at = md.find("### Other changes").expect("other section");
    assert!(breaking_at < other_at);
}
