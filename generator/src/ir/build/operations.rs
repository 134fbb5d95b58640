//! Paths and operations → [`Operation`]s: every operation of the spec, with
//! its parameters, body and success response typed through the same
//! [`Builder`] as the schemas (inline body schemas become named types).

use std::collections::BTreeMap;

use super::types::Builder;
use crate::error::{join, Error, Result};
use crate::ir::features::TagGroups;
use crate::ir::model::{
    AnswerItems, Body, Bulk, BulkTotal, CursorIn, HttpMethod, Location, NameSource, Operation,
    Pagination, Param, Servers, Success, Ty, TypeKind,
};
use crate::naming::{self, Scope};
use crate::overrides::{OperationOverride, Overrides};
use heck::ToUpperCamelCase;
use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, QueryStyle, ReferenceOr,
    RequestBody, Response, StatusCode,
};

pub fn servers(doc: &OpenAPI) -> Servers {
    match doc.servers.first() {
        Some(s) => Servers {
            url: s.url.trim_end_matches('/').to_string(),
            variables: s
                .variables
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.default.clone()))
                .collect(),
        },
        None => Servers {
            url: String::new(),
            variables: Vec::new(),
        },
    }
}

pub(super) fn build<'a>(
    b: &mut Builder<'a>,
    doc: &'a OpenAPI,
    profile: &Overrides,
    tags: &TagGroups,
) -> Result<Vec<Operation>> {
    let overrides = &profile.operations;
    let locked = &profile.locked_methods;
    let mut ops = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        let pointer = join("/paths", path);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                return Err(Error::Reference {
                    pointer,
                    target: reference.clone(),
                    message: "path item references are not supported".into(),
                })
            }
        };
        for (method, op) in operations_of(item) {
            let at = join(&pointer, method.key());
            let key = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method} {path}"));
            let mut built = OperationBuilder {
                b,
                doc,
                item,
                op,
                path,
                method,
                at: &at,
                over: overrides.get(&key),
                profile,
                tags,
            }
            .build()?;
            if let Some(name) = locked.get(&built.pointer) {
                built.name = name.clone();
                built.name_source = NameSource::Locked;
            }
            if let Some(o) = overrides.get(&key) {
                used.insert(key);
                if let Some(name) = &o.name {
                    built.name = name.clone();
                    built.name_source = NameSource::Pinned;
                }
                if let Some(idempotent) = o.idempotent {
                    built.idempotent = idempotent;
                }
            }
            ops.push(built);
        }
    }
    for key in overrides.keys().filter(|k| !used.contains(*k)) {
        b.finding(
            "/paths",
            format!("spec/codegen.toml names operation `{key}`, which the spec does not have"),
        );
    }
    unique_method_names(&mut ops)?;
    Ok(ops)
}

/// Method names are unique within a tag's API: pinned names are kept (two
/// equal pins are an error), generated ones numbered on collision.
fn unique_method_names(ops: &mut [Operation]) -> Result<()> {
    let mut scopes: BTreeMap<String, Scope> = BTreeMap::new();
    for op in ops.iter().filter(|o| o.name_source == NameSource::Pinned) {
        let scope = scopes.entry(op.tag.clone()).or_default();
        if scope.contains(&op.name) {
            return Err(Error::invalid(
                op.pointer.clone(),
                format!(
                    "spec/codegen.toml pins `{}` twice in tag `{}`",
                    op.name, op.tag
                ),
            ));
        }
        scope.claim(&op.name);
    }
    // Names from the lock next: kept when still free in their tag.
    for op in ops
        .iter_mut()
        .filter(|o| o.name_source == NameSource::Locked)
    {
        let scope = scopes.entry(op.tag.clone()).or_default();
        if scope.contains(&op.name) {
            op.name_source = NameSource::Derived;
            op.name = naming::field_name(op.operation_id.as_deref().unwrap_or(&op.name));
        } else {
            scope.claim(&op.name);
        }
    }
    for op in ops
        .iter_mut()
        .filter(|o| o.name_source == NameSource::Derived)
    {
        op.name = scopes.entry(op.tag.clone()).or_default().claim(&op.name);
    }
    Ok(())
}

