//! `spec/codegen.toml`: what a maintainer pins by hand. Rust names for
//! schemas and operations (so a name survives a spec update that would
//! otherwise renumber a collision), retry safety for operations, and the
//! per-request limits that the spec states only in prose (for bulk calls).
//!
//! ```toml
//! [schemas."limit"]          # by the spec's schema name
//! name = "LimitParam"
//!
//! [operations.getDBs]        # by operationId, or "GET /path" without one
//! name = "list_databases"
//! idempotent = true
//!
//! [operations.postMultiTimeSeriesDatapoints]
//! bulk_totals = [{ path = "datapoints", max = 100000 }]
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    #[serde(default)]
    pub schemas: BTreeMap<String, SchemaOverride>,
    #[serde(default)]
    pub operations: BTreeMap<String, OperationOverride>,
    /// Type names from `spec/codegen.lock`, by JSON pointer: every type
    /// keeps the name it had, so adding a colliding schema renames only the
    /// newcomer. Weaker than the pins above.
    #[serde(skip)]
    pub locked_types: BTreeMap<String, String>,
    /// Method names from the lock, by the operation's JSON pointer.
    #[serde(skip)]
    pub locked_methods: BTreeMap<String, String>,
    /// The sha256 of the spec the lock was written from: entries in the
    /// old positional format are read only for that spec.
    #[serde(skip)]
    pub lock_spec_sha256: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaOverride {
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationOverride {
    pub name: Option<String>,
    pub idempotent: Option<bool>,
    /// Items per request, where the description states it and `maxItems` does not.
    pub bulk_max_items: Option<usize>,
    /// Documented totals over all items of one request.
    #[serde(default)]
    pub bulk_totals: Vec<BulkTotal>,
}

/// At most `max` values at `path` (dot-separated JSON keys from one item;
/// arrays on the way are walked through) over all items of a request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkTotal {
    pub path: String,
    pub max: usize,
}

impl Overrides {
    /// Parses the file's text; every name must be a valid Rust identifier of
    /// the right case, so a typo is an error naming its key, not bad code.
    pub fn parse(text: &str) -> Result<Overrides> {
        let o: Overrides =
            toml::from_str(text).map_err(|e| Error::invalid("spec/codegen.toml", e.to_string()))?;
        for (key, s) in &o.schemas {
            if let Some(name) = &s.name {
                check(name, true).map_err(|m| {
                    Error::invalid(format!("spec/codegen.toml: schemas.{key:?}.name"), m)
                })?;
            }
        }
        for (key, op) in &o.operations {
            let at = |field: &str| format!("spec/codegen.toml: operations.{key:?}.{field}");
            if let Some(name) = &op.name {
                check(name, false).map_err(|m| Error::invalid(at("name"), m))?;
            }
            if op.bulk_max_items == Some(0) {
                return Err(Error::invalid(at("bulk_max_items"), "must be at least 1"));
            }
            for (i, t) in op.bulk_totals.iter().enumerate() {
                if t.max == 0 || t.path.split('.').any(str::is_empty) {
                    return Err(Error::invalid(
                        at(&format!("bulk_totals[{i}]")),
                        "needs a dot-separated `path` of JSON keys and a `max` of at least 1",
                    ));
                }
            }
        }
        Ok(o)
    }
}

fn check(name: &str, type_case: bool) -> std::result::Result<(), String> {
    let mut chars = name.chars();
    let first_ok = match chars.next() {
        Some(c) if type_case => c.is_ascii_uppercase(),
        Some(c) => c.is_ascii_lowercase() || c == '_',
        None => false,
    };
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || (c == '_' && !type_case));
    let keyword = syn::parse_str::<syn::Ident>(name).is_err();
    if first_ok && rest_ok && !keyword {
        Ok(())
    } else if type_case {
        Err(format!("`{name}` is not a PascalCase Rust type name"))
    } else {
        Err(format!("`{name}` is not a snake_case Rust method name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_idempotency() {
        let o = Overrides::parse(
            "[schemas.limit]\nname = \"LimitParam\"\n[operations.getDBs]\nname = \"list_databases\"\nidempotent = true\n",
        )
        .unwrap();
        assert_eq!(o.schemas["limit"].name.as_deref(), Some("LimitParam"));
        assert_eq!(o.operations["getDBs"].idempotent, Some(true));
    }

    #[test]
    fn reads_bulk_limits_and_refuses_empty_ones() {
        let o = Overrides::parse(
            "[operations.x]\nbulk_max_items = 5\nbulk_totals = [{ path = \"rows.values\", max = 9 }]\n",
        )
        .unwrap();
        assert_eq!(o.operations["x"].bulk_max_items, Some(5));
        assert_eq!(o.operations["x"].bulk_totals[0].path, "rows.values");
        for bad in [
            "bulk_max_items = 0",
            "bulk_totals = [{ path = \"a..b\", max = 1 }]",
            "bulk_totals = [{ path = \"a\", max = 0 }]",
        ] {
            let e = Overrides::parse(&format!("[operations.x]\n{bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("operations.\"x\".bulk_"), "{bad}: {e}");
        }
    }

    #[test]
    fn bad_names_and_keys_name_their_place() {
        let e = Overrides::parse("[operations.x]\nname = \"match\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("operations.\"x\".name") && e.contains("snake_case"),
            "{e}"
        );
        let e = Overrides::parse("[schemas.x]\nname = \"lower\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("PascalCase"), "{e}");
        let e = Overrides::parse("[operations.x]\nnmae = \"a\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field"), "{e}");
    }
}
