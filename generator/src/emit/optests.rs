//! `tests/operations.rs` of the generated crate: one test per operation.
//! Each starts a local mock that expects exactly the method, path (with
//! encoded parameters), query, headers and JSON body the spec describes,
//! calls the method with arguments synthesised from the schemas, answers
//! with a synthesised valid response, and checks that it decodes and
//! re-encodes to the same JSON.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::operations::{path_arg_is_text, TagApi};
use super::types::{cfg_attr, ident};
use crate::ir::{Body, Location, Operation, Success};
use crate::testgen::synth::{Place, Synthesiser};

/// A path parameter value that must be percent-encoded to stay one segment.
const TRICKY_TEXT: &str = "a/b c?é";

pub fn operation_tests(values: Synthesiser<'_>, apis: &[TagApi<'_>], lib: &str) -> TokenStream {
    let lib_ident = ident(lib);
    let mut tests = Vec::new();
    let mut untested = Vec::new();
    for api in apis {
        for op in &api.ops {
            match one(values, api, op) {
                Ok(t) => tests.push(t),
                Err(why) => untested.push((format!("{} {}", op.method, op.path), why)),
            }
        }
    }
    let notes: Vec<String> = untested
        .iter()
        .map(|(op, why)| format!(" - {op}: {why}"))
        .collect();
    let notes_doc = (!notes.is_empty()).then(|| {
        let mut lines = vec![" Operations without a test here:".to_string()];
        lines.extend(notes);
        // A blank line ends the list, so the paragraph after it is not
        // read as its last item.
        lines.push(String::new());
        quote!(#(#[doc = #lines])*)
    });
    let tokens = quote! {
        //! One test per operation against a local mock: request as the spec says, response decoded.
        #![allow(unused_imports, clippy::needless_borrows_for_generic_args)]

        use #lib_ident::{api::*, types::*, Client, Part};
        use #lib_ident::runtime::testing::same_json;
        use wiremock::matchers::{body_json, header, method, path, query_param};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        #notes_doc
        /// Validation is off here: these tests send deliberately hostile
        /// path text (`a/b c?é`) to check its encoding, which the spec's
        /// patterns refuse. The contract run checks every synthesised
        /// request with validation on.
        fn client(server: &MockServer, overrides: &[&str]) -> Client {
            let mut builder = Client::builder()
                .base_url(format!("{}/api/v1/projects/test", server.uri()))
                .bearer_token("test-token")
                .validate_requests(false);
            for (i, from) in overrides.iter().enumerate() {
                builder = builder.server_override(from, format!("{}/server{i}", server.uri()));
            }
            builder.build().expect("client builds")
        }

        fn parse(text: &str) -> serde_json::Value {
            serde_json::from_str(text).expect("the generator wrote valid JSON")
        }

        #(#tests)*
    };
    tokens
}

/// The pieces of one operation's call, shared by the mock test and the
/// contract run: statements that build the arguments, the arguments, what
/// the mock must see, and how it answers.
struct Call {
    setup: Vec<TokenStream>,
    args: Vec<TokenStream>,
    matchers: Vec<TokenStream>,
    respond: TokenStream,
    check: TokenStream,
    overrides: Vec<String>,
    /// Why the spec rejects the synthesised request body, when it does: no
    /// candidate the synthesiser could build met every rule.
    rejected: Vec<String>,
}

fn one(values: Synthesiser<'_>, api: &TagApi<'_>, op: &Operation) -> Result<TokenStream, String> {
    let test_name = format_ident!("{}__{}", api.module, op.name);
    let cfg = cfg_attr(std::slice::from_ref(&op.feature));
    let method_name = ident(&op.name);
    let accessor = ident(&api.module);
    let verb = op.method.as_str();
    let Call {
        setup,
        args,
        matchers,
        respond,
        check,
        overrides,
        ..
    } = call(values, op, Some(TRICKY_TEXT))?;
    let overrides = overrides.iter();
    Ok(quote! {
        #cfg
        #[tokio::test]
        #[allow(non_snake_case, deprecated)]
        async fn #test_name() {
            let server = MockServer::start().await;
            let client = client(&server, &[#(#overrides),*]);
            #(#setup)*
            Mock::given(method(#verb))
                #(#matchers)*
                .respond_with(#respond)
                .expect(1)
                .mount(&server)
                .await;
            let api = client.#accessor();
            let call = api.#method_name(#(#args),*);
            #[allow(clippy::let_unit_value)]
            let result = tokio::time::timeout(std::time::Duration::from_secs(20), call)
                .await
                .expect("answered in time")
                .unwrap_or_else(|e| panic!("{e}"));
            #check
        }
    })
}

/// `path_text` replaces every text path parameter (to test encoding against
/// a mock); `None` keeps the synthesised, constraint-meeting value.
fn call(values: Synthesiser<'_>, op: &Operation, path_text: Option<&str>) -> Result<Call, String> {
    let ir = values.ir;
    let mut setup = Vec::new();
    let mut matchers = Vec::new();
    let mut args = Vec::new();
    let mut rejected = Vec::new();

    let (base, overrides) = match &op.server {
        Some(server) => ("/server0".to_string(), vec![server.clone()]),
        None => ("/api/v1/projects/test".to_string(), Vec::new()),
    };
    let mut expected_path = format!("{base}{}", op.path);
    for p in op.params.iter().filter(|p| p.location == Location::Path) {
        let value = values
            .instance_with(&p.ty, Place::of_param(p), false)
            .ok_or("no instance of a path parameter")?;
        let (arg, text) = match &value {
            Value::String(_) if ir.is_enum(&p.ty) => {
                let json = value.to_string();
                let name = ident(&p.name);
                setup.push(quote!(let #name = serde_json::from_str(#json).expect("enum value");));
                (
                    quote!(&#name),
                    value.as_str().unwrap_or_default().to_string(),
                )
            }
            Value::String(text) => {
                let text = path_text.unwrap_or(text).to_string();
                (quote!(#text), text)
            }
            Value::Number(_) | Value::Bool(_) if path_arg_is_text(ir, &p.ty) => {
                let text = value.to_string();
                (quote!(#text), text)
            }
            // A parameter of any type (`schema: {}`) is text in a path.
            _ if path_arg_is_text(ir, &p.ty) => {
                let text = path_text.unwrap_or("text").to_string();
                (quote!(#text), text)
            }
            Value::Number(n) => {
                let lit: TokenStream = n.to_string().parse().map_err(|_| "number literal")?;
                (lit, n.to_string())
            }
            Value::Bool(b) => (quote!(#b), b.to_string()),
            _ => return Err("path parameter is not text or a number".into()),
        };
        args.push(arg);
        expected_path = expected_path.replace(&format!("{{{}}}", p.wire), &encode_segment(&text));
    }
    matchers.push(quote!(.and(path(#expected_path))));

    if let Some(params_type) = &op.params_type {
        let mut object = serde_json::Map::new();
        for p in op.params.iter().filter(|p| p.location != Location::Path) {
            let Some(value) = values.instance_with(&p.ty, Place::of_param(p), true) else {
                if p.required {
                    return Err(format!("no instance of parameter `{}`", p.wire));
                }
                continue;
            };
            // OpenAPI gives no way to write objects inside a query array
            // (`dataSetIds=[{"id":1}]`): an optional one is left out.
            let objects_in_array = value
                .as_array()
                .is_some_and(|items| items.iter().any(Value::is_object));
            if objects_in_array && !p.required && p.location == Location::Query {
                continue;
            }
            matchers.extend(param_matchers(p.location, &p.wire, &value, p.explode));
            object.insert(p.name.clone(), value);
        }
        let json = Value::Object(object).to_string();
        let ty = ident(params_type);
        setup.push(quote! {
            let params: #ty = serde_json::from_value(parse(#json)).expect("params decode");
        });
        args.push(quote!(&params));
    }

    match &op.body {
        Some(Body::Json { .. }) => {
            let (value, problems) = values
                .request_body(op)
                .ok_or("no instance of the request body")?;
            rejected = problems;
            let json = value.to_string();
            setup.push(quote! {
                let request_json = parse(#json);
                let body = serde_json::from_value(request_json.clone()).expect("request instance decodes");
            });
            matchers.push(quote!(.and(header("content-type", "application/json"))));
            matchers.push(quote!(.and(body_json(&request_json))));
            args.push(quote!(&body));
        }
        Some(Body::Bytes { content_type, .. }) => {
            matchers.push(quote!(.and(header("content-type", #content_type))));
            args.push(quote!(bytes::Bytes::from_static(b"raw bytes")));
        }
        Some(Body::Multipart { .. }) => {
            args.push(quote!(vec![Part {
                name: "file".into(),
                file_name: Some("a.txt".into()),
                content_type: None,
                data: bytes::Bytes::from_static(b"x")
            }]));
        }
        None => {}
    }

    let (respond, check) = match &op.response {
        Success::Json(ty) => {
            let value = values
                .instance(ty, true)
                .ok_or("no instance of the response")?;
            let json = value.to_string();
            (
                quote!(ResponseTemplate::new(200).set_body_raw(#json, "application/json")),
                quote! {
                    let got = serde_json::to_value(&result).expect("response encodes");
                    assert!(same_json(&got, &parse(#json)), "response re-encodes differently:\n  sent:    {}\n  decoded: {}", #json, got);
                },
            )
        }
        Success::Empty => (quote!(ResponseTemplate::new(200)), quote!(let () = result;)),
        Success::Text { content_type } => (
            quote!(ResponseTemplate::new(200).set_body_raw("a,b\n1,2\n", #content_type)),
            quote!(assert_eq!(result, "a,b\n1,2\n");),
        ),
        Success::Bytes { content_type } => (
            quote!(ResponseTemplate::new(200).set_body_raw(b"\x89raw".to_vec(), #content_type)),
            quote!(assert_eq!(&result[..], b"\x89raw");),
        ),
    };

    Ok(Call {
        setup,
        args,
        matchers,
        respond,
        check,
        overrides,
        rejected,
    })
}

fn param_matchers(
    location: Location,
    wire: &str,
    value: &Value,
    explode: bool,
) -> Vec<TokenStream> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    match (location, value) {
        (Location::Header, v) => text(v)
            .map(|t| quote!(.and(header(#wire, #t))))
            .into_iter()
            .collect(),
        (Location::Query, Value::Array(items)) if explode => items
            .iter()
            .filter_map(text)
            .map(|t| quote!(.and(query_param(#wire, #t))))
            .collect(),
        (Location::Query, Value::Array(items)) => {
            let joined: Option<Vec<String>> = items.iter().map(text).collect();
            joined
                .map(|j| {
                    let j = j.join(",");
                    quote!(.and(query_param(#wire, #j)))
                })
                .into_iter()
                .collect()
        }
        (Location::Query, v) => text(v)
            .map(|t| quote!(.and(query_param(#wire, #t))))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// RFC 3986: everything but unreserved characters percent-encoded, as the
/// runtime's `encode::path_segment` does.
fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `tests/contract.rs`: every operation called once against the URL in
/// `CDF_CONTRACT_URL` (Stoplight Prism serving the spec, started by
/// `cargo xtask test`), which rejects requests that break the spec. Prints
/// `contract (mode): N operations passed, M failed, K skipped` last.
pub fn contract_tests(values: Synthesiser<'_>, apis: &[TagApi<'_>], lib: &str) -> TokenStream {
    let ir = values.ir;
    let lib_ident = ident(lib);
    let mut fns = Vec::new();
    let mut pushes = Vec::new();
    let mut servers: Vec<&String> = ir
        .operations
        .iter()
        .filter_map(|o| o.server.as_ref())
        .collect();
    servers.sort();
    servers.dedup();
    for api in apis {
        for op in &api.ops {
            let Ok(Call {
                setup,
                args,
                rejected,
                ..
            }) = call(values, op, None)
            else {
                continue;
            };
            let cfg = cfg_attr(std::slice::from_ref(&op.feature));
            let fn_name = format_ident!("{}__{}", api.module, op.name);
            let accessor = ident(&api.module);
            let method_name = ident(&op.name);
            let label = format!("{} {} ({})", op.method, op.path, op.name);
            // A JSON answer comes back encoded again, to compare with what
            // the server sent.
            let answer = match op.response {
                Success::Json(_) => {
                    quote!(.map(|answer| Some(serde_json::to_value(&answer).expect("answers encode"))))
                }
                _ => quote!(.map(|_| None)),
            };
            fns.push(quote! {
                #cfg
                #[allow(non_snake_case, deprecated)]
                async fn #fn_name(client: &Client) -> Result<Option<serde_json::Value>, Error> {
                    #(#setup)*
                    let api = client.#accessor();
                    api.#method_name(#(#args),*).await #answer
                }
            });
            let predicted = rejected.join("; ");
            pushes.push(quote! {
                #cfg
                calls.push((#label, #predicted, |c| Box::pin(#fn_name(c))));
            });
        }
    }
    quote! {
        //! Every operation against a server that validates requests against
        //! the spec (Prism, started by `cargo xtask test`; set
        //! `CDF_CONTRACT_URL` to run it by hand, and `CDF_CONTRACT_ONLY` to
        //! pick operations by part of their label).
        #![allow(unused_imports, clippy::needless_borrows_for_generic_args)]

        use futures::future::BoxFuture;
        use #lib_ident::runtime::testing::{lossless, pair_with_log, read_server_log, verdict, with_server_view, Tally, Verdict};
        use #lib_ident::{api::*, types::*, Client, Error, Part, RetryConfig};

        #[allow(dead_code)]
        fn parse(text: &str) -> serde_json::Value {
            serde_json::from_str(text).expect("the generator wrote valid JSON")
        }

        #(#fns)*

        type Call = for<'c> fn(&'c Client) -> BoxFuture<'c, Result<Option<serde_json::Value>, Error>>;

        #[allow(clippy::vec_init_then_push)]
        /// Label, why the spec rejects the request (when the generator found
        /// no valid one; empty otherwise), the call.
        fn calls() -> Vec<(&'static str, &'static str, Call)> {
            let mut calls: Vec<(&'static str, &'static str, Call)> = Vec::new();
            #(#pushes)*
            calls
        }

        #[tokio::test]
        #[ignore = "needs a validating server: `cargo xtask test` starts Prism and runs it with --ignored"]
        async fn contract_against_a_validating_server() {
            let url = std::env::var("CDF_CONTRACT_URL")
                .expect("CDF_CONTRACT_URL: the base URL of a server validating against the spec");
            let mode = std::env::var("CDF_CONTRACT_MODE").unwrap_or_else(|_| "dynamic".into());
            // The body of the last answer, to compare with its typed value.
            let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
            let tap = sent.clone();
            let client = Client::builder()
                .answer_tap(move |body| {
                    if let Ok(mut last) = tap.lock() {
                        *last = body.to_vec();
                    }
                })
                .base_url(url.clone())
                .bearer_token("contract")
                .retry(RetryConfig::disabled())
                #(.server_override(#servers, url.clone()))*
                .build()
                .expect("client builds");
            // A comma-separated list of substrings of the labels picks a few
            // operations, for rerunning failures by hand.
            let only = std::env::var("CDF_CONTRACT_ONLY").unwrap_or_default();
            let picked = |name: &str| only.is_empty() || only.split(',').any(|o| name.contains(o.trim()));
            let mut results = Vec::new();
            for (name, predicted, call) in calls().into_iter().filter(|(name, ..)| picked(name)) {
                let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), call(&client)).await;
                let v = match outcome {
                    Ok(Ok(Some(typed))) => {
                        let body = sent.lock().map(|b| b.clone()).unwrap_or_default();
                        match lossless(&body, &typed) {
                            Ok(()) => Verdict::Pass,
                            Err(why) => Verdict::Lossy(why),
                        }
                    }
                    Ok(result) => verdict(&result),
                    Err(_) => Verdict::Fail("no answer in 30 s".into()),
                };
                results.push((name, predicted, v));
            }
            // The server's log, when given, says which rules a rejected
            // request broke and whether an answer we could not decode was
            // against the spec in the first place.
            let log = match std::env::var("CDF_CONTRACT_SERVER_LOG") {
                Ok(path) => {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    read_server_log(&std::fs::read_to_string(path).unwrap_or_default())
                }
                Err(_) => Vec::new(),
            };
            let labels: Vec<&str> = results.iter().map(|(name, ..)| *name).collect();
            let paired = pair_with_log(&labels, &log);
            let mut tally = Tally::default();
            for ((name, predicted, v), logged) in results.into_iter().zip(paired) {
                tally.record_predicted(name, with_server_view(v, logged), predicted);
            }
            let summary = tally.summary(&mode);
            if let Ok(path) = std::env::var("CDF_CONTRACT_REPORT") {
                std::fs::write(path, &summary).expect("report written");
            }
            println!("{summary}");
            // The bar is 95%; `cargo xtask test` may set a lower, measured one
            // while the gap is being closed (see the README).
            let bar: f64 = std::env::var("CDF_CONTRACT_MIN_PASS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.95);
            assert!(tally.lossy.is_empty(), "{} answer(s) did not re-encode to what the server sent", tally.lossy.len());
            assert!(
                tally.pass_rate() >= bar,
                "{:.1}% of the operations the server could serve passed; the bar is {:.1}%",
                tally.pass_rate() * 100.0,
                bar * 100.0
            );
        }
    }
}
