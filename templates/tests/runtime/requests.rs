use bytes::Bytes;
use cdf_client_runtime::encode::path_segment;
use cdf_client_runtime::error::Error;
use cdf_client_runtime::request::{Method, Part, Request};
use serde_json::json;
use wiremock::matchers::{
    any, body_json, body_string_contains, header, header_exists, method, path,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::common::{Captured, api, builder, leak, within};

#[tokio::test]
async fn encoded_segments_reach_the_server_as_one_segment() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/things/a%2Fb%20c%3F%23%25%C3%A9")))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();
        let value = "a/b c?#%é";
        let req = Request::new(
            Method::GET,
            "/things/{id}",
            format!("/things/{}", path_segment(value)),
        );
        client.execute(req).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn paths_that_would_name_another_resource_are_refused() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();
        for value in ["..", ".", ""] {
            let req = Request::new(
                Method::DELETE,
                "/things/{id}",
                format!("/things/{}", path_segment(value)),
            );
            let got = client.execute(req).await;
            assert!(
                matches!(got, Err(Error::InvalidRequest(_))),
                "{value:?}: {got:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn standard_headers_are_sent() {
    within(async {
        let server = MockServer::start().await;
        let sdk = concat!("cdf-client-runtime/", env!("CARGO_PKG_VERSION"));
        Mock::given(method("POST"))
            .and(path(api("/assets/list")))
            .and(header("x-cdp-sdk", sdk))
            .and(header("x-cdp-app", "my-app"))
            .and(header("cdf-version", "20230101-beta"))
            .and(header("authorization", "Bearer fixed"))
            .and(header("accept", "application/json"))
            .and(header("content-type", "application/json"))
            .and(header("x-extra", "yes"))
            .and(wiremock::matchers::query_param("limit", "5"))
            .and(body_json(json!({"filter": {"name": "x"}})))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server)
            .bearer_token("fixed")
            .app_name("my-app")
            .cdf_version("20230101-beta")
            .build()
            .unwrap();
        let req = Request::new(Method::POST, "/assets/list", "/assets/list".into())
            .query("limit", 5)
            .header("x-extra", "yes")
            .unwrap()
            .json(&json!({"filter": {"name": "x"}}))
            .unwrap();
        client.execute(req).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn header_injection_is_refused_before_sending() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let _client = builder(&server).build().unwrap();
        let got = Request::new(Method::GET, "/assets", "/assets".into())
            .header("x-thing", "ok\r\nx-evil: 1");
        match got {
            Err(Error::InvalidRequest(why)) => assert!(why.contains("x-thing"), "{why}"),
            other => panic!("{other:?}"),
        }
        // A bad content type is caught by execute, still before sending.
        let req = Request::new(Method::POST, "/files", "/files".into())
            .bytes("text/plain\r\nx-evil: 1", Bytes::from_static(b"x"));
        let got = _client.execute(req).await;
        assert!(matches!(got, Err(Error::InvalidRequest(_))), "{got:?}");
    })
    .await;
}

#[tokio::test]
async fn no_token_follows_a_redirect_to_another_origin() {
    within(async {
        let server = MockServer::start().await;
        let other = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&other)
            .await;
        Mock::given(path(api("/assets")))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("{}/steal", other.uri())),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).bearer_token("fixed").build().unwrap();
        let got = client
            .execute(Request::new(Method::GET, "/assets", "/assets".into()))
            .await;
        match got {
            Err(Error::Api(e)) => {
                assert_eq!(e.status, 302);
                assert!(e.message.contains("not followed"), "{}", e.message);
            }
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn same_origin_redirects_are_followed_with_the_token() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/old")))
            .respond_with(ResponseTemplate::new(307).insert_header("location", api("/new")))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path(api("/new")))
            .and(header("authorization", "Bearer fixed"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).bearer_token("fixed").build().unwrap();
        client
            .execute(Request::new(Method::GET, "/old", "/old".into()))
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn operation_servers_replace_the_base_url() {
    within(async {
        let server = MockServer::start().await;
        let auth = MockServer::start().await;
        Mock::given(path("/api/v1/token/inspect"))
            .and(header("authorization", "Bearer fixed"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"subject": "me"})))
            .expect(1)
            .mount(&auth)
            .await;
        let client = builder(&server).bearer_token("fixed").build().unwrap();
        let url = leak(format!("{}/api/v1", auth.uri()));
        let req = Request::new(Method::GET, "/token/inspect", "/token/inspect".into()).server(url);
        let body: serde_json::Value = client.execute(req).await.unwrap().json().unwrap();
        assert_eq!(body["subject"], "me");
    })
    .await;
}

