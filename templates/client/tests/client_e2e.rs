//! The generated client end to end against a local mock server: typed
//! requests out, typed responses in, cursors, partitions, path encoding,
//! errors and headers. (Runtime details are tested in `templates/tests/`.)

use std::collections::BTreeSet;
use std::time::Duration;

use cdf_client::api::{GetTablesParams, ListSequencesParams};
use cdf_client::types::*;
use cdf_client::{Client, Error};
use futures::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LIMIT: Duration = Duration::from_secs(20);

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/api/v1/projects/test", server.uri()))
        .bearer_token("test-token")
        .app_name("e2e")
        .build()
        .expect("client builds")
}

fn sequence(id: i64) -> Value {
    json!({
        "id": id, "name": format!("s{id}"), "columns": [
            {"externalId": "c", "valueType": "DOUBLE", "createdTime": 0, "lastUpdatedTime": 0}
        ],
        "createdTime": 0, "lastUpdatedTime": 0
    })
}

/// Pages keyed by the cursor the request carries (in the body or the query).
struct Pages {
    in_query: bool,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let cursor = if self.in_query {
            request.url.query_pairs().find(|(k, _)| k == "cursor").map(|(_, v)| v.to_string())
        } else {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            body.get("cursor").and_then(Value::as_str).map(str::to_string)
        };
        let partition = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "partition")
            .and_then(|(_, v)| v.split('/').next().and_then(|n| n.parse::<i64>().ok()))
            .unwrap_or(0);
        let (ids, next) = match cursor.as_deref() {
            None => (vec![1, 2], Some("p2")),
            Some("p2") => (vec![3, 4], Some("p3")),
            Some("p3") => (vec![5], None),
            Some(_) => return ResponseTemplate::new(400),
        };
        let items: Vec<Value> = ids.into_iter().map(|i| sequence(partition * 100 + i)).collect();
        ResponseTemplate::new(200).set_body_json(json!({"items": items, "nextCursor": next}))
    }
}

#[tokio::test]
async fn advanced_list_stream_follows_cursors_in_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/projects/test/sequences/list"))
        .and(header("authorization", "Bearer test-token"))
        .and(header("x-cdp-app", "e2e"))
        .and(body_partial_json(json!({"limit": 2})))
        .respond_with(Pages { in_query: false })
        .expect(3)
        .mount(&server)
        .await;
    let request = SequencesAdvancedListDto { limit: Some(2), ..Default::default() };
    let all: Vec<GetSequenceDto> = tokio::time::timeout(
        LIMIT,
        client(&server).sequences().advanced_list_sequences_stream(request).try_collect(),
    )
    .await
    .expect("in time")
    .expect("pages decode");
    let ids: Vec<i64> = all.iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
    assert_eq!(all[0].columns[0].value_type, SequenceValueTypeEnum::Double);
}

#[tokio::test]
async fn partitions_yield_every_item_exactly_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/projects/test/sequences"))
        .respond_with(Pages { in_query: true })
        .expect(9)
        .mount(&server)
        .await;
    let client = client(&server);
    let stream = client
        .sequences()
        .list_sequences_partitioned(ListSequencesParams::default(), 3);
    let all: Vec<GetSequenceDto> = tokio::time::timeout(LIMIT, stream.try_collect())
        .await
        .expect("in time")
        .expect("pages decode");
    let ids: BTreeSet<i64> = all.iter().map(|s| s.id).collect();
    assert_eq!(all.len(), 15, "no item twice");
    let expected: BTreeSet<i64> = (1..=3).flat_map(|p| (1..=5).map(move |i| p * 100 + i)).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn path_parameters_stay_in_their_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/projects/test/raw/dbs/a%2Fb%20c%3F%23%25%C3%A9/tables"))
        .and(query_param("limit", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [{"name": "t"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let params = GetTablesParams { limit: Some(5), cursor: None };
    let tables = tokio::time::timeout(LIMIT, client(&server).raw().get_tables("a/b c?#%é", &params))
        .await
        .expect("in time")
        .expect("call succeeds");
    assert_eq!(tables.items.map(|t| t.len()), Some(1));
}

#[tokio::test]
async fn api_errors_carry_the_cognite_error_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/projects/test/sequences/byids"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", "req-1")
                .set_body_json(json!({"error": {"code": 400, "message": "not found", "missing": [{"id": 7}]}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let body = DataResourceIdsWithIgnoreUnknownIds {
        items: vec![DataResourceIdsWithIgnoreUnknownIdsItemsItem::SelectById(
            DataResourceIdsWithIgnoreUnknownIdsItemsItemSelectById { id: Some(7) },
        )],
        ignore_unknown_ids: None,
    };
    let err = tokio::time::timeout(LIMIT, client(&server).sequences().get_sequence_by_id(&body))
        .await
        .expect("in time")
        .expect_err("400 is an error");
    match err {
        Error::Api(api) => {
            assert_eq!(api.status, 400);
            assert_eq!(api.message, "not found");
            assert_eq!(api.missing, vec![json!({"id": 7})]);
            assert_eq!(api.request_id.as_deref(), Some("req-1"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}
