use cdf_client_runtime::error::Error;
use cdf_client_runtime::request::{Method, Request};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::common::{api, builder, within};

async fn answer(
    template: ResponseTemplate,
) -> Result<cdf_client_runtime::request::Response, Error> {
    let server = MockServer::start().await;
    Mock::given(path(api("/assets/byids")))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let req = Request::new(Method::POST, "/assets/byids", "/assets/byids".into())
        .json(&json!({"items": [{"id": 1}]}))
        .unwrap();
    client.execute(req).await
}

#[tokio::test]
async fn cognite_error_body_is_decoded() {
    within(async {
        let body = json!({"error": {
            "code": 400,
            "message": "Ids not found",
            "missing": [{"id": 1}],
            "duplicated": [{"externalId": "d"}],
            "extra": {"k": "v"},
        }});
        let got = answer(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", "req-42")
                .set_body_json(body),
        )
        .await;
        let Err(Error::Api(e)) = got else {
            panic!("{got:?}")
        };
        assert_eq!(e.status, 400);
        assert_eq!(e.code, Some(400));
        assert_eq!(e.message, "Ids not found");
        assert_eq!(e.missing, vec![json!({"id": 1})]);
        assert_eq!(e.duplicated, vec![json!({"externalId": "d"})]);
        assert_eq!(e.extra, Some(json!({"k": "v"})));
        assert_eq!(e.request_id.as_deref(), Some("req-42"));
        assert_eq!(e.body, None);
        let text = e.to_string();
        assert!(
            text.starts_with("HTTP 400 (code 400): Ids not found"),
            "{text}"
        );
        assert!(text.ends_with("[request id: req-42]"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn other_error_bodies_are_kept() {
    within(async {
        let got =
            answer(ResponseTemplate::new(404).set_body_string("<html>no such page</html>")).await;
        let Err(Error::Api(e)) = got else {
            panic!("{got:?}")
        };
        assert_eq!((e.status, e.code), (404, None));
        assert_eq!(e.body.as_deref(), Some("<html>no such page</html>"));
    })
    .await;
}

#[tokio::test]
async fn bad_json_in_a_2xx_is_a_decode_error_with_the_body() {
    within(async {
        let resp = answer(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-7")
                .set_body_string(r#"{"items": [oops"#),
        )
        .await
        .unwrap();
        match resp.json::<serde_json::Value>() {
            Err(Error::Decode {
                status,
                body,
                request_id,
                ..
            }) => {
                assert_eq!(status, 200);
                assert_eq!(body, r#"{"items": [oops"#);
                assert_eq!(request_id.as_deref(), Some("req-7"));
            }
            other => panic!("{other:?}"),
        }
    })
    .await;
}
