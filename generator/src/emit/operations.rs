//! Operations → one API struct per tag (`client.sequences()`), one async
//! method per operation, a `*Params` struct for query and header parameters,
//! `*_stream` / `*_partitioned` methods for cursor pagination, and `*_bulk`
//! methods for bodies whose `items` have a per-request limit.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::construct::{constructors, Member};
use super::types::{doc_attrs, ident, TypeEmitter};
use crate::ir::{Body, Location, Operation, Param, Success};
use crate::ir::{Ir, Ty, TypeKind};
use crate::naming;

/// A tag's API: its Rust names and operations.
pub struct TagApi<'a> {
    pub tag: &'a str,
    /// `sequences` (module and accessor).
    pub module: String,
    /// `SequencesApi`.
    pub type_name: String,
    /// The Cargo feature of the tag's group.
    pub feature: String,
    pub ops: Vec<&'a Operation>,
}

pub fn tag_apis(ir: &Ir) -> Vec<TagApi<'_>> {
    let mut by_tag: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &ir.operations {
        by_tag.entry(op.tag.as_str()).or_default().push(op);
    }
    let mut modules = naming::Scope::with_reserved(&["runtime", "types", "api", "client"]);
    let mut types = naming::Scope::default();
    by_tag
        .into_iter()
        .map(|(tag, ops)| TagApi {
            tag,
            module: modules.claim(&naming::field_name(&naming::spell_leading_digit(tag))),
            type_name: types.claim(&naming::type_name(&format!(
                "{} api",
                naming::spell_leading_digit(tag)
            ))),
            feature: ops.first().map(|o| o.feature.clone()).unwrap_or_default(),
            ops,
        })
        .collect()
}

pub struct OperationEmitter<'a> {
    pub ir: &'a Ir,
    pub types: &'a TypeEmitter<'a>,
    /// The generated crate's library name, for the doc examples.
    pub lib: String,
}

