//! Dirty documents: what real specs get wrong, read the one way they can
//! reasonably mean, each reading recorded with its JSON pointer as a
//! [`ChangeKind::Lenient`] change. Runs on the raw document before
//! normalisation; what no reasonable reading can turn into a client is
//! still refused later, by the place that cannot use it.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::error::{join, pointer_token, Error, Result};
use crate::normalise::{Change, ChangeKind};

/// Every repair, in a fixed order; the changes they made.
pub fn repair(doc: &mut Value) -> Result<Vec<Change>> {
    refuse_swagger(doc)?;
    let mut out = Vec::new();
    info_version(doc, &mut out);
    let mut at = String::new();
    property_required_flags(doc, &mut at, false, &mut out);
    big_integers(doc, &mut String::new(), &mut out);
    inline_schema_refs(doc, &mut out);
    foreign_refs(doc, &mut out);
    // After the references: a response copied in may lack a description.
    response_descriptions(doc, &mut out);
    undeclared_path_params(doc, &mut out);
    Ok(out)
}

fn lenient(out: &mut Vec<Change>, pointer: String, detail: impl Into<String>) {
    out.push(Change {
        pointer,
        kind: ChangeKind::Lenient,
        detail: detail.into(),
    });
}

/// Swagger 2.0 is another format, not a dirty 3.0 document: say what it is
/// and how to get a document this generator reads.
fn refuse_swagger(doc: &Value) -> Result<()> {
    let Some(version) = doc.get("swagger") else {
        return Ok(());
    };
    if doc.get("openapi").is_some() {
        return Ok(());
    }
    let version = version.as_str().map_or(version.to_string(), str::to_string);
    Err(Error::invalid(
        "/swagger",
        format!(
            "this is a Swagger {version} document; cdf-codegen reads OpenAPI 3.0 and 3.1. \
             Convert it first (for example `npx swagger2openapi spec.json -o spec.yaml`, \
             or the converter at converter.swagger.io) and generate from the result"
        ),
    ))
}

/// `info.version` is required; a document without it gets an empty one.
fn info_version(doc: &mut Value, out: &mut Vec<Change>) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let info = root.entry("info").or_insert_with(|| json!({}));
    let Some(info) = info.as_object_mut() else {
        return;
    };
    for (key, default) in [("title", ""), ("version", "")] {
        if !info.get(key).is_some_and(Value::is_string) {
            let was = info.insert(key.to_string(), json!(default));
            let detail = match was {
                Some(v) => format!("`{key}` was {v}, not a string: read as empty"),
                None => format!("no `{key}`: read as empty"),
            };
            lenient(out, format!("/info/{key}"), detail);
        }
    }
}

/// Every response needs a `description`; one without gets an empty one.
fn response_descriptions(doc: &mut Value, out: &mut Vec<Change>) {
    let mut fix = |responses: &mut Value, at: String| {
        let Some(map) = responses.as_object_mut() else {
            return;
        };
        for (code, response) in map.iter_mut() {
            let Some(r) = response.as_object_mut() else {
                continue;
            };
            if r.contains_key("$ref") || r.get("description").is_some_and(Value::is_string) {
                continue;
            }
            r.insert("description".into(), json!(""));
            lenient(
                out,
                join(&at, code),
                "response without `description`: read as empty",
            );
        }
    };
    if let Some(responses) = doc.pointer_mut("/components/responses") {
        fix(responses, "/components/responses".into());
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if let Some(responses) = op.get_mut("responses") {
                let at = join(&join(&join("/paths", path), method), "responses");
                fix(responses, at);
            }
        }
    }
}

