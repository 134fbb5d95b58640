//! The generated client end to end against a local mock server: typed
//! requests out, typed responses in, cursors, partitions, path encoding,
//! errors, headers and bulk calls. (Runtime details are tested in
//! `templates/tests/`.)

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cdf_client::api::{GetTablesParams, ListSequencesParams};
use cdf_client::types::*;
use cdf_client::runtime::test_server::{Answer, Seen, TestServer};
use cdf_client::{BulkOptions, Client, Error};
use futures::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LIMIT: Duration = Duration::from_secs(20);

fn client(server: &MockServer) -> Client {
    client_at(&server.uri())
}

fn client_at(url: &str) -> Client {
    Client::builder()
        .base_url(format!("{url}/api/v1/projects/test"))
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
    let request = SequencesAdvancedListDto::new().limit(2);
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
    let params = GetTablesParams::new().limit(5);
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
    let body = DataResourceIdsWithIgnoreUnknownIds::new(vec![7.into()]);
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

/// A sequences store that, like CDF, takes at most 1000 items per request.
fn sequences_endpoint(store: Arc<Mutex<BTreeMap<String, i64>>>) -> impl Fn(&Seen) -> Answer {
    move |seen| {
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        let items = body["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() || items.len() > 1000 {
            let error = json!({"error": {"code": 400, "message": format!("{} items", items.len())}});
            return Answer::json(400, &error);
        }
        let mut store = store.lock().unwrap();
        let mut answer = Vec::new();
        for item in &items {
            let external_id = item["externalId"].as_str().unwrap_or_default().to_string();
            let next = store.len() as i64 + 1;
            let id = match seen.target.ends_with("/byids") {
                true => store.get(&external_id).copied(),
                false => Some(*store.entry(external_id.clone()).or_insert(next)),
            };
            let Some(id) = id else {
                let missing = json!([{"externalId": external_id}]);
                let error = json!({"error": {"code": 400, "message": "missing", "missing": missing}});
                return Answer::json(400, &error);
            };
            let mut sequence = sequence(id);
            sequence["externalId"] = json!(external_id);
            answer.push(sequence);
        }
        Answer::json(200, &json!({ "items": answer }))
    }
}

#[tokio::test]
async fn five_thousand_sequences_are_created_and_read_back_in_chunks() {
    let store = Arc::new(Mutex::new(BTreeMap::new()));
    let server = TestServer::start(sequences_endpoint(store.clone())).await.expect("server starts");
    let client = client_at(&server.url());
    let names: Vec<String> = (0..5_000).map(|i| format!("seq-{i:05}")).collect();
    let column = PostSequenceColumnDto::new("c").value_type(SequenceValueTypeEnum::Double);
    let create =
        DataPostSequence::new(names.iter().map(|n| PostSequenceDto::new(vec![column.clone()]).external_id(n)).collect());
    let options = BulkOptions::default();
    let created = tokio::time::timeout(LIMIT, client.sequences().create_sequence_bulk(create, &options))
        .await
        .expect("in time")
        .expect("every chunk is accepted");
    let created: Vec<Option<String>> = created.into_iter().map(|s| s.external_id).collect();
    assert_eq!(created, names.iter().cloned().map(Some).collect::<Vec<_>>(), "input order");
    assert_eq!(server.requests(), 5);
    let by_external_id =
        DataResourceIdsWithIgnoreUnknownIds::new(names.iter().map(DataResourceIdsItem::external_id).collect());
    let read = tokio::time::timeout(LIMIT, client.sequences().get_sequence_by_id_bulk(by_external_id, &options))
        .await
        .expect("in time")
        .expect("every chunk is found");
    let ids: Vec<i64> = read.iter().map(|s| s.id).collect();
    assert_eq!(ids, (1..=5_000).collect::<Vec<i64>>());
    assert_eq!(server.requests(), 10);
    assert!(server.peak_in_flight() <= client.max_concurrency());
}

#[tokio::test]
async fn a_failed_bulk_read_names_the_missing_items() {
    let store = Arc::new(Mutex::new(BTreeMap::from([("known".to_string(), 1)])));
    let server = TestServer::start(sequences_endpoint(store)).await.expect("server starts");
    let select = DataResourceIdsItem::from;
    let mut items = vec![select("known"); 1_000];
    items.push(select("unknown"));
    let body = DataResourceIdsWithIgnoreUnknownIds::new(items);
    let err = tokio::time::timeout(
        LIMIT,
        client_at(&server.url()).sequences().get_sequence_by_id_bulk(body, &BulkOptions::default()),
    )
    .await
    .expect("in time")
    .expect_err("the second chunk fails");
    assert_eq!(err.succeeded().count(), 1_000);
    assert_eq!(err.responses().map(|r| r.items.len()).sum::<usize>(), 1_000);
    let (failed, Error::Api(api)) = err.failed().next().expect("one failed chunk") else {
        panic!("an API error: {err}");
    };
    assert_eq!(failed.len(), 1);
    assert_eq!(api.missing, vec![json!({"externalId": "unknown"})]);
}

/// A newer CDF may send enum values and fields this crate does not know:
/// they decode (the value kept), they do not fail the call.
#[tokio::test]
async fn unknown_enum_values_and_fields_decode() {
    let mut seq = sequence(9);
    seq["columns"][0]["valueType"] = json!("QUATERNION");
    seq["columns"][0]["futureColumnSetting"] = json!({"x": 1});
    seq["aFieldFromTheFuture"] = json!([1, 2, 3]);
    let server = TestServer::start(move |_: &Seen| Answer::json(200, &json!({"items": [seq], "nextCursor": null})))
        .await
        .expect("server starts");
    let request = SequencesAdvancedListDto::default();
    let page = tokio::time::timeout(LIMIT, client_at(&server.url()).sequences().advanced_list_sequences(&request))
        .await
        .expect("in time")
        .expect("decodes");
    let column = &page.items[0].columns[0];
    assert_eq!(column.value_type, SequenceValueTypeEnum::Other("QUATERNION".into()));
    assert_eq!(column.value_type.as_str(), "QUATERNION");
    assert_eq!(serde_json::to_value(&column.value_type).unwrap(), json!("QUATERNION"), "sent back as it came");
}

fn new_sequence(external_id: &str, columns: usize) -> PostSequenceDto {
    PostSequenceDto::new((0..columns).map(|c| PostSequenceColumnDto::new(format!("c{c}"))).collect())
        .external_id(external_id)
}

fn validation(error: &Error) -> &cdf_client::runtime::validate::Invalid {
    match error {
        Error::Validation(invalid) => invalid,
        other => panic!("expected a validation error, got {other}"),
    }
}

#[tokio::test]
async fn requests_that_break_the_spec_are_refused_before_sending() {
    let server = TestServer::start(|_: &Seen| Answer::json(200, &json!({"items": []}))).await.expect("server starts");
    let client = client_at(&server.url());
    let body =
        DataPostSequence::new(vec![new_sequence("fine", 1), new_sequence(&"x".repeat(256), 0), new_sequence("also-fine", 401)]);
    let err = client.sequences().create_sequence(&body).await.expect_err("refused");
    let invalid = validation(&err);
    let found: Vec<String> = invalid.violations.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        found,
        vec![
            "items[1].externalId: 256 characters, at most 255 allowed (maxLength)",
            "items[1].columns: 0 items, at least 1 needed (minItems)",
            "items[2].columns: 401 items, at most 400 allowed (maxItems)",
        ]
    );
    assert!(err.to_string().starts_with("invalid request: items[1].externalId"), "{err}");
    assert_eq!(server.requests(), 0, "nothing was sent");

    // Query parameters and path parameters are checked too, by their wire names.
    let params = ListSequencesParams::new().limit(0);
    let err = client.sequences().list_sequences(&params).await.expect_err("refused");
    assert_eq!(validation(&err).violations[0].to_string(), "limit: 0 is below the minimum: must be greater than or equal to 1");
    let err = client.assets().get_asset(0).await.expect_err("refused");
    assert_eq!(validation(&err).violations[0].to_string(), "id: 0 is below the minimum: must be greater than or equal to 1");
    assert_eq!(server.requests(), 0, "nothing was sent");

    // Opting out lets the server judge.
    let trusting = Client::builder()
        .base_url(format!("{}/api/v1/projects/test", server.url()))
        .bearer_token("test-token")
        .validate_requests(false)
        .build()
        .expect("client builds");
    assert!(!trusting.validates());
    trusting.sequences().create_sequence(&body).await.expect("sent and answered");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_bulk_call_names_a_bad_item_by_its_place_in_the_whole_input() {
    let store = Arc::new(Mutex::new(BTreeMap::new()));
    let server = TestServer::start(sequences_endpoint(store)).await.expect("server starts");
    let client = client_at(&server.url());
    let mut items: Vec<PostSequenceDto> = (0..2500).map(|i| new_sequence(&format!("s{i}"), 1)).collect();
    items[1234].external_id = Some("y".repeat(300));
    items[2001].columns.clear();
    let err = client
        .sequences()
        .create_sequence_bulk(DataPostSequence::new(items), &BulkOptions::default())
        .await
        .expect_err("refused");
    let failed: Vec<(usize, &Error)> = err.failed().map(|(items, e)| (items.len(), e)).collect();
    assert_eq!(failed.len(), 1, "{err}");
    let invalid = validation(failed[0].1);
    assert_eq!(invalid.paths(), BTreeSet::from(["items[1234].externalId", "items[2001].columns"]).into_iter().collect());
    assert_eq!(err.failed().next().map(|(items, _)| items[0].external_id.clone()), Some(Some("y".repeat(300))));
    assert_eq!(err.not_attempted().count(), 2499);
    assert_eq!(server.requests(), 0, "no chunk was sent");
}