impl OperationEmitter<'_> {
    /// The module of one tag: the API struct, params structs and methods.
    pub fn module(&self, api: &TagApi<'_>) -> TokenStream {
        let api_ty = ident(&api.type_name);
        let doc = format!(
            " Operations tagged `{}` ({} in all).",
            api.tag,
            api.ops.len()
        );
        let params = api.ops.iter().filter_map(|op| self.params_struct(op));
        let methods = api
            .ops
            .iter()
            .map(|op| self.method(op, &api_ty, &api.module));
        quote! {
            #[allow(unused_imports)]
            use crate::types::*;
            #[allow(unused_imports)]
            use crate::runtime::{bulk::{self, BulkError, BulkOptions}, client::Client, encode, error::Error, pagination::{self, Page}, request::{Method, Part, Request}, setter::setter, constructor::constructor};

            #[doc = #doc]
            #[derive(Debug, Clone, Copy)]
            pub struct #api_ty<'a> {
                pub(crate) client: &'a Client,
            }

            #(#params)*

            impl<'a> #api_ty<'a> {
                #(#methods)*
            }
        }
    }

    pub(super) fn params_struct(&self, op: &Operation) -> Option<TokenStream> {
        let name = ident(op.params_type.as_ref()?);
        let fields: Vec<&Param> = op
            .params
            .iter()
            .filter(|p| p.location != Location::Path)
            .collect();
        let all_optional = fields.iter().all(|p| !p.required);
        let default = all_optional.then(|| quote!(Default,));
        let members: Vec<Member> = fields
            .iter()
            .map(|p| Member {
                name: ident(&p.name),
                ty: self.types.ty(&p.ty),
                required: p.required,
                convert: self.types.is_string(&p.ty),
            })
            .collect();
        let constructors = constructors(&name, &members, false);
        let fields = fields.iter().map(|p| {
            let doc = doc_attrs(Some(&param_doc(p)));
            let fname = ident(&p.name);
            let ty = self.types.ty(&p.ty);
            if p.required {
                quote!(#doc pub #fname: #ty,)
            } else {
                quote!(#doc pub #fname: Option<#ty>,)
            }
        });
        let doc = format!(
            " Query and header parameters of `{} {}`.",
            op.method, op.path
        );
        let checks = self.params_checks(op);
        let validate = (!checks.is_empty()).then(|| {
            quote! {
                impl crate::runtime::validate::Validate for #name {
                    fn check(&self, v: &mut crate::runtime::validate::Validator) {
                        #(#checks)*
                    }
                }
            }
        });
        Some(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, #default serde::Deserialize)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
            }

            #constructors

            #validate
        })
    }

    /// The checks of the query and header parameters, each under its name.
    pub(super) fn params_checks(&self, op: &Operation) -> Vec<TokenStream> {
        op.params
            .iter()
            .filter(|p| p.location != Location::Path)
            .map(|p| {
                let inner = p.ty.clone();
                let ty = if p.required {
                    inner
                } else {
                    Ty::Nullable(Box::new(inner))
                };
                let name = ident(&p.name);
                self.types
                    .keyed_check(&p.wire, &ty, &p.rules, false, quote!(&self.#name))
            })
            .filter(|check| !check.is_empty())
            .collect()
    }

    /// `self.client.check(..)?;` over the path parameters, the params
    /// struct and the body, when any of them has a rule.
    pub(super) fn send_checks(&self, op: &Operation) -> TokenStream {
        let mut parts: Vec<TokenStream> = op
            .params
            .iter()
            .filter(|p| p.location == Location::Path)
            .map(|p| {
                let name = ident(&p.name);
                // Numbers are passed by value, text and enums by reference.
                let value = match self.resolved(&p.ty) {
                    Ty::Integer { .. } | Ty::Number | Ty::Boolean => quote!(&#name),
                    _ => quote!(#name),
                };
                // A union taken as text (`&str`) is checked by the rules
                // written on the parameter, not by the union's own checks.
                let ty = match path_arg_is_text(self.ir, &p.ty) {
                    true => &Ty::String,
                    false => &p.ty,
                };
                self.types.keyed_check(&p.wire, ty, &p.rules, false, value)
            })
            .filter(|check| !check.is_empty())
            .collect();
        // The params struct has `impl Validate` exactly when it has checks.
        if op.params_type.is_some() && !self.params_checks(op).is_empty() {
            parts.push(quote!(v.nested(params);));
        }
        if let Some(Body::Json { ty, .. }) = &op.body {
            if self.types.checks_anything(ty) {
                parts.push(quote!(v.nested(body);));
            }
        }
        if parts.is_empty() {
            return quote!();
        }
        let body = super::validate::closure_body(quote!(#(#parts)*));
        quote!(self.client.check(|v| #body)?;)
    }

    /// The argument list of an operation's method (after `&self`), and the
    /// expressions that pass the same arguments on (for stream methods).
    pub(super) fn args(&self, op: &Operation, owned: bool) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let mut args = Vec::new();
        let mut pass = Vec::new();
        for p in op.params.iter().filter(|p| p.location == Location::Path) {
            let name = ident(&p.name);
            let (ty, by_ref) = self.path_arg_ty(&p.ty, owned);
            args.push(quote!(#name: #ty));
            pass.push(if by_ref {
                quote!(&#name)
            } else {
                quote!(#name)
            });
        }
        if let Some(params) = &op.params_type {
            let ty = ident(params);
            if owned {
                args.push(quote!(params: #ty));
                pass.push(quote!(&params));
            } else {
                args.push(quote!(params: &#ty));
                pass.push(quote!(params));
            }
        }
        match &op.body {
            // Sent whether or not the spec marks the body required: an
            // empty JSON object is a valid optional body, and `&T` reads better.
            Some(Body::Json { ty, .. }) => {
                let ty = self.types.ty(ty);
                if owned {
                    args.push(quote!(body: #ty));
                    pass.push(quote!(&body));
                } else {
                    args.push(quote!(body: &#ty));
                    pass.push(quote!(body));
                }
            }
            Some(Body::Bytes { .. }) => {
                args.push(quote!(body: bytes::Bytes));
                pass.push(quote!(body.clone()));
            }
            Some(Body::Multipart { .. }) => {
                args.push(quote!(parts: Vec<Part>));
                pass.push(quote!(parts.clone()));
            }
            None => {}
        }
        (args, pass)
    }

    /// A path parameter's Rust type: text by reference, numbers by value.
    pub(super) fn path_arg_ty(&self, ty: &Ty, owned: bool) -> (TokenStream, bool) {
        match self.resolved(ty) {
            Ty::Integer { .. } | Ty::Number | Ty::Boolean => {
                (self.types.ty(&self.resolved(ty)), false)
            }
            Ty::Named(id) if matches!(self.ir.types[id.0].kind, TypeKind::Enum(_)) => {
                let t = self.types.ty(&Ty::Named(id));
                if owned {
                    (t, true)
                } else {
                    (quote!(&#t), false)
                }
            }
            _ if owned => (quote!(String), true),
            _ => (quote!(&str), false),
        }
    }

    pub(super) fn resolved(&self, ty: &Ty) -> Ty {
        self.ir.resolve(ty)
    }

    pub(super) fn method(
        &self,
        op: &Operation,
        api_ty: &proc_macro2::Ident,
        accessor: &str,
    ) -> TokenStream {
        let name = ident(&op.name);
        let (args, _) = self.args(op, false);
        let example = self.example(op, accessor, &args);
        // The spec's text is sanitised (its code blocks are not ours to
        // compile); the example is ours and is compiled as a doctest.
        let example_lines: Vec<String> = format!("\n# Example\n\n```no_run\n{example}```")
            .lines()
            .map(|l| format!(" {l}"))
            .collect();
        let doc = doc_attrs(Some(&method_doc(op)));
        let doc = quote!(#doc #(#[doc = #example_lines])*);
        let ret = self.answer_ty(op);
        let finish = match &op.response {
            Success::Json(_) => quote!(response.decode().await),
            Success::Empty => quote!(response.unit()),
            Success::Text { .. } => quote!(response.text()),
            Success::Bytes { .. } => quote!(Ok(response.bytes())),
        };
        let check = self.send_checks(op);
        let build = self.request(op);
        let deprecated = op
            .deprecated
            .then(|| quote!(#[deprecated = "deprecated in the API spec"]));
        let stream = op
            .pagination
            .as_ref()
            .map(|_| self.stream_methods(op, api_ty));
        let bulk = op.bulk.as_ref().map(|b| self.bulk_method(op, b, api_ty));
        let many = allow_many_args(args.len());
        quote! {
            #doc
            #deprecated
            #many
            pub async fn #name(&self, #(#args),*) -> Result<#ret, Error> {
                #check
                #build
                let response = self.client.execute(request).await?;
                #finish
            }
            #stream
            #bulk
        }
    }

    /// What the method of `op` returns.
    pub(super) fn answer_ty(&self, op: &Operation) -> TokenStream {
        match &op.response {
            Success::Json(ty) => self.types.ty(ty),
            Success::Empty => quote!(()),
            Success::Text { .. } => quote!(String),
            Success::Bytes { .. } => quote!(bytes::Bytes),
        }
    }

    /// A compiled (not run) example of the call. Its arguments are built
    /// with their required parts filled in (see [`super::sample`]); where
    /// one cannot be, they are parameters of the example function instead.
    pub(super) fn example(&self, op: &Operation, accessor: &str, args: &[TokenStream]) -> String {
        let lib = ident(&self.lib);
        let accessor = ident(accessor);
        let name = ident(&op.name);
        let function = match self.example_arguments(op) {
            Some((lets, pass)) => quote! {
                async fn example(client: &Client) -> Result<(), Error> {
                    #(#lets)*
                    let response = client.#accessor().#name(#(#pass),*).await?;
                    println!("{response:?}");
                    Ok(())
                }
            },
            None => {
                let names = args.iter().filter_map(|a| a.clone().into_iter().next());
                quote! {
                    async fn example(client: &Client, #(#args),*) -> Result<(), Error> {
                        let response = client.#accessor().#name(#(#names),*).await?;
                        println!("{response:?}");
                        Ok(())
                    }
                }
            }
        };
        let tokens = quote! {
            use #lib::{api::*, types::*, Client, Error};

            #function
        };
        match syn::parse2::<syn::File>(tokens) {
            Ok(file) => super::unparse(&file),
            Err(_) => String::new(),
        }
    }

    /// The `let`s that build an example's arguments, and what is passed.
    pub(super) fn example_arguments(
        &self,
        op: &Operation,
    ) -> Option<(Vec<TokenStream>, Vec<TokenStream>)> {
        let (mut lets, mut pass) = (Vec::new(), Vec::new());
        for p in op.params.iter().filter(|p| p.location == Location::Path) {
            let value = self.types.sample(&p.ty, &p.wire, true, 1)?;
            let (_, by_ref) = self.path_arg_ty(&p.ty, false);
            let is_enum = matches!(self.resolved(&p.ty), Ty::Named(id)
                if matches!(self.ir.types[id.0].kind, TypeKind::Enum(_)));
            pass.push(if by_ref || is_enum {
                quote!(&#value)
            } else {
                value
            });
        }
        if let Some(params) = &op.params_type {
            let ty = ident(params);
            let required = op
                .params
                .iter()
                .filter(|p| p.location != Location::Path && p.required)
                .map(|p| {
                    self.types
                        .sample(&p.ty, &p.wire, self.types.is_string(&p.ty), 1)
                })
                .collect::<Option<Vec<_>>>()?;
            lets.push(quote!(let params = #ty::new(#(#required),*);));
            pass.push(quote!(&params));
        }
        match &op.body {
            Some(Body::Json { ty, .. }) => {
                let body = self.types.sample(ty, "body", false, 0)?;
                lets.push(quote!(let body = #body;));
                pass.push(quote!(&body));
            }
            Some(Body::Bytes { .. }) => {
                lets.push(quote!(let body = bytes::Bytes::from_static(b"...");));
                pass.push(quote!(body));
            }
            Some(Body::Multipart { .. }) => return None,
            None => {}
        }
        Some((lets, pass))
    }

    /// Statements that build `request` for one call.
    pub(super) fn request(&self, op: &Operation) -> TokenStream {
        let method = format_ident!("{}", op.method.as_str());
        let template = &op.path;
        let path = self.path_expr(op);
        let mut steps = Vec::new();
        if let Some(server) = &op.server {
            steps.push(quote!(let request = request.server(#server);));
        }
        let idempotent = op.idempotent;
        steps.push(quote!(let request = request.idempotent(#idempotent);));
        for p in op.params.iter().filter(|p| p.location != Location::Path) {
            steps.push(self.param_step(p));
        }
        match &op.body {
            Some(Body::Json { .. }) => steps.push(quote!(let request = request.json(body)?;)),
            Some(Body::Bytes { content_type, .. }) => {
                steps.push(quote!(let request = request.bytes(#content_type, body);))
            }
            Some(Body::Multipart { .. }) => {
                steps.push(quote!(let request = request.multipart(parts);))
            }
            None => {}
        }
        match &op.response {
            Success::Text { content_type } | Success::Bytes { content_type } => {
                steps.push(quote!(let request = request.accept(#content_type);))
            }
            _ => {}
        }
        quote! {
            let request = Request::new(Method::#method, #template, #path);
            #(#steps)*
        }
    }

    /// `format!("/assets/{}", encode::path_segment(..))`, or the literal path.
    pub(super) fn path_expr(&self, op: &Operation) -> TokenStream {
        let mut fmt = String::new();
        let mut values = Vec::new();
        let mut rest = op.path.as_str();
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            fmt.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
            fmt.push_str("{}");
            let wire = &rest[start + 1..start + len];
            if let Some(p) = op
                .params
                .iter()
                .find(|p| p.location == Location::Path && p.wire == wire)
            {
                let name = ident(&p.name);
                values.push(if path_arg_is_text(self.ir, &p.ty) {
                    quote!(encode::path_segment(#name))
                } else {
                    quote!(encode::path_segment(&#name.to_string()))
                });
            }
            rest = &rest[start + len + 1..];
        }
        fmt.push_str(&rest.replace('{', "{{").replace('}', "}}"));
        if values.is_empty() {
            quote!(#fmt.to_string())
        } else {
            quote!(format!(#fmt, #(#values),*))
        }
    }

    /// One statement that adds a parameter to `request`: a required one
    /// always, an optional one through the runtime's `*_opt` form.
    pub(super) fn param_step(&self, p: &Param) -> TokenStream {
        let wire = &p.wire;
        let name = ident(&p.name);
        let value = quote!(params.#name);
        let ty = self.resolved(&p.ty);
        // Numbers and booleans are `Copy`: no borrow (clippy says so).
        let copy = matches!(ty, Ty::Integer { .. } | Ty::Number | Ty::Boolean);
        let (method, fallible, array) = match &ty {
            _ if p.location == Location::Header => ("header", true, false),
            Ty::Array(inner) if self.is_scalar(inner) && p.explode => ("query_each", false, true),
            Ty::Array(inner) if self.is_scalar(inner) => ("query_joined", false, true),
            ty if self.is_scalar(ty) => ("query", false, false),
            _ => ("query_json", true, false),
        };
        let (method, arg) = match (p.required, copy, array) {
            (true, true, _) => (ident(method), value),
            (true, false, _) => (ident(method), quote!(&#value)),
            (false, _, true) => (format_ident!("{method}_opt"), quote!(#value.as_deref())),
            (false, _, false) => (format_ident!("{method}_opt"), quote!(#value.as_ref())),
        };
        let question = fallible.then(|| quote!(?));
        quote!(let request = request.#method(#wire, #arg) #question;)
    }

    pub(super) fn is_scalar(&self, ty: &Ty) -> bool {
        match self.resolved(ty) {
            Ty::String | Ty::Integer { .. } | Ty::Number | Ty::Boolean => true,
            Ty::Named(id) => matches!(self.ir.types[id.0].kind, TypeKind::Enum(_)),
            _ => false,
        }
    }
}

/// clippy's `too_many_arguments` (more than 7, `&self` included) for a
/// method taking `args` arguments besides `&self`. The count is the API's
/// shape, not a choice made here: a path with five parameters, a params
/// struct and a body is common (`/apis/{group}/{version}/namespaces/..`).
pub(super) fn allow_many_args(args: usize) -> TokenStream {
    if args + 1 > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    }
}

fn param_doc(p: &Param) -> String {
    let place = match p.location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    };
    let head = format!("`{}` ({place} parameter)", p.wire);
    match &p.doc {
        Some(d) if !d.trim().is_empty() => format!("{head}: {}", d.trim()),
        _ => head,
    }
}

fn method_doc(op: &Operation) -> String {
    let mut parts = Vec::new();
    if let Some(s) = op.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        parts.push(s.trim().to_string());
    }
    parts.push(format!("`{} {}`", op.method, op.path));
    // Said once: CDF's descriptions already name their capabilities.
    let stated = op
        .description
        .as_deref()
        .is_some_and(|d| op.capabilities.iter().all(|c| d.contains(c.as_str())));
    if !op.capabilities.is_empty() && !stated {
        let caps: Vec<String> = op.capabilities.iter().map(|c| format!("`{c}`")).collect();
        parts.push(format!("Requires {}.", caps.join(", ")));
    }
    if let Some(d) = op.description.as_deref().filter(|s| !s.trim().is_empty()) {
        parts.push(d.trim().to_string());
    }
    parts.join("\n\n")
}

/// The suffixes of the methods an operation gets beside its own.
pub(super) const BULK: &str = "_bulk";
pub(super) const STREAM: &str = "_stream";
pub(super) const PARTITIONED: &str = "_partitioned";

/// Whether `m` names one of `op`'s methods in some crate: its own name, or
/// with a suffix of the methods it gets when the profile allows them.
pub(super) fn names_a_method_of(op: &Operation, m: &str) -> bool {
    m.strip_prefix(op.name.as_str())
        .is_some_and(|rest| ["", BULK, STREAM, PARTITIONED].contains(&rest))
}

/// Every method `op` gets: its own, and `_bulk`, `_stream` and
/// `_partitioned` where it has them.
pub(super) fn method_names(op: &Operation) -> impl Iterator<Item = String> + '_ {
    let bulk = op.bulk.is_some().then(|| format!("{}{BULK}", op.name));
    let stream = op
        .pagination
        .as_ref()
        .map(|_| format!("{}{STREAM}", op.name));
    let partitioned = op
        .pagination
        .as_ref()
        .filter(|p| p.partition.is_some())
        .map(|_| format!("{}{PARTITIONED}", op.name));
    std::iter::once(op.name.clone())
        .chain(bulk)
        .chain(stream)
        .chain(partitioned)
}

/// Whether a path parameter of type `ty` is text in Rust (`&str` or
/// `String`, see `OperationEmitter::path_arg_ty`): anything but a number,
/// a boolean or an enum, a union of an integer and a string included. The
/// value goes into the path as it is, and a test passes it as a string.
pub(super) fn path_arg_is_text(ir: &Ir, ty: &Ty) -> bool {
    let number = matches!(
        ir.resolve(ty),
        Ty::Integer { .. } | Ty::Number | Ty::Boolean
    );
    !number && !ir.is_enum(ty)
}

#[cfg(test)]
mod tests {
    use crate::{generate, CrateOptions};

    /// Six path parameters and a body make 8 arguments with `&self`; the
    /// generated crate is built with clippy `-D warnings`, so the method
    /// carries the allow, and a short method does not.
    #[test]
    pub(super) fn long_argument_lists_allow_too_many_arguments() {
        let spec = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a/{p1}/{p2}/{p3}/{p4}/{p5}/{p6}:
    parameters:
      - {name: p1, in: path, required: true, schema: {type: string}}
      - {name: p2, in: path, required: true, schema: {type: string}}
      - {name: p3, in: path, required: true, schema: {type: string}}
      - {name: p4, in: path, required: true, schema: {type: string}}
      - {name: p5, in: path, required: true, schema: {type: string}}
      - {name: p6, in: path, required: true, schema: {type: string}}
    put:
      operationId: putLong
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {x: {type: string}}}
      responses:
        '204': {description: done}
    get:
      operationId: getShort
      responses:
        '204': {description: done}
"#;
        let g = generate(spec, &CrateOptions::default()).unwrap();
        let code = &g.files["src/api/default.rs"];
        let before = |f: &str| {
            let at = code.find(&format!("pub async fn {f}(")).unwrap();
            let start = code[..at].rfind("```\n").unwrap();
            code[start..at].to_string()
        };
        assert!(
            before("put_long").contains("#[allow(clippy::too_many_arguments)]"),
            "{code}"
        );
        assert!(
            !before("get_short").contains("too_many_arguments"),
            "{code}"
        );
    }
}