#[tokio::test]
async fn operation_servers_can_be_overridden() {
    within(async {
        let server = MockServer::start().await;
        let proxy = MockServer::start().await;
        Mock::given(path("/proxied/token/inspect"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"subject": "me"})))
            .expect(1)
            .mount(&proxy)
            .await;
        let client = builder(&server)
            .bearer_token("fixed")
            .server_override(
                "https://auth.example.invalid/api/v1/",
                format!("{}/proxied", proxy.uri()),
            )
            .build()
            .unwrap();
        let req = Request::new(Method::GET, "/token/inspect", "/token/inspect".into())
            .server("https://auth.example.invalid/api/v1");
        let body: serde_json::Value = client.execute(req).await.unwrap().json().unwrap();
        assert_eq!(body["subject"], "me");
    })
    .await;
}

#[tokio::test]
async fn multipart_is_rebuilt_for_each_attempt() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/files")))
            .and(body_string_contains("hello-bytes"))
            .and(body_string_contains("name=\"file\"; filename=\"a.txt\""))
            .and(header_exists("content-type"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path(api("/files")))
            .and(body_string_contains("hello-bytes"))
            .respond_with(ResponseTemplate::new(201))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();
        let part = Part {
            name: "file".into(),
            file_name: Some("a.txt".into()),
            content_type: Some("text/plain".into()),
            data: Bytes::from_static(b"hello-bytes"),
        };
        let req = Request::new(Method::POST, "/files", "/files".into())
            .idempotent(true)
            .multipart(vec![part]);
        let resp = client.execute(req).await.unwrap();
        assert_eq!(resp.status, 201);
    })
    .await;
}

#[tokio::test]
async fn bytes_bodies_and_accept_are_sent_as_given() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/timeseries/data")))
            .and(header("content-type", "application/protobuf"))
            .and(header("accept", "application/protobuf"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/protobuf")
                    .set_body_bytes(vec![1u8, 2, 3]),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();
        let req = Request::new(Method::POST, "/timeseries/data", "/timeseries/data".into())
            .bytes("application/protobuf", Bytes::from_static(&[9, 9]))
            .accept("application/protobuf");
        let resp = client.execute(req).await.unwrap();
        assert_eq!(resp.content_type(), Some("application/protobuf"));
        assert_eq!(&resp.bytes()[..], &[1, 2, 3]);
    })
    .await;
}

#[tokio::test]
async fn attempts_are_traced_without_secrets() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/assets/123")))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path(api("/assets/123")))
            .respond_with(ResponseTemplate::new(200))
            .with_priority(2)
            .mount(&server)
            .await;
        let client = builder(&server)
            .bearer_token("token-in-logs?")
            .build()
            .unwrap();
        let req = Request::new(Method::GET, "/assets/{id}", "/assets/123".into());
        client.execute(req).await.unwrap();
    })
    .await;
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("cdf.request{method=GET path=\"/assets/{id}\" attempt=1 status=503}"),
        "{text}"
    );
    assert!(text.contains("attempt=2 status=200"), "{text}");
    assert!(text.contains("retrying CDF request"), "{text}");
    assert!(!text.contains("token-in-logs"), "{text}");
}