/// `required: true` on a property (JSON Schema draft 3) means the property
/// is required: it moves into the parent's `required` list.
/// `names` is set for a map whose keys are property names, not keywords
/// (a property may be called `properties`).
fn property_required_flags(node: &mut Value, at: &mut String, names: bool, out: &mut Vec<Change>) {
    match node {
        Value::Object(map) => {
            let mut moved = Vec::new();
            let props = map.get_mut("properties").filter(|_| !names);
            if let Some(Value::Object(props)) = props {
                for (name, prop) in props.iter_mut() {
                    let Some(flag) = prop.as_object_mut().and_then(|p| {
                        p.get("required")
                            .and_then(Value::as_bool)
                            .map(|b| (b, p.remove("required")))
                    }) else {
                        continue;
                    };
                    let pointer = format!("{at}/properties/{}/required", pointer_token(name));
                    let detail = format!(
                        "`required: {}` on a property (draft 3): {}",
                        flag.0,
                        if flag.0 {
                            "moved into the object's `required` list"
                        } else {
                            "dropped, as optional is the default"
                        }
                    );
                    lenient(out, pointer, detail);
                    if flag.0 {
                        moved.push(Value::String(name.clone()));
                    }
                }
            }
            if !moved.is_empty() {
                let list = map.entry("required").or_insert_with(|| json!([]));
                if !list.is_array() {
                    lenient(
                        out,
                        format!("{at}/required"),
                        format!("`required: {list}` on an object with draft-3 properties: replaced by their list"),
                    );
                    *list = json!([]);
                }
                if let Some(list) = list.as_array_mut() {
                    for name in moved {
                        if !list.contains(&name) {
                            list.push(name);
                        }
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                // Examples, defaults and extensions are data.
                if !names && (DATA.contains(&key.as_str()) || key.starts_with("x-")) {
                    continue;
                }
                let len = at.len();
                at.push('/');
                at.push_str(&pointer_token(key));
                let child_names = !names && key == "properties";
                property_required_flags(child, at, child_names, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                property_required_flags(child, at, false, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// Keys whose values are data, not part of the description.
const DATA: &[&str] = &["example", "examples", "default", "enum", "const"];

/// Where a `$ref` sits: where a schema is expected, or elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Schema,
    /// A map whose values are schemas (`properties`, `components/schemas`).
    SchemaMap,
    /// A list of schemas (`allOf`, `oneOf`, `anyOf`).
    SchemaList,
    /// An operation's `responses`, by status code.
    ResponseMap,
    /// Where a response object is expected.
    Response,
    /// `/components`: each key a kind of component.
    Components,
    /// A map keyed by the spec's own names (paths, headers, parameters).
    Names,
    Other,
}

/// A `$ref` this generator would not follow, found at `site`.
struct Foreign {
    site: String,
    target: String,
    schema: bool,
    /// A response that refers to a schema: it becomes a JSON response of it.
    wrap: bool,
}

/// Whether a reference is one the model follows: into
/// `#/components/schemas/` at any depth, or to a whole component.
fn followed(reference: &str) -> bool {
    let Some(rest) = reference.strip_prefix("#/") else {
        return true; // remote references are refused where they are used
    };
    if rest.starts_with("components/schemas/") {
        return true;
    }
    let parts: Vec<&str> = rest.split('/').collect();
    parts.len() == 3 && parts[0] == "components"
}

fn collect_refs(node: &Value, at: &mut String, slot: Slot, out: &mut Vec<Foreign>) {
    match node {
        Value::Object(map) => {
            let own = !matches!(
                slot,
                Slot::SchemaMap | Slot::SchemaList | Slot::ResponseMap | Slot::Names
            );
            if own {
                if let Some(Value::String(target)) = map.get("$ref") {
                    // A response that refers to a request body, say.
                    let misplaced = slot == Slot::Response
                        && target.starts_with("#/")
                        && !target.starts_with("#/components/responses/");
                    let wrap = misplaced
                        && (target.starts_with("#/components/schemas/")
                            || target.starts_with("#/definitions/"));
                    if misplaced || !followed(target) {
                        out.push(Foreign {
                            site: at.clone(),
                            target: target.clone(),
                            schema: slot == Slot::Schema || wrap,
                            wrap,
                        });
                    }
                }
            }
            for (key, child) in map {
                // Examples and extensions are data, not references to follow.
                if own && (key == "example" || key == "examples" || key.starts_with("x-")) {
                    continue;
                }
                let next = match slot {
                    Slot::ResponseMap => Slot::Response,
                    Slot::Names => Slot::Other,
                    Slot::SchemaMap | Slot::SchemaList => Slot::Schema,
                    Slot::Components => match key.as_str() {
                        "schemas" => Slot::SchemaMap,
                        "responses" => Slot::ResponseMap,
                        _ => Slot::Names,
                    },
                    _ => match key.as_str() {
                        "schema" | "items" | "additionalProperties" | "not" => Slot::Schema,
                        "properties" | "definitions" => Slot::SchemaMap,
                        "allOf" | "oneOf" | "anyOf" => Slot::SchemaList,
                        "responses" => Slot::ResponseMap,
                        "components" if at.is_empty() => Slot::Components,
                        "paths" | "headers" | "content" | "encoding" | "links" | "callbacks"
                        | "variables" | "webhooks" => Slot::Names,
                        _ => Slot::Other,
                    },
                };
                let len = at.len();
                at.push('/');
                at.push_str(&pointer_token(key));
                collect_refs(child, at, next, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            let next = if slot == Slot::SchemaList {
                Slot::Schema
            } else {
                Slot::Other
            };
            for (i, child) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                collect_refs(child, at, next, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// A schema referred to inside another object (a parameter's schema, a
/// response's) is copied to where it is used, as if written there, and typed
/// there like any inline schema: no name is made up for it, and a use the
/// client never types (an error response) adds no type. A schema that
/// refers to itself that way is left to [`foreign_refs`], which names it.
fn inline_schema_refs(doc: &mut Value, out: &mut Vec<Change>) {
    // Each round resolves one level of references inside copied schemas.
    for _ in 0..8 {
        let mut found = Vec::new();
        collect_refs(doc, &mut String::new(), Slot::Other, &mut found);
        let mut changed = false;
        for f in found.iter().filter(|f| {
            f.schema && !f.wrap && !f.target.starts_with("#/definitions/") && !followed(&f.target)
        }) {
            let Some(value) = doc.pointer(&f.target[1..]).cloned() else {
                continue;
            };
            if refers_to(&value, &f.target) {
                continue;
            }
            let Some(site) = doc.pointer_mut(&f.site) else {
                continue;
            };
            let mut value = value;
            if let (Value::Object(copy), Value::Object(own)) = (&mut value, &*site) {
                for (k, v) in own.iter().filter(|(k, _)| *k != "$ref") {
                    copy.insert(k.clone(), v.clone());
                }
            }
            *site = value;
            changed = true;
            lenient(
                out,
                join(&f.site, "$ref"),
                format!(
                    "`{}` is not where schemas live: the schema is copied here",
                    f.target
                ),
            );
        }
        if !changed {
            return;
        }
    }
}

/// Whether `node` holds a `$ref` to `target`.
fn refers_to(node: &Value, target: &str) -> bool {
    match node {
        Value::Object(map) => {
            map.get("$ref").and_then(Value::as_str) == Some(target)
                || map.values().any(|v| refers_to(v, target))
        }
        Value::Array(items) => items.iter().any(|v| refers_to(v, target)),
        _ => false,
    }
}

/// `$ref`s to other local places (`#/definitions/X`, a parameter's
/// schema): a schema met that way becomes a component schema (named for
/// what it is: `X`, or the parameter) and every reference points there; any
/// other target is copied in place of its reference.
fn foreign_refs(doc: &mut Value, out: &mut Vec<Change>) {
    let mut found = Vec::new();
    collect_refs(doc, &mut String::new(), Slot::Other, &mut found);
    if found.is_empty() {
        return;
    }
    let mut hoisted: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    // `#/definitions/X` left behind by a conversion that moved `X` to
    // `#/components/schemas/X` already: the reference follows it.
    let mut redirected: BTreeMap<String, String> = BTreeMap::new();
    for f in found.iter().filter(|f| f.schema) {
        let known = hoisted.contains_key(&f.target) || redirected.contains_key(&f.target);
        if known || followed(&f.target) {
            continue;
        }
        let definition = f
            .target
            .strip_prefix("#/definitions/")
            .filter(|d| !d.contains('/'));
        match doc.pointer(&f.target[1..]) {
            // The same schema under the same name in both places.
            Some(value)
                if definition.is_some_and(|d| {
                    doc.pointer(&format!("/components/schemas/{d}")) == Some(value)
                }) =>
            {
                let to = format!("#/components/schemas/{}", definition.unwrap_or_default());
                redirected.insert(f.target.clone(), to);
            }
            Some(value) => {
                // A definition keeps its key; another place is named by
                // its title, else by what holds it.
                let title = value.get("title").and_then(Value::as_str);
                let base = match definition {
                    Some(d) => d.replace("~1", "/").replace("~0", "~"),
                    None => title
                        .filter(|t| is_name(t))
                        .map_or_else(|| component_name(&f.target), str::to_string),
                };
                let name = unique_name(&base, &mut taken);
                hoisted.insert(f.target.clone(), name);
            }
            None => {
                let Some(name) = f.target.strip_prefix("#/definitions/") else {
                    continue;
                };
                if taken.iter().any(|t| pointer_token(t) == name) {
                    redirected.insert(f.target.clone(), format!("#/components/schemas/{name}"));
                }
            }
        }
    }
    let mut renamed: BTreeMap<String, String> = redirected;
    for (target, name) in &hoisted {
        renamed.insert(
            target.clone(),
            format!("#/components/schemas/{}", pointer_token(name)),
        );
    }
    for f in found.iter().filter(|f| f.schema) {
        let new = match renamed.get(&f.target) {
            Some(to) => to.clone(),
            None if f.wrap => f.target.clone(),
            None => continue,
        };
        if f.wrap {
            let response = json!({
                "description": "",
                "content": { "application/json": { "schema": { "$ref": new } } }
            });
            if let Some(site) = doc.pointer_mut(&f.site) {
                *site = response;
            }
            lenient(
                out,
                f.site.clone(),
                format!(
                    "a response that is the schema `{}`: read as a JSON response of `{new}`",
                    f.target
                ),
            );
            continue;
        }
        if let Some(Value::Object(site)) = doc.pointer_mut(&f.site) {
            site.insert("$ref".into(), Value::String(new.clone()));
        }
        lenient(
            out,
            join(&f.site, "$ref"),
            format!("`{}` is not where schemas live: read as `{new}`", f.target),
        );
    }
    discriminator_mappings(doc, &renamed, &mut String::new(), out);
    let mut moved = Vec::new();
    for (target, name) in &hoisted {
        if let Some(value) = doc.pointer(&target[1..]).cloned() {
            moved.push((target.clone(), name.clone(), value));
        }
    }
    for (target, name, value) in moved {
        let schemas = doc
            .as_object_mut()
            .map(|root| root.entry("components").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
            .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut);
        if let Some(schemas) = schemas {
            schemas.insert(name.clone(), value);
        }
        // The old place refers to the component, so one type stands for it;
        // a definition moves out of `definitions`.
        if let Some(key) = target.strip_prefix("#/definitions/") {
            if let Some(Value::Object(defs)) = doc.get_mut("definitions") {
                defs.remove(&key.replace("~1", "/").replace("~0", "~"));
            }
        } else if let Some(old) = doc.pointer_mut(&target[1..]) {
            *old = json!({ "$ref": format!("#/components/schemas/{}", pointer_token(&name)) });
        }
    }
    let emptied = doc
        .get("definitions")
        .and_then(Value::as_object)
        .is_some_and(|d| d.is_empty());
    if emptied {
        if let Some(root) = doc.as_object_mut() {
            root.remove("definitions");
        }
    }
    inline_other_refs(doc, &found, &hoisted, out);
}

/// `discriminator.mapping` values are references too.
fn discriminator_mappings(
    node: &mut Value,
    renamed: &BTreeMap<String, String>,
    at: &mut String,
    out: &mut Vec<Change>,
) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(mapping)) = map
                .get_mut("discriminator")
                .and_then(|d| d.get_mut("mapping"))
            {
                for (tag, target) in mapping.iter_mut() {
                    let Some(new) = target.as_str().and_then(|t| renamed.get(t)) else {
                        continue;
                    };
                    let pointer = format!("{at}/discriminator/mapping/{}", pointer_token(tag));
                    lenient(out, pointer, format!("{target} read as `{new}`"));
                    *target = Value::String(new.clone());
                }
            }
            for (key, child) in map.iter_mut() {
                let len = at.len();
                at.push('/');
                at.push_str(&pointer_token(key));
                discriminator_mappings(child, renamed, at, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                discriminator_mappings(child, renamed, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// A non-schema reference to a place that is not a component: the target
/// is copied in, as a resolver would.
fn inline_other_refs(
    doc: &mut Value,
    found: &[Foreign],
    hoisted: &BTreeMap<String, String>,
    out: &mut Vec<Change>,
) {
    for f in found
        .iter()
        .filter(|f| !f.schema && !hoisted.contains_key(&f.target))
    {
        let Some(value) = doc.pointer(&f.target[1..]).cloned() else {
            continue;
        };
        if value
            .get("$ref")
            .is_some_and(|r| r.as_str() == Some(&f.target))
        {
            continue;
        }
        if let Some(site) = doc.pointer_mut(&f.site) {
            // What the site says beside its `$ref` wins over the copy.
            let mut value = value;
            if let (Value::Object(copy), Value::Object(own)) = (&mut value, &*site) {
                for (k, v) in own.iter().filter(|(k, _)| *k != "$ref") {
                    copy.insert(k.clone(), v.clone());
                }
            }
            *site = value;
            lenient(
                out,
                f.site.clone(),
                format!(
                    "`$ref: {}` is not a component of the kind this place needs: its content copied here",
                    f.target
                ),
            );
        }
    }
}

/// `#/definitions/Pet` → `Pet`; `#/components/parameters/sort_order/schema`
/// → `sort_order`: the last segment that names something.
fn component_name(target: &str) -> String {
    const STRUCTURE: &[&str] = &[
        "schema",
        "schemas",
        "items",
        "properties",
        "additionalProperties",
        "content",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "definitions",
        "components",
        "parameters",
        "responses",
        "requestBodies",
        "headers",
        "paths",
    ];
    target
        .trim_start_matches('#')
        .split('/')
        .rev()
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .find(|t| {
            !t.is_empty()
                && !STRUCTURE.contains(&t.as_str())
                && !t.contains('/')
                && !t.chars().all(|c| c.is_ascii_digit())
        })
        .unwrap_or_else(|| "Referenced".to_string())
}

/// A title short and plain enough to be a schema's name.
fn is_name(title: &str) -> bool {
    !title.is_empty()
        && title.len() <= 64
        && title
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.'))
}

fn unique_name(base: &str, taken: &mut Vec<String>) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// A path template that names a parameter no one declares: the parameter
/// is a required string, since a path segment is text.
fn undeclared_path_params(doc: &mut Value, out: &mut Vec<Change>) {
    let components = doc.pointer("/components/parameters").cloned();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let names = template_names(path);
        if names.is_empty() {
            continue;
        }
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let shared = declared(item.get("parameters"), components.as_ref());
        for method in crate::ir::HttpMethod::ALL {
            let Some(Value::Object(op)) = item.get_mut(method.key()) else {
                continue;
            };
            let mut known = shared.clone();
            known.extend(declared(op.get("parameters"), components.as_ref()));
            let missing: Vec<&String> = names.iter().filter(|n| !known.contains(n)).collect();
            if missing.is_empty() {
                continue;
            }
            let params = op.entry("parameters").or_insert_with(|| json!([]));
            let Some(params) = params.as_array_mut() else {
                continue;
            };
            for name in missing {
                params.push(json!({
                    "name": name, "in": "path", "required": true, "schema": { "type": "string" }
                }));
                lenient(
                    out,
                    join(&join("/paths", path), method.key()),
                    format!("path template names `{{{name}}}` but declares no such parameter: added as a required string"),
                );
            }
        }
    }
}

fn template_names(path: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
    {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The names of the path parameters a `parameters` list declares.
fn declared(params: Option<&Value>, components: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(list)) = params else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|p| {
            let p = match p.get("$ref").and_then(Value::as_str) {
                Some(r) => components?.get(r.strip_prefix("#/components/parameters/")?)?,
                None => p,
            };
            (p.get("in")? == "path").then(|| p.get("name")?.as_str().map(str::to_string))?
        })
        .collect()
}

/// Integers beyond 64 bits (`maximum: 18446744073709551616`) are read as
/// the nearest float, which keeps their meaning as bounds; each is named.
fn big_integers(node: &Value, at: &mut String, out: &mut Vec<Change>) {
    match node {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                if f.fract() == 0.0 && f.abs() >= 9.223_372_036_854_776e18 {
                    lenient(
                        out,
                        at.clone(),
                        format!("integer beyond 64 bits: read as {f:e}"),
                    );
                }
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&pointer_token(key));
                big_integers(child, at, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                big_integers(child, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}
