//! `*_bulk` methods: a body whose `items` have a per-request limit, sent
//! as any number of items in chunks within it (`runtime::bulk`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::operations::{allow_many_args, OperationEmitter, BULK};
use super::types::ident;
use crate::ir::{Body, Bulk, Operation, Success};
use crate::ir::{Ty, TypeKind};

impl OperationEmitter<'_> {
    /// `<op>_bulk`: the same arguments, but the body's `items` may be any
    /// number; chunks go out through `runtime::bulk::run`.
    pub(super) fn bulk_method(
        &self,
        op: &Operation,
        b: &Bulk,
        api_ty: &proc_macro2::Ident,
    ) -> TokenStream {
        let name = ident(&op.name);
        let bulk_name = format_ident!("{}{BULK}", op.name);
        let (mut args, mut pass) = self.args(op, false);
        // The body is taken by value: its items are moved out, not copied.
        if let (Some(arg), Some(p)) = (args.last_mut(), pass.last_mut()) {
            let Some(Body::Json { ty, .. }) = &op.body else {
                return quote!();
            };
            let ty = self.types.ty(ty);
            *arg = quote!(body: #ty);
            *p = quote!(&body);
        }
        let item = self.types.ty(&b.item);
        let answer = self.answer_ty(op);
        let items = ident(&b.items_field);
        let (take, put) = if b.items_optional {
            (
                quote!(body.#items.take().unwrap_or_default()),
                quote!(Some(chunk.to_vec())),
            )
        } else {
            (
                quote!(std::mem::take(&mut body.#items)),
                quote!(chunk.to_vec()),
            )
        };
        let (ret, finish) = match (&b.answer_items, &op.response) {
            (Some(a), _) => {
                let field = ident(&a.field);
                let each = if a.optional {
                    quote!(answer.#field.unwrap_or_default())
                } else {
                    quote!(answer.#field)
                };
                let ty = self.types.ty(&a.item);
                (
                    quote!(Vec<#ty>),
                    quote!(Ok(answers.into_iter().flat_map(|answer| #each).collect())),
                )
            }
            (None, Success::Empty) => (quote!(()), quote!(Ok(()))),
            (None, _) => (quote!(Vec<#answer>), quote!(Ok(answers))),
        };
        let bind = (!matches!((&b.answer_items, &op.response), (None, Success::Empty)))
            .then(|| quote!(let answers =));
        let check_items = self.item_checks(op, b).map(|(wire, each)| {
            let each = super::validate::closure_body(each);
            quote!(let items = bulk::check_items(api.client, #wire, items, |x, v| #each)?;)
        });
        let max_items = proc_macro2::Literal::usize_unsuffixed(b.max_items);
        let totals = b.totals.iter().map(|t| {
            let path = &t.path;
            let max = proc_macro2::Literal::usize_unsuffixed(t.max);
            quote!(bulk::Total { path: &[#(#path),*], max: #max })
        });
        let source = if b.max_from_spec {
            "`maxItems` in the spec"
        } else {
            "`spec/codegen.toml`, from the API's description"
        };
        let mut doc = format!(
            " [`{}`](Self::{}) for any number of `items`: sent in chunks of at most {} (from {source}), ",
            op.name, op.name, b.max_items
        );
        if !b.totals.is_empty() {
            let totals: Vec<String> = b
                .totals
                .iter()
                .map(|t| format!("{} values at `{}`", t.max, t.path.join(".")))
                .collect();
            doc.push_str(&format!(
                "and of at most {} per request, ",
                totals.join(" and ")
            ));
        }
        doc.push_str("up to the client's `max_concurrency` at a time; results in input order. [`BulkError`] tells which items succeeded, failed or were not sent.");
        let deprecated = op
            .deprecated
            .then(|| quote!(#[deprecated = "deprecated in the API spec"] #[allow(deprecated)]));
        let many = allow_many_args(args.len() + 1);
        quote! {
            #[doc = #doc]
            #deprecated
            #many
            pub async fn #bulk_name(&self, #(#args,)* options: &BulkOptions) -> Result<#ret, BulkError<#item, #answer>> {
                const LIMITS: bulk::Limits = bulk::Limits { max_items: #max_items, totals: &[#(#totals),*] };
                let api: #api_ty<'a> = *self;
                let mut body = body;
                let items = #take;
                #check_items
                #bind bulk::run(api.client, items, &LIMITS, options, |chunk| {
                    let mut body = body.clone();
                    body.#items = #put;
                    async move { api.#name(#(#pass),*).await }
                })
                .await?;
                #finish
            }
        }
    }

    /// The checks of one bulk item (`x`), from the rules of the body's
    /// `items` field, and that field's JSON name; `None` when an item has
    /// nothing to check.
    fn item_checks(&self, op: &Operation, b: &Bulk) -> Option<(String, TokenStream)> {
        let Some(Body::Json { ty, .. }) = &op.body else {
            return None;
        };
        let Ty::Named(id) = self.resolved(ty) else {
            return None;
        };
        let TypeKind::Struct(s) = &self.ir.types[id.0].kind else {
            return None;
        };
        let field = s.fields.iter().find(|f| f.name == b.items_field)?;
        let rules = field.rules.each.as_deref().cloned().unwrap_or_default();
        let each = self.types.check_value(&b.item, &rules, false);
        (!each.is_empty()).then(|| (field.wire.clone(), each))
    }
}