fn operations_of(item: &PathItem) -> Vec<(HttpMethod, &openapiv3::Operation)> {
    let all = [
        &item.get,
        &item.put,
        &item.post,
        &item.delete,
        &item.options,
        &item.head,
        &item.patch,
        &item.trace,
    ];
    HttpMethod::ALL
        .into_iter()
        .zip(all)
        .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
        .collect()
}

struct OperationBuilder<'b, 'a> {
    b: &'b mut Builder<'a>,
    doc: &'a OpenAPI,
    item: &'a PathItem,
    op: &'a openapiv3::Operation,
    path: &'a str,
    method: HttpMethod,
    at: &'b str,
    over: Option<&'b OperationOverride>,
    /// The API's conventions: pagination and bulk field names, read-only POSTs.
    profile: &'b Overrides,
    /// The Cargo feature of each tag.
    tags: &'b TagGroups,
}

impl<'a> OperationBuilder<'_, 'a> {
    /// The operation's id as its author meant it: FastAPI's generated ids
    /// repeat the path and method, which the method name already says.
    fn given_id(&mut self, id: &'a str) -> &'a str {
        let Some(stem) = naming::fastapi_stem(id, self.path, self.method.key()) else {
            return id;
        };
        self.b.finding(
            self.at,
            format!("operationId `{id}` is FastAPI's `{{function}}{{path}}_{{method}}`; named from `{stem}`"),
        );
        stem
    }

    fn build(mut self) -> Result<Operation> {
        let op = self.op;
        let id = op.operation_id.as_deref().map(|id| self.given_id(id));
        let name = match id {
            Some(id) => naming::field_name(id),
            None => {
                let name = naming::field_name(&format!(
                    "{} {}",
                    self.method.key(),
                    self.path.replace(['{', '}'], "")
                ));
                self.b.finding(
                    self.at,
                    format!("no operationId; method named `{name}` from method and path"),
                );
                name
            }
        };
        // A method renamed in the profile names its Params, Request and
        // Response types too: `postApiV1…Cancel` pinned as
        // `cancel_transformation` gives `CancelTransformationRequest`.
        let type_base = self
            .over
            .and_then(|o| o.name.as_deref())
            .or(id)
            .map(str::to_upper_camel_case)
            .unwrap_or_else(|| name.to_upper_camel_case());
        let params = self.params(&type_base)?;
        let params_type = params
            .iter()
            .any(|p| p.location != Location::Path)
            .then(|| {
                let pointer = join(self.at, "parameters");
                self.b
                    .type_name_for(&pointer, &format!("{type_base}Params"))
            });
        let body = self.body(&type_base)?;
        let response = self.success(&type_base)?;
        let server = op
            .servers
            .first()
            .or(self.item.servers.first())
            .map(|s| s.url.trim_end_matches('/').to_string());
        let capabilities = op
            .extensions
            .get("x-capability")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let idempotent = match self.method {
            HttpMethod::Post | HttpMethod::Patch => self.profile.retry.read_only(self.path),
            _ => true,
        };
        let tag = op.tags.first().cloned().unwrap_or_else(|| "Default".into());
        let mut out = Operation {
            name,
            name_source: NameSource::Derived,
            operation_id: op.operation_id.clone(),
            tag: tag.clone(),
            feature: self.tags.feature_of(&tag),
            method: self.method,
            path: self.path.to_string(),
            pointer: self.at.to_string(),
            server,
            params,
            params_type,
            body,
            response,
            summary: op.summary.clone(),
            description: op.description.clone(),
            capabilities,
            deprecated: op.deprecated,
            idempotent,
            pagination: None,
            bulk: None,
        };
        out.pagination = self.pagination(&out);
        out.bulk = self.bulk(&out);
        self.unused_bulk_limits(&out);
        Ok(out)
    }

    /// Path-level parameters first, overridden by operation-level ones of the same name and place.
    fn params(&mut self, type_base: &str) -> Result<Vec<Param>> {
        let mut seen: Vec<(String, Location)> = Vec::new();
        let mut out: Vec<Param> = Vec::new();
        let mut scope = Scope::with_reserved(&["body", "params", "partitions"]);
        let op_params = self
            .op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, join(&join(self.at, "parameters"), &i.to_string())));
        let item_at = self.at.rsplit_once('/').map_or("", |(p, _)| p).to_string();
        let item_params = self
            .item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, join(&join(&item_at, "parameters"), &i.to_string())));
        let all: Vec<_> = op_params.chain(item_params).collect();
        for (p, at) in all {
            let Some(param) = self.resolve_param(p, &at)? else {
                continue;
            };
            let (data, location, explode) = match param {
                Parameter::Path { parameter_data, .. } => (parameter_data, Location::Path, false),
                Parameter::Query {
                    parameter_data,
                    style,
                    ..
                } => {
                    let explode = parameter_data
                        .explode
                        .unwrap_or(matches!(style, QueryStyle::Form));
                    (parameter_data, Location::Query, explode)
                }
                Parameter::Header { parameter_data, .. } => {
                    (parameter_data, Location::Header, false)
                }
                Parameter::Cookie { parameter_data, .. } => {
                    self.b.fallback(
                        &at,
                        &format!(
                            "cookie parameter `{}` is not sent by the client",
                            parameter_data.name
                        ),
                    );
                    continue;
                }
            };
            if seen.iter().any(|(n, l)| n == &data.name && *l == location) {
                continue;
            }
            // OpenAPI: such header parameters "SHALL be ignored"; the client
            // sets these headers itself.
            let reserved = ["accept", "content-type", "authorization"];
            if location == Location::Header
                && reserved.contains(&data.name.to_ascii_lowercase().as_str())
            {
                self.b.finding(
                    &at,
                    format!(
                        "header parameter `{}` is ignored, as OpenAPI says",
                        data.name
                    ),
                );
                continue;
            }
            seen.push((data.name.clone(), location));
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    let hint = naming::nested(type_base, &data.name.to_upper_camel_case());
                    without_null(self.b.ty(s, &hint, &join(&at, "schema"))?)
                }
                ParameterSchemaOrContent::Content(_) => {
                    self.b
                        .fallback(&at, "parameter given by `content`; sent as JSON text");
                    Ty::Any
                }
            };
            out.push(Param {
                wire: data.name.clone(),
                name: scope.claim(&naming::field_name(&data.name)),
                location,
                ty,
                required: data.required || location == Location::Path,
                doc: data.description.clone(),
                explode,
                // Through a `$ref` too: a path segment must match the
                // referenced schema's pattern, or `validate()` refuses it.
                rules: match &data.format {
                    ParameterSchemaOrContent::Schema(s) => self.b.rules(s, &join(&at, "schema")),
                    ParameterSchemaOrContent::Content(_) => Default::default(),
                },
                hints: match &data.format {
                    ParameterSchemaOrContent::Schema(s) => self.b.prop_hints(s, &at),
                    ParameterSchemaOrContent::Content(_) => Default::default(),
                },
            });
        }
        // A path parameter the template does not name (seen: `project`,
        // which the server URL already carries) cannot be sent: dropped, reported.
        let named = template_params(self.path);
        let mut kept = Vec::new();
        for p in out {
            if p.location == Location::Path && !named.contains(&p.wire) {
                self.b.finding(
                    self.at,
                    format!(
                        "path parameter `{}` is not in the path template; not an argument",
                        p.wire
                    ),
                );
            } else {
                kept.push(p);
            }
        }
        let mut out = kept;
        // Path parameters in the order they appear in the template.
        let path = self.path;
        out.sort_by_key(|p| match p.location {
            Location::Path => (
                0,
                path.find(&format!("{{{}}}", p.wire)).unwrap_or(usize::MAX),
            ),
            Location::Query => (1, 0),
            Location::Header => (2, 0),
        });
        for segment in template_params(path) {
            if !out
                .iter()
                .any(|p| p.location == Location::Path && p.wire == segment)
            {
                return Err(Error::invalid(
                    self.at,
                    format!(
                        "path template names `{{{segment}}}` but no path parameter declares it"
                    ),
                ));
            }
        }
        Ok(out)
    }

    fn resolve_param(
        &mut self,
        p: &'a ReferenceOr<Parameter>,
        at: &str,
    ) -> Result<Option<&'a Parameter>> {
        match p {
            ReferenceOr::Item(p) => Ok(Some(p)),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/");
                let found = name.and_then(|n| self.doc.components.as_ref()?.parameters.get(n));
                match found {
                    Some(ReferenceOr::Item(p)) => Ok(Some(p)),
                    _ => Err(Error::Reference {
                        pointer: at.to_string(),
                        target: reference.clone(),
                        message: "points at no parameter".into(),
                    }),
                }
            }
        }
    }

    fn body(&mut self, type_base: &str) -> Result<Option<Body>> {
        let Some(rb) = &self.op.request_body else {
            return Ok(None);
        };
        let at = join(self.at, "requestBody");
        let rb: &'a RequestBody = match rb {
            ReferenceOr::Item(rb) => rb,
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/requestBodies/");
                match name.and_then(|n| self.doc.components.as_ref()?.request_bodies.get(n)) {
                    Some(ReferenceOr::Item(rb)) => rb,
                    _ => {
                        return Err(Error::Reference {
                            pointer: at,
                            target: reference.clone(),
                            message: "points at no request body".into(),
                        })
                    }
                }
            }
        };
        let required = rb.required;
        let content = join(&at, "content");
        if let Some((media, mt)) = rb.content.iter().find(|(m, _)| is_json(m)) {
            if rb.content.len() > 1 {
                let others: Vec<&str> = rb
                    .content
                    .keys()
                    .filter(|m| *m != media)
                    .map(String::as_str)
                    .collect();
                self.b.finding(
                    &content,
                    format!(
                        "body also accepted as {}; the client sends JSON",
                        others.join(", ")
                    ),
                );
            }
            let ty = self.media_ty(mt, &format!("{type_base}Request"), &join(&content, media))?;
            return Ok(Some(Body::Json { ty, required }));
        }
        Ok(match rb.content.keys().next() {
            Some(m) if m.starts_with("multipart/") => Some(Body::Multipart { required }),
            Some(m) => Some(Body::Bytes {
                content_type: m.clone(),
                required,
            }),
            None => None,
        })
    }

    fn media_ty(&mut self, mt: &'a MediaType, hint: &str, at: &str) -> Result<Ty> {
        match &mt.schema {
            Some(s) => self.b.ty(s, hint, &join(at, "schema")),
            None => Ok(Ty::Any),
        }
    }

    /// The first 2xx response, by status code.
    fn success(&mut self, type_base: &str) -> Result<Success> {
        let mut codes: Vec<(u16, &'a ReferenceOr<Response>)> = self
            .op
            .responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
                StatusCode::Range(2) => Some((299, r)),
                _ => None,
            })
            .collect();
        codes.sort_by_key(|(c, _)| *c);
        let Some((code, response)) = codes.first().copied() else {
            return Ok(Success::Empty);
        };
        let at = join(&join(self.at, "responses"), &code.to_string());
        let response: &'a Response = match response {
            ReferenceOr::Item(r) => r,
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/");
                match name.and_then(|n| self.doc.components.as_ref()?.responses.get(n)) {
                    Some(ReferenceOr::Item(r)) => r,
                    _ => {
                        return Err(Error::Reference {
                            pointer: at,
                            target: reference.clone(),
                            message: "points at no response".into(),
                        })
                    }
                }
            }
        };
        let content = join(&at, "content");
        if let Some((media, mt)) = response.content.iter().find(|(m, _)| is_json(m)) {
            let ty = self.media_ty(mt, &format!("{type_base}Response"), &join(&content, media))?;
            return Ok(Success::Json(ty));
        }
        Ok(match response.content.keys().next() {
            None => Success::Empty,
            Some(m) if m.starts_with("text/") => Success::Text {
                content_type: m.clone(),
            },
            Some(m) => Success::Bytes {
                content_type: m.clone(),
            },
        })
    }

    fn pagination(&self, op: &Operation) -> Option<Pagination> {
        let Success::Json(response) = &op.response else {
            return None;
        };
        let names = self.profile.pagination.as_ref()?;
        let fields = self.struct_fields(response)?;
        let items = fields.iter().find(|f| f.wire == names.items)?;
        let next = fields.iter().find(|f| f.wire == names.next_cursor)?;
        if !self.is_string(&next.ty) {
            return None;
        }
        let item = match self.resolved(&items.ty) {
            Ty::Array(item) => (*item).clone(),
            _ => return None,
        };
        // The request's cursor, and its partition beside it, by their
        // Rust names: an optional string query parameter, or an optional
        // string field of the JSON body.
        let in_query = |wire: &str| {
            op.params
                .iter()
                .find(|p| {
                    p.wire == wire
                        && p.location == Location::Query
                        && !p.required
                        && self.is_string(&p.ty)
                })
                .map(|p| p.name.clone())
        };
        // A nullable body cannot carry the cursor: the runtime sets it on
        // the request struct itself (`pagination::Cursor`).
        let in_body = |wire: &str| match &op.body {
            Some(Body::Json { ty, .. }) if !self.nullable(ty) => {
                self.struct_fields(ty).and_then(|fields| {
                    fields
                        .iter()
                        .find(|f| {
                            f.wire == wire && !f.required && !f.flatten && self.is_string(&f.ty)
                        })
                        .map(|f| f.name.clone())
                })
            }
            _ => None,
        };
        let (cursor_in, cursor_field) = match (in_query(&names.cursor), in_body(&names.cursor)) {
            (Some(field), _) => (CursorIn::Query, field),
            (None, Some(field)) => (CursorIn::Body, field),
            _ => return None,
        };
        let partition = names.partition.as_deref().and_then(|wire| match cursor_in {
            CursorIn::Query => in_query(wire),
            CursorIn::Body => in_body(wire),
        });
        Some(Pagination {
            cursor_in,
            items_field: items.name.clone(),
            items_optional: !items.required || matches!(items.ty, Ty::Nullable(_)),
            next_cursor_field: next.name.clone(),
            next_cursor_optional: !next.required || matches!(next.ty, Ty::Nullable(_)),
            next_cursor_wire: names.next_cursor.clone(),
            cursor_wire: names.cursor.clone(),
            cursor_field,
            item,
            partition,
        })
    }

    /// Limits in `spec/codegen.toml` that cannot apply are reported, not
    /// dropped in silence: an operation with no bulk method, or a total
    /// whose first key the item does not have.
    fn unused_bulk_limits(&mut self, op: &Operation) {
        let Some(o) = self.over else { return };
        let Some(bulk) = &op.bulk else {
            if o.bulk_max_items.is_some() || !o.bulk_totals.is_empty() {
                let message = "spec/codegen.toml sets bulk limits, but the body has no bulk items array (`bulk.items`) with a limit; ignored".to_string();
                self.b.finding(self.at, message);
            }
            return;
        };
        let keys: Option<Vec<String>> = self
            .struct_fields(&bulk.item)
            .map(|fields| fields.iter().map(|f| f.wire.clone()).collect());
        for total in &bulk.totals {
            let first = total.path.first().cloned().unwrap_or_default();
            if keys.as_ref().is_some_and(|k| !k.contains(&first)) {
                let message = format!("spec/codegen.toml: bulk total `{}` names a key the items do not have; it counts nothing", total.path.join("."));
                self.b.finding(self.at, message);
            }
        }
    }

    fn bulk(&mut self, op: &Operation) -> Option<Bulk> {
        let Some(Body::Json { ty, .. }) = &op.body else {
            return None;
        };
        let field = &self.profile.bulk.as_ref()?.items;
        let fields = self.struct_fields(ty)?;
        let items = fields.iter().find(|f| f.wire == *field && !f.flatten)?;
        let Ty::Array(item) = self.resolved(&items.ty) else {
            return None;
        };
        let over = self.over.and_then(|o| o.bulk_max_items);
        let max_items = over.or(items.rules.max_items).filter(|n| *n > 0)?;
        let items_optional = !items.required || matches!(items.ty, Ty::Nullable(_));
        let items_field = items.name.clone();
        if let (Some(o), Some(spec)) = (over, items.rules.max_items) {
            if o > spec {
                let message = format!(
                    "spec/codegen.toml sets bulk_max_items = {o} above the spec's maxItems {spec}"
                );
                self.b.finding(self.at, message);
            }
        }
        let totals = self.over.map_or_else(Vec::new, |o| {
            o.bulk_totals
                .iter()
                .map(|t| BulkTotal {
                    path: t.path.split('.').map(str::to_string).collect(),
                    max: t.max,
                })
                .collect()
        });
        let answer_items = match &op.response {
            Success::Json(answer) => self.struct_fields(answer).and_then(|f| match f {
                [only] if only.wire == *field && !only.flatten => match self.resolved(&only.ty) {
                    Ty::Array(item) => Some(AnswerItems {
                        field: only.name.clone(),
                        optional: !only.required || matches!(only.ty, Ty::Nullable(_)),
                        item: *item,
                    }),
                    _ => None,
                },
                _ => None,
            }),
            _ => None,
        };
        Some(Bulk {
            items_field,
            items_optional,
            item: *item,
            max_items,
            max_from_spec: over.is_none(),
            totals,
            answer_items,
        })
    }

    /// Follows aliases and nullability to the type underneath.
    fn resolved(&self, ty: &Ty) -> Ty {
        self.underneath(ty).0
    }

    /// `ty` takes `null`, itself or through the aliases it names.
    fn nullable(&self, ty: &Ty) -> bool {
        self.underneath(ty).1
    }

    fn underneath(&self, ty: &Ty) -> (Ty, bool) {
        ty.underneath(|id| self.b.built(id).map(|d| &d.kind))
    }

    fn is_string(&self, ty: &Ty) -> bool {
        self.resolved(ty) == Ty::String
    }

    fn struct_fields(&self, ty: &Ty) -> Option<&[crate::ir::model::Field]> {
        match self.resolved(ty) {
            Ty::Named(id) => match &self.b.built(id)?.kind {
                TypeKind::Struct(s) => Some(&s.fields),
                _ => None,
            },
            _ => None,
        }
    }
}

/// `{name}` placeholders of a path template, in order.
pub fn template_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

fn is_json(media: &str) -> bool {
    let m = media.split(';').next().unwrap_or("").trim();
    m == "application/json" || m.ends_with("+json")
}

/// A parameter's type without `null`: a path, query string or header has
/// no way to say it, so a nullable parameter (or nullable items of an
/// array parameter, as Cloudflare's `queryType` has) is its plain type;
/// an absent optional parameter is still `None`.
fn without_null(ty: Ty) -> Ty {
    match ty {
        Ty::Nullable(inner) => without_null(*inner),
        Ty::Array(inner) => Ty::Array(Box::new(without_null(*inner))),
        other => other,
    }
}
