//! A spec's profile (`spec/codegen.toml` for CDF; for another spec the
//! `codegen.toml` beside it): what OpenAPI cannot say. The API's
//! conventions (the field names of its pagination and bulk requests, which
//! POSTs only read, the headers it reads from every request), and what a
//! maintainer pins by hand: Rust names for schemas and operations (so a name
//! survives a spec update that would otherwise renumber a collision), retry
//! safety for operations, and the per-request limits that the spec states
//! only in prose (for bulk calls). An empty profile is plain OpenAPI.
//!
//! ```toml
//! [schemas."limit"]          # by the spec's schema name
//! name = "LimitParam"
//!
//! [schemas."IdEither"]       # and every schema of its shape
//! name = "Identity"
//! shared = true
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

/// A spec's profile (`codegen.toml` beside the spec): what OpenAPI cannot state, pinned
/// names, and what the lock carries over from the last generation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Pinned choices per component schema, by its name in the spec.
    #[serde(default)]
    pub schemas: BTreeMap<String, SchemaOverride>,
    /// Pinned choices per operation, by operationId (or `METHOD /path`).
    #[serde(default)]
    pub operations: BTreeMap<String, OperationOverride>,
    /// The field names of the API's cursor pagination; without them no
    /// listing gets a stream (OpenAPI has no word for paging).
    pub pagination: Option<PaginationNames>,
    /// The request field whose array a `*_bulk` method splits into
    /// requests; without it there are no bulk methods.
    pub bulk: Option<BulkNames>,
    /// Which POSTs only read, and so are retried like a GET.
    #[serde(default)]
    pub retry: RetryRules,
    /// Headers the API reads from every request.
    #[serde(default)]
    pub headers: HeaderNames,
    /// The API's datapoints listing, read by the hand-written
    /// `runtime::datapoints` (Cognite's protobuf format); without it the
    /// crate has no such module.
    pub datapoints: Option<DatapointsNames>,
    /// How the generated code is divided into crates.
    #[serde(default)]
    pub layout: Layout,
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

/// A pinned choice for one component schema.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaOverride {
    /// The Rust type name, kept whatever the spec adds beside it.
    pub name: Option<String>,
    /// This component is the one type of its shape: every other schema of
    /// the same structure whose name ends in the same word becomes it, and
    /// other components stay as aliases of it (`IdEither` as `Identity`).
    /// Without it a pin only names the schema.
    #[serde(default)]
    pub shared: bool,
}

/// Pinned choices for one operation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationOverride {
    /// The Rust method name.
    pub name: Option<String>,
    /// Safe to retry on a 5xx (`true`), or not (`false`), whatever the method and path say.
    pub idempotent: Option<bool>,
    /// Items per request, where the description states it and `maxItems` does not.
    pub bulk_max_items: Option<usize>,
    /// Documented totals over all items of one request.
    #[serde(default)]
    pub bulk_totals: Vec<BulkTotal>,
}

/// A listing pages when its answer has an `items` array and a
/// `next_cursor` string, and its request an optional `cursor` (query or
/// body); an optional `partition` beside it splits the listing for
/// parallel reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationNames {
    /// The answer's array of items.
    pub items: String,
    /// The answer's cursor to the next page.
    pub next_cursor: String,
    /// The request's cursor (query parameter or body field).
    pub cursor: String,
    /// The request's partition (`k/n`), when the API reads partitions in parallel.
    pub partition: Option<String>,
}

/// The datapoints operations `runtime::datapoints` reads and writes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatapointsNames {
    /// The operationId of the POST that lists datapoints of many series.
    pub list: String,
    /// The operationId of the POST that inserts datapoints.
    pub insert: String,
}

/// The request array that `*_bulk` methods split.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkNames {
    /// Its field name in the request body.
    pub items: String,
}

/// Which operations are safe to retry beyond what their method says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryRules {
    /// Path endings (`/list`, `/byids`) of POST and PATCH operations that
    /// only read; matched without regard to case.
    #[serde(default)]
    pub read_only_paths: Vec<String>,
}

impl RetryRules {
    /// Whether a POST or PATCH to `path` only reads, by this profile.
    pub fn read_only(&self, path: &str) -> bool {
        let path = path.to_ascii_lowercase();
        self.read_only_paths
            .iter()
            .any(|end| path.ends_with(&end.to_ascii_lowercase()))
    }
}

/// How the generated code is divided into crates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// The types in crates of their own beside the client crate: one per
    /// tag group (its feature turns it on) and one for the types several
    /// groups share. rustc compiles one crate on one core and holds all of
    /// it in memory, so a spec with thousands of types builds faster, and
    /// in less memory per process, in several. The client crate re-exports
    /// every type from `types`, so no user path changes.
    #[serde(default)]
    pub split_types: bool,
}

/// Header names, lowercase; `None` where the API has no such header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderNames {
    /// Sent on every request with the client crate's name and version.
    pub sdk: Option<String>,
    /// Sent with the application name the user gives the client builder.
    pub app: Option<String>,
    /// Sent with the API version the user asks the client builder for.
    pub api_version: Option<String>,
    /// Read from failed answers: `true` is the server's word that the
    /// failure is transient and the request safe to send again, whatever
    /// its method (CDF's `cdf-is-auto-retryable`).
    pub retryable: Option<String>,
}

