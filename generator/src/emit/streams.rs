//! `*_stream` and `*_partitioned` methods for cursor pagination: every
//! page of a listing as one stream, or its partitions read at once.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::operations::{allow_many_args, OperationEmitter, PARTITIONED, STREAM};
use super::types::ident;
use crate::ir::{CursorIn, Location, Operation};

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
        let items = ident(&pg.items_field);
        let next = ident(&pg.next_cursor_field);
        let items_expr = if pg.items_optional {
            quote!(page.#items.unwrap_or_default())
        } else {
            quote!(page.#items)
        };
        let next_expr = if pg.next_cursor_optional {
            quote!(page.#next)
        } else {
            quote!(Some(page.#next).filter(|c| !c.is_empty()))
        };
        let target = match pg.cursor_in {
            CursorIn::Query => quote!(params),
            CursorIn::Body => quote!(body),
        };
        let cursor = ident(&pg.cursor_field);
        let set_cursor = quote!(#target.#cursor = cursor;);
        let set_partition = pg.partition.as_deref().map(|field| {
            let field = ident(field);
            quote!(#target.#field = Some(partition);)
        });
        let clones: Vec<TokenStream> = op
            .params
            .iter()
            .filter(|p| p.location == Location::Path && self.path_arg_ty(&p.ty, true).1)
            .map(|p| {
                let n = ident(&p.name);
                quote!(let #n = #n.clone();)
            })
            .collect();
        let stream_name = format_ident!("{}{STREAM}", op.name);
        let stream_doc = format!(
            " Every item of [`{}`](Self::{}), following `{}` page by page. The `{}` you pass is where it starts; stop early with `StreamExt::take`.",
            op.name, op.name, pg.next_cursor_wire, pg.cursor_wire
        );
        let page = quote! {
            let page = api.#name(#(#pass),*).await?;
            Ok(Page { items: #items_expr, next_cursor: #next_expr })
        };
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
                let mut first = Some(#target.#cursor.clone());
                pagination::cursor_stream(move |cursor| {
                    let cursor = first.take().flatten().or(cursor);
                    let mut #target = #target.clone();
                    #set_cursor
                    #(#clones)*
                    async move { #page }
                })
            }
        };
        let partitioned = set_partition.map(|set_partition| {
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
                    pagination::partitioned_stream(partitions, move |partition, cursor| {
                        let mut #target = #target.clone();
                        #set_partition
                        #set_cursor
                        #(#clones)*
                        async move { #page }
                    })
                }
            }
        });
        quote!(#stream #partitioned)
    }
}
