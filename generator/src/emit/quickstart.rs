//! The opening of the crate's front page: a compiled quick start that
//! builds a client, makes a call, streams a listing and tells an answer
//! the server refused from other failures. It is built from the spec, so
//! any spec's crate gets one that compiles against it.

use quote::quote;

use super::operations::{OperationEmitter, TagApi, STREAM};
use super::types::ident;
use crate::ir::{Body, Location, Operation};

impl OperationEmitter<'_> {
    /// Markdown for the top of `lib.rs`, and the Cargo feature of the
    /// operation it calls (without it, the example would not compile);
    /// `None` when the spec has no operation whose arguments an example
    /// can build.
    pub fn quick_start(&self, apis: &[TagApi<'_>]) -> Option<(String, String)> {
        let (api, op) = self.quick_start_operation(apis)?;
        let (lets, pass) = self.example_arguments(op)?;
        let lib = ident(&self.lib);
        let accessor = ident(&api.module);
        let name = ident(&op.name);
        let variables = self
            .ir
            .servers
            .variables
            .iter()
            .map(|(k, v)| quote!(.server_variable(#k, #v)));
        let stream = op.pagination.as_ref().map(|_| {
            let stream = ident(&format!("{}{STREAM}", op.name));
            // Path parameters are ruled out above: what is left is owned.
            let mut owned = Vec::new();
            if op.params_type.is_some() {
                owned.push(quote!(params.clone()));
            }
            if matches!(op.body, Some(Body::Json { .. })) {
                owned.push(quote!(body.clone()));
            }
            quote! {
                let every: Vec<_> = client.#accessor().#stream(#(#owned),*).try_collect().await?;
                println!("{} items in all", every.len());
            }
        });
        let tokens = quote! {
            use #lib::{api::*, types::*, Client, Error};
            use futures::TryStreamExt;

            async fn quick_start() -> Result<(), Error> {
                let client = Client::builder()
                    #(#variables)*
                    .bearer_token(std::env::var("API_TOKEN").unwrap_or_default())
                    .build()?;
                #(#lets)*
                let answer = client.#accessor().#name(#(#pass),*).await?;
                println!("{answer:?}");
                #stream
                match client.#accessor().#name(#(#pass),*).await {
                    Ok(_) => {}
                    Err(Error::Api(e)) => eprintln!("the server said {}: {}", e.status, e.message),
                    Err(other) => return Err(other),
                }
                Ok(())
            }
        };
        let file = syn::parse2::<syn::File>(tokens).ok()?;
        let text = format!(
            "# Quick start\n\nBuild a client, make a call{}, and tell an answer the server \
             refused (`Error::Api`) from other failures. Every method's page has an example \
             like it.\n\n```no_run\n{}```\n\n",
            if stream.is_some() {
                ", read every page of a listing"
            } else {
                ""
            },
            super::unparse(&file)
        );
        Some((text, api.feature.clone()))
    }

    /// A listing (one with a stream) if any, else any operation, without
    /// path parameters and with arguments an example can build; reads
    /// (GET) first, then the fewest values to fill in, then the shortest
    /// name.
    fn quick_start_operation<'b>(
        &self,
        apis: &'b [TagApi<'b>],
    ) -> Option<(&'b TagApi<'b>, &'b Operation)> {
        apis.iter()
            .flat_map(|api| api.ops.iter().map(move |op| (api, *op)))
            .filter(|(_, op)| !op.params.iter().any(|p| p.location == Location::Path))
            .filter_map(|(api, op)| {
                let (lets, _) = self.example_arguments(op)?;
                let filled: usize = lets.iter().map(|l| l.to_string().len()).sum();
                Some((api, op, filled))
            })
            .min_by_key(|(_, op, filled)| {
                (
                    op.pagination.is_none(),
                    op.method != crate::ir::HttpMethod::Get,
                    *filled,
                    op.name.len(),
                    op.name.clone(),
                )
            })
            .map(|(api, op, _)| (api, op))
    }
}