/// At most `max` values at `path` (dot-separated JSON keys from one item;
/// arrays on the way are walked through) over all items of a request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkTotal {
    /// Dot-separated JSON keys from one item.
    pub path: String,
    /// The most values at `path` one request may carry.
    pub max: usize,
}

impl Overrides {
    /// The profile of the spec at `spec`: `<stem>.codegen.toml` beside it,
    /// else `codegen.toml` in its folder, else none (the empty profile:
    /// only what OpenAPI itself says). Returns the file it read.
    pub fn beside(spec: &std::path::Path) -> Result<(Overrides, Option<std::path::PathBuf>)> {
        let dir = spec.parent().unwrap_or(std::path::Path::new("."));
        let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned());
        let candidates = stem
            .map(|stem| dir.join(format!("{stem}.codegen.toml")))
            .into_iter()
            .chain([dir.join("codegen.toml")]);
        for path in candidates {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let o = Overrides::parse(&text).map_err(|e| match e {
                        Error::Invalid { pointer, message } => Error::Invalid {
                            pointer: pointer
                                .replace("spec/codegen.toml", &path.display().to_string()),
                            message,
                        },
                        other => other,
                    })?;
                    return Ok((o, Some(path)));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(Error::invalid(path.display().to_string(), e.to_string()));
                }
            }
        }
        Ok((Overrides::default(), None))
    }

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
        o.check_conventions()?;
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

impl Overrides {
    fn check_conventions(&self) -> Result<()> {
        let field = |at: &str, name: &str| {
            if name.is_empty() {
                Err(Error::invalid(
                    format!("spec/codegen.toml: {at}"),
                    "is empty",
                ))
            } else {
                Ok(())
            }
        };
        if let Some(p) = &self.pagination {
            field("pagination.items", &p.items)?;
            field("pagination.next_cursor", &p.next_cursor)?;
            field("pagination.cursor", &p.cursor)?;
            if let Some(partition) = &p.partition {
                field("pagination.partition", partition)?;
            }
        }
        if let Some(b) = &self.bulk {
            field("bulk.items", &b.items)?;
        }
        for (i, end) in self.retry.read_only_paths.iter().enumerate() {
            if !end.starts_with('/') || end.len() < 2 {
                return Err(Error::invalid(
                    format!("spec/codegen.toml: retry.read_only_paths[{i}]"),
                    format!("`{end}` is not a path ending such as `/list`"),
                ));
            }
        }
        let h = &self.headers;
        for (at, name) in [
            ("sdk", &h.sdk),
            ("app", &h.app),
            ("api_version", &h.api_version),
            ("retryable", &h.retryable),
        ] {
            let Some(name) = name else { continue };
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
            if !token {
                return Err(Error::invalid(
                    format!("spec/codegen.toml: headers.{at}"),
                    format!("`{name}` is not a lowercase header name"),
                ));
            }
        }
        Ok(())
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

    #[test]
    fn reads_the_conventions_and_refuses_bad_ones() {
        let o = Overrides::parse(
            "[pagination]\nitems = \"data\"\nnext_cursor = \"next\"\ncursor = \"after\"\n\
             [retry]\nread_only_paths = [\"/Search\"]\n[headers]\napp = \"x-app\"\n",
        )
        .unwrap();
        let p = o.pagination.as_ref().unwrap();
        assert_eq!((p.items.as_str(), p.partition.as_deref()), ("data", None));
        assert!(o.retry.read_only("/things/search"));
        assert!(!o.retry.read_only("/things/researchsearch/x"));
        assert_eq!(o.headers.app.as_deref(), Some("x-app"));
        assert_eq!((o.headers.sdk.as_deref(), o.bulk.as_ref()), (None, None));
        for (toml, at) in [
            (
                "[retry]\nread_only_paths = [\"list\"]",
                "retry.read_only_paths[0]",
            ),
            ("[headers]\nsdk = \"X-Sdk\"", "headers.sdk"),
            ("[bulk]\nitems = \"\"", "bulk.items"),
        ] {
            let err = Overrides::parse(toml).unwrap_err().to_string();
            assert!(err.contains(at), "{toml}: {err}");
        }
    }

    #[test]
    fn the_profile_beside_a_spec_is_found_by_stem_then_folder() {
        let dir = std::env::temp_dir().join(format!("cdf-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = dir.join("their.yaml");
        assert!(Overrides::beside(&spec).unwrap().1.is_none());
        std::fs::write(dir.join("codegen.toml"), "[bulk]\nitems = \"rows\"\n").unwrap();
        let (o, from) = Overrides::beside(&spec).unwrap();
        assert_eq!(o.bulk.unwrap().items, "rows");
        assert_eq!(from, Some(dir.join("codegen.toml")));
        std::fs::write(dir.join("their.codegen.toml"), "[headers]\nsdk = 1\n").unwrap();
        let err = Overrides::beside(&spec).unwrap_err().to_string();
        assert!(err.contains("their.codegen.toml"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
