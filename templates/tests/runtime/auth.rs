use std::time::Duration;

use cdf_client_runtime::client::Client;
use cdf_client_runtime::error::Error;
use cdf_client_runtime::request::{Method, Request};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::common::{api, builder, counting, within};

const SECRET: &str = "very-secret-client-secret";

fn token_answer(n: usize, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": format!("tok{n}"),
        "token_type": "Bearer",
        "expires_in": expires_in,
    }))
}

fn oauth(server: &MockServer) -> Client {
    builder(server)
        .client_credentials(
            format!("{}/oauth/token", server.uri()),
            "my-client",
            SECRET,
            vec!["s1".into(), "s2".into()],
        )
        .build()
        .unwrap()
}

fn get_assets() -> Request {
    Request::new(Method::GET, "/assets", "/assets".into())
}

#[tokio::test]
async fn token_is_fetched_once_and_cached() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string_contains("grant_type=client_credentials"))
            .and(body_string_contains("client_id=my-client"))
            .and(body_string_contains("scope=s1+s2"))
            .respond_with(token_answer(1, 3600))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(api("/assets")))
            .and(header("authorization", "Bearer tok1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
            .expect(3)
            .mount(&server)
            .await;
        let client = oauth(&server);
        for _ in 0..3 {
            client.execute(get_assets()).await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn expired_token_is_refreshed() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(counting(|n| token_answer(n, 0)))
            .expect(2)
            .mount(&server)
            .await;
        for token in ["Bearer tok1", "Bearer tok2"] {
            Mock::given(path(api("/assets")))
                .and(header("authorization", token))
                .respond_with(ResponseTemplate::new(200))
                .expect(1)
                .mount(&server)
                .await;
        }
        let client = oauth(&server);
        client.execute(get_assets()).await.unwrap();
        client.execute(get_assets()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn concurrent_callers_share_one_fetch() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(token_answer(1, 3600).set_delay(Duration::from_millis(50)))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path(api("/assets")))
            .respond_with(ResponseTemplate::new(200))
            .expect(5)
            .mount(&server)
            .await;
        let client = oauth(&server);
        let calls = (0..5).map(|_| client.execute(get_assets()));
        for result in futures::future::join_all(calls).await {
            result.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn one_401_gets_a_fresh_token_and_one_retry() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(counting(|n| token_answer(n, 3600)))
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(path(api("/assets")))
            .and(header("authorization", "Bearer tok1"))
            .respond_with(ResponseTemplate::new(401))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path(api("/assets")))
            .and(header("authorization", "Bearer tok2"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        // Not idempotent: a 401 means the request was not acted on, so it
        // is sent again all the same.
        let post = Request::new(Method::POST, "/assets", "/assets".into());
        oauth(&server).execute(post).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_second_401_is_returned() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(counting(|n| token_answer(n, 3600)))
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(path(api("/assets")))
            .respond_with(
                ResponseTemplate::new(401)
                    .set_body_json(json!({"error": {"code": 401, "message": "Unauthorized"}})),
            )
            .expect(2)
            .mount(&server)
            .await;
        let err = oauth(&server).execute(get_assets()).await.unwrap_err();
        match err {
            Error::Api(e) => assert_eq!((e.status, e.message.as_str()), (401, "Unauthorized")),
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn static_token_is_not_retried_on_401() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/assets")))
            .and(header("authorization", "Bearer fixed"))
            .respond_with(ResponseTemplate::new(401))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).bearer_token("fixed").build().unwrap();
        let err = client.execute(get_assets()).await.unwrap_err();
        assert_eq!(err.status(), Some(401));
    })
    .await;
}

#[tokio::test]
async fn token_endpoint_errors_carry_its_words_not_the_secret() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({
                "error": "invalid_client",
                "error_description": format!("AADSTS7000215: Invalid client secret {SECRET}"),
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path(api("/assets")))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let err = oauth(&server).execute(get_assets()).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert!(text.contains("invalid_client: AADSTS7000215"), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!format!("{err:?}").contains(SECRET));
    })
    .await;
}

#[tokio::test]
async fn debug_never_shows_secrets_or_tokens() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"access_token": "fetched-token-value", "expires_in": 3600}),
                ),
            )
            .mount(&server)
            .await;
        Mock::given(path(api("/assets")))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let cc = builder(&server).client_credentials(
            format!("{}/oauth/token", server.uri()),
            "my-client",
            SECRET,
            vec![],
        );
        let text = format!("{cc:?}");
        assert!(!text.contains(SECRET), "{text}");
        let client = cc.build().unwrap();
        client.execute(get_assets()).await.unwrap();
        let text = format!("{client:?}");
        assert!(text.contains("my-client"), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("fetched-token-value"), "{text}");

        let bearer = builder(&server).bearer_token("static-token-value");
        let text = format!("{bearer:?} {:?}", bearer.clone().build().unwrap());
        assert!(!text.contains("static-token-value"), "{text}");
        let secret = cdf_client_runtime::auth::Secret::new("abc");
        assert_eq!(format!("{secret:?}/{secret}"), "***/***");
    })
    .await;
}

#[tokio::test]
async fn a_token_endpoint_hiccup_is_retried() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(counting(|n| match n {
                1 => ResponseTemplate::new(503),
                n => token_answer(n, 3600),
            }))
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(path(api("/assets")))
            .and(header("authorization", "Bearer tok2"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        // Not idempotent: the API was never reached, so trying again is safe.
        let post = Request::new(Method::POST, "/assets", "/assets".into());
        oauth(&server).execute(post).await.unwrap();
    })
    .await;
}
