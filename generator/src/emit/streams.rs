//! `*_stream` and `*_partitioned` methods for cursor pagination: every
//! page of a listing as one stream, or its partitions read at once. Each
//! method hands its request and one call to the runtime's generic
//! `pagination::stream` / `pagination::partitioned`; what those need of the
//! request (its cursor and partition) and of the answer (its items and
//! next cursor) are small trait impls, one per type, in `src/api/mod.rs`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::operations::{allow_many_args, OperationEmitter, PARTITIONED, STREAM};
use super::types::{cfg_attr, ident};
use crate::ir::{Body, CursorIn, Ir, Location, Operation, Pagination, Success, Ty, TypeKind};

impl OperationEmitter<'_> {
    pub(super) fn stream_methods(
        &self,
        op: &Operation,
        api_ty: &proc_macro2::Ident,
    ) -> TokenStream {
        let Some(pg) = &op.pagination else {
            return quote!();
        };
        let name = ident(&op.name);
        let item = self.types.ty(&pg.item);
        let (args, pass) = self.args(op, true);
        let target = match pg.cursor_in {
            CursorIn::Query => quote!(params),
            CursorIn::Body => quote!(body),
        };
        let clones: Vec<TokenStream> = op
            .params
            .iter()
            .filter(|p| p.location == Location::Path && self.path_arg_ty(&p.ty, true).1)
            .map(|p| {
                let n = ident(&p.name);
                quote!(let #n = #n.clone();)
            })
            .collect();
        let call = quote!(async move { api.#name(#(#pass),*).await });
        let fetch = if clones.is_empty() {
            quote!(move |#target| #call)
        } else {
            quote!(move |#target| { #(#clones)* #call })
        };
        let stream_name = format_ident!("{}{STREAM}", op.name);
        let stream_doc = format!(
            " Every item of [`{}`](Self::{}), following `{}` page by page. The `{}` you pass is where it starts; stop early with `StreamExt::take`.",
            op.name, op.name, pg.next_cursor_wire, pg.cursor_wire
        );
        let deprecated = op
            .deprecated
            .then(|| quote!(#[deprecated = "deprecated in the API spec"] #[allow(deprecated)]));
        let many = allow_many_args(args.len());
        let stream = quote! {
            #[doc = #stream_doc]
            #deprecated
            #many
            pub fn #stream_name(&self, #(#args),*) -> impl futures::Stream<Item = Result<#item, Error>> + use<'a> {
                let api: #api_ty<'a> = *self;
                pagination::stream(#target, #fetch)
            }
        };
        let partitioned = pg.partition.as_ref().map(|_| {
            let part_name = format_ident!("{}{PARTITIONED}", op.name);
            let part_doc = format!(
                " Every item of [`{}`](Self::{}), read over `partitions` parallel cursors (1 to 10, the API's limit); each item comes exactly once, in no set order.",
                op.name, op.name
            );
            let many = allow_many_args(args.len() + 1);
            quote! {
                #[doc = #part_doc]
                #deprecated
                #many
                pub fn #part_name(&self, #(#args,)* partitions: u32) -> impl futures::Stream<Item = Result<#item, Error>> + use<'a> {
                    let api: #api_ty<'a> = *self;
                    pagination::partitioned(#target, partitions, #fetch)
                }
            }
        });
        quote!(#stream #partitioned)
    }

    /// The runtime's pagination traits for every paged request and answer
    /// type, once each (several operations may share one), each compiled
    /// with its type.
    pub fn paging_impls(&self) -> TokenStream {
        let mut impls: BTreeMap<String, TokenStream> = BTreeMap::new();
        for op in &self.ir.operations {
            let Some(pg) = &op.pagination else {
                continue;
            };
            if let Some((name, cfg)) = self.request_type(op, pg) {
                let ty = ident(&name);
                let cursor = ident(&pg.cursor_field);
                let partition = pg.partition.as_deref().map(|p| {
                    let p = ident(p);
                    quote!(, #p)
                });
                impls.entry(format!("{name} request")).or_insert_with(
                    || quote!(#cfg pagination::paged_request!(#ty, #cursor #partition);),
                );
            }
            if let Some((name, cfg)) = self.answer_type(op) {
                let ty = ident(&name);
                let item = self.types.ty(&pg.item);
                let items = ident(&pg.items_field);
                let next = ident(&pg.next_cursor_field);
                impls.entry(format!("{name} answer")).or_insert_with(
                    || quote!(#cfg pagination::page!(#ty => #item, #items, #next);),
                );
            }
        }
        let impls = impls.into_values();
        quote!(#(#impls)*)
    }

    /// The struct that carries a paged operation's cursor, and what
    /// compiles it.
    fn request_type(&self, op: &Operation, pg: &Pagination) -> Option<(String, TokenStream)> {
        match pg.cursor_in {
            CursorIn::Query => Some((
                op.params_type.clone()?,
                cfg_attr(std::slice::from_ref(&op.feature)),
            )),
            CursorIn::Body => match &op.body {
                Some(Body::Json { ty, .. }) => struct_of(self.ir, ty, false),
                _ => None,
            },
        }
    }

    /// The struct of a paged operation's answer (a nullable answer is read
    /// through the runtime's `impl IntoPage for Option<_>`).
    fn answer_type(&self, op: &Operation) -> Option<(String, TokenStream)> {
        match &op.response {
            Success::Json(ty) => struct_of(self.ir, ty, true),
            _ => None,
        }
    }
}

/// The struct `ty` names through aliases (and `null`, when `nullable` is
/// allowed), with the `cfg` that compiles it.
fn struct_of(ir: &Ir, ty: &Ty, nullable: bool) -> Option<(String, TokenStream)> {
    let (ty, passed_null) = ty.underneath(|id| Some(&ir.types[id.0].kind));
    let def = match ty {
        Ty::Named(id) if nullable || !passed_null => &ir.types[id.0],
        _ => return None,
    };
    matches!(def.kind, TypeKind::Struct(_)).then(|| (def.name.clone(), cfg_attr(&def.features)))
}
