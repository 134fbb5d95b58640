//! Helpers for the tests emitted into the generated crate, behind the
//! `test-util` feature.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// JSON equality where `5` and `5.0` are the same number (a `f64` field
/// re-encodes an integer example with a fraction).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Decodes `json` as `T` and encodes it again; `Err` says what was lost or
/// why decoding failed.
pub fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> Result<(), String> {
    let original: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let typed: T = serde_json::from_str(json).map_err(|e| format!("does not decode: {e}"))?;
    let again = serde_json::to_value(&typed).map_err(|e| format!("does not encode: {e}"))?;
    if same_json(&original, &again) {
        Ok(())
    } else {
        Err(format!(
            "re-encodes differently:\n  spec:    {original}\n  encoded: {again}"
        ))
    }
}

/// Decodes `json` as a union `T`, which must read it as the variant
/// `is_variant` accepts and encode it back to the same JSON.
pub fn variant_round_trip<T: DeserializeOwned + Serialize + std::fmt::Debug>(
    json: &str,
    is_variant: fn(&T) -> bool,
) -> Result<(), String> {
    let typed: T = serde_json::from_str(json).map_err(|e| format!("does not decode: {e}"))?;
    if !is_variant(&typed) {
        return Err(format!("decodes as another variant: {typed:?}"));
    }
    round_trip::<T>(json)
}

/// `Ok` when `typed` (an answer decoded and encoded again) is the JSON the
/// server sent in `body`. A `null` and an absent key are the same to the
/// types (an `Option` that is `None` is not sent), so both sides drop
/// their `null` members first.
pub fn lossless(body: &[u8], typed: &Value) -> Result<(), String> {
    let sent: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let (sent, typed) = (without_nulls(&sent), without_nulls(typed));
    if same_json(&sent, &typed) {
        return Ok(());
    }
    let mut at = String::new();
    first_difference(&sent, &typed, &mut at);
    Err(format!("re-encoded answer differs at {at}"))
}

fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Writes the JSON pointer of the first place where `a` and `b` differ,
/// and what each side has there.
fn first_difference(a: &Value, b: &Value, at: &mut String) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if same_json(v, w) => {}
                    Some(w) => {
                        at.push('/');
                        at.push_str(k);
                        return first_difference(v, w, at);
                    }
                    None => return at.push_str(&format!("/{k}: sent, dropped by the types")),
                }
            }
            if let Some(k) = y.keys().find(|k| !x.contains_key(*k)) {
                at.push_str(&format!("/{k}: not sent, added by the types"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            if let Some(i) = (0..x.len()).find(|&i| !same_json(&x[i], &y[i])) {
                at.push_str(&format!("/{i}"));
                first_difference(&x[i], &y[i], at);
            }
        }
        _ => at.push_str(&format!(": sent {a}, re-encoded {b}")),
    }
}

/// How one call fared against a validating mock server (Prism).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The request broke the spec, or the response did not decode.
    Fail(String),
    /// The mock server could not serve the call (no route, no example, ...).
    Skip(String),
    /// The answer decoded, but encoding it again does not give back what
    /// the server sent: the types lost or changed part of it.
    Lossy(String),
}

/// Sorts a call's result: 2xx decoded is a pass; a 422/400 (the server's
/// request validation), a decode failure or a transport failure is a
/// failure; any other status is the mock server's own limit, a skip.
pub fn verdict<T>(result: &Result<T, super::error::Error>) -> Verdict {
    use super::error::Error;
    match result {
        Ok(_) => Verdict::Pass,
        Err(Error::Api(e)) if e.status == 422 || e.status == 400 => Verdict::Fail(format!(
            "request rejected ({}): {}",
            e.status,
            e.body.as_deref().unwrap_or(&e.message)
        )),
        Err(Error::Api(e)) => Verdict::Skip(format!("server answered {}: {}", e.status, e.message)),
        Err(e @ Error::Decode { .. }) => Verdict::Fail(e.to_string()),
        Err(e) => Verdict::Fail(e.to_string()),
    }
}

/// Counts verdicts and prints the summary CI logs show last.
#[derive(Debug, Default)]
pub struct Tally {
    pub passed: Vec<String>,
    pub failed: Vec<(String, String)>,
    pub skipped: Vec<(String, String)>,
    pub lossy: Vec<(String, String)>,
    /// Failures whose request the generator already knew the spec rejects
    /// (a subset of `failed`, counted in the summary).
    pub predicted: usize,
}

impl Tally {
    pub fn record(&mut self, operation: &str, verdict: Verdict) {
        match verdict {
            Verdict::Pass => self.passed.push(operation.to_string()),
            Verdict::Fail(why) => self.failed.push((operation.to_string(), why)),
            Verdict::Skip(why) => self.skipped.push((operation.to_string(), why)),
            Verdict::Lossy(why) => self.lossy.push((operation.to_string(), why)),
        }
    }

    /// Records a call whose request the spec rejects for `predicted`
    /// (empty: nothing known). A rejection is then a failure explained by
    /// the spec; it still counts as failed.
    pub fn record_predicted(&mut self, operation: &str, verdict: Verdict, predicted: &str) {
        match verdict {
            Verdict::Fail(why) if !predicted.is_empty() => {
                self.predicted += 1;
                let why = format!(
                    "{why}\n    predicted, the spec rejects every request found: {predicted}"
                );
                self.failed.push((operation.to_string(), why));
            }
            other => self.record(operation, other),
        }
    }

    /// Every failure and skip with its reason, then the one-line count.
    pub fn summary(&self, mode: &str) -> String {
        let mut out = String::new();
        for (op, why) in &self.failed {
            out.push_str(&format!("FAILED {op}: {why}\n"));
        }
        for (op, why) in &self.lossy {
            out.push_str(&format!("LOSSY {op}: {why}\n"));
        }
        for (op, why) in &self.skipped {
            out.push_str(&format!("skipped {op}: {why}\n"));
        }
        let predicted = match self.predicted {
            0 => String::new(),
            n => format!(" ({n} of them predicted from the spec)"),
        };
        out.push_str(&format!(
            "contract ({mode}): {} operations passed, {} failed{predicted}, {} skipped, {} lossy\n",
            self.passed.len(),
            self.failed.len(),
            self.skipped.len(),
            self.lossy.len()
        ));
        out
    }

    /// Passed share of the operations the server could serve (a lossy
    /// answer did not pass).
    pub fn pass_rate(&self) -> f64 {
        let served = self.passed.len() + self.failed.len() + self.lossy.len();
        if served == 0 {
            0.0
        } else {
            self.passed.len() as f64 / served as f64
        }
    }
}

/// What a validating mock server wrote in its log about one request: the
/// rules the request broke and the rules its own answer broke. Read from
/// Prism's log, where each request starts with a `[HTTP SERVER] <method>
/// <path>` line and each broken rule is a `Violation: request...` or
/// `Violation: response...` line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub request: Vec<String>,
    pub response: Vec<String>,
}

/// Splits a Prism log into one [`Logged`] per request, in order.
pub fn read_server_log(text: &str) -> Vec<Logged> {
    let mut out: Vec<Logged> = Vec::new();
    for line in text.lines() {
        if let Some(at) = line.find("[HTTP SERVER] ") {
            let mut words = line[at + "[HTTP SERVER] ".len()..].split_whitespace();
            if let (Some(method), Some(path)) = (words.next(), words.next()) {
                out.push(Logged {
                    method: method.to_ascii_uppercase(),
                    path: path.split('?').next().unwrap_or(path).to_string(),
                    ..Logged::default()
                });
            }
        } else if let (Some(at), Some(last)) = (line.find("Violation: "), out.last_mut()) {
            let rule = line[at + "Violation: ".len()..].trim().to_string();
            let list = if rule.starts_with("request") {
                &mut last.request
            } else {
                &mut last.response
            };
            if !list.contains(&rule) {
                list.push(rule);
            }
        }
    }
    out
}

/// `label` (`"POST /files/{id}/x (name)"`) names the operation the logged
/// request was for: same method, and the template's segments match the end
/// of the path (a path-level server puts a prefix before them).
pub fn logged_for(label: &str, logged: &Logged) -> bool {
    let mut words = label.split_whitespace();
    let (Some(method), Some(template)) = (words.next(), words.next()) else {
        return false;
    };
    let want: Vec<&str> = template.trim_matches('/').split('/').collect();
    let got: Vec<&str> = logged.path.trim_matches('/').split('/').collect();
    method == logged.method
        && got.len() >= want.len()
        && want
            .iter()
            .zip(&got[got.len() - want.len()..])
            .all(|(w, g)| (w.starts_with('{') && w.ends_with('}')) || w == g)
}

/// Pairs each call (in the order made) with what the server logged about
/// it, looking a few requests ahead for calls that never reached it.
pub fn pair_with_log<'a>(labels: &[&str], log: &'a [Logged]) -> Vec<Option<&'a Logged>> {
    let mut next = 0;
    labels
        .iter()
        .map(|label| {
            let found = (next..log.len().min(next + 4)).find(|&k| logged_for(label, &log[k]));
            found.map(|k| {
                next = k + 1;
                &log[k]
            })
        })
        .collect()
}

/// Refines a verdict with what the server logged: a decode failure of an
/// answer the server itself found against the spec is the server's limit
/// (a skip, with the rule), and a rejection names the rules the request
/// broke.
pub fn with_server_view(verdict: Verdict, logged: Option<&Logged>) -> Verdict {
    let Some(logged) = logged else {
        return verdict;
    };
    match verdict {
        Verdict::Fail(why) if why.starts_with("cannot decode") && !logged.response.is_empty() => {
            Verdict::Skip(format!(
                "the server's answer breaks the spec ({} rules, first: {}); {why}",
                logged.response.len(),
                logged.response[0]
            ))
        }
        Verdict::Lossy(why) if !logged.response.is_empty() => Verdict::Skip(format!(
            "the server's answer breaks the spec ({} rules, first: {}); lossy: {why}",
            logged.response.len(),
            logged.response[0]
        )),
        Verdict::Fail(why) if !logged.request.is_empty() => Verdict::Fail(format!(
            "{why}\n    the server found: {}",
            logged.request.join("; ")
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Serialize, Deserialize)]
    struct Point {
        x: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    }

    #[test]
    fn verdicts_sort_outcomes() {
        use super::super::error::{ApiError, Error};
        let api = |status: u16| -> Result<(), Error> {
            Err(Error::Api(Box::new(ApiError {
                status,
                code: None,
                message: "m".into(),
                missing: vec![],
                duplicated: vec![],
                extra: None,
                request_id: None,
                body: Some("b".into()),
            })))
        };
        assert_eq!(verdict(&Ok::<(), Error>(())), Verdict::Pass);
        assert!(matches!(verdict(&api(422)), Verdict::Fail(w) if w.contains("422")));
        assert!(matches!(verdict(&api(404)), Verdict::Skip(_)));
        let mut t = Tally::default();
        t.record("a", Verdict::Pass);
        t.record("b", verdict(&api(422)));
        t.record("c", verdict(&api(404)));
        assert_eq!(t.pass_rate(), 0.5);
        assert!(
            t.summary("x")
                .ends_with("contract (x): 1 operations passed, 1 failed, 1 skipped, 0 lossy\n")
        );
        t.record_predicted("d", verdict(&api(400)), "at /items/0: two branches match");
        t.record_predicted("e", Verdict::Pass, "at /x: stale prediction");
        let summary = t.summary("x");
        assert!(summary.contains("FAILED d: request rejected (400): b\n    predicted"));
        assert!(summary.ends_with(
            "2 operations passed, 2 failed (1 of them predicted from the spec), 1 skipped, 0 lossy\n"
        ));
    }

    const LOG: &str = "\
[1:00:00 PM] \u{203a} [HTTP SERVER] post /files/byids \u{2139}  info      Request received
[1:00:00 PM] \u{203a}     [VALIDATOR] \u{2716}  error     Violation: request.body.items.0 must match exactly one schema in oneOf
[1:00:00 PM] \u{203a} [HTTP SERVER] get /models/containers?limit=1 \u{2139}  info      Request received
[1:00:00 PM] \u{203a}     [VALIDATOR] \u{2716}  error     Violation: response.body.items.0.properties must be object
[1:00:00 PM] \u{203a}     [VALIDATOR] \u{2716}  error     Violation: response.body.items.0.properties must be object
[1:00:01 PM] \u{203a} [HTTP SERVER] get /api/v1/token/inspect \u{2139}  info      Request received
";

    #[test]
    fn server_log_explains_each_call() {
        let log = read_server_log(LOG);
        assert_eq!(log.len(), 3);
        assert_eq!(log[1].path, "/models/containers");
        assert_eq!(log[1].response.len(), 1, "repeated rules are kept once");
        let labels = [
            "POST /files/byids (by_ids_files)",
            "POST /never/sent (client_side_error)",
            "GET /models/containers (list_containers)",
            "GET /token/inspect (inspect_token)",
        ];
        let paired = pair_with_log(&labels, &log);
        assert_eq!(paired[0], Some(&log[0]));
        assert_eq!(paired[1], None);
        assert_eq!(paired[2], Some(&log[1]));
        assert_eq!(
            paired[3],
            Some(&log[2]),
            "a server prefix before the template"
        );
        assert!(
            !logged_for("GET /files/{id} (x)", &log[0]),
            "method differs"
        );
        assert!(logged_for("POST /files/{id} (x)", &log[0]));

        let rejected =
            with_server_view(Verdict::Fail("request rejected (400): x".into()), paired[0]);
        assert!(
            matches!(&rejected, Verdict::Fail(w) if w.contains("the server found: request.body.items.0"))
        );
        let skipped = with_server_view(Verdict::Fail("cannot decode response".into()), paired[2]);
        assert!(
            matches!(&skipped, Verdict::Skip(w) if w.starts_with("the server's answer breaks the spec (1 rules"))
        );
        let ours = with_server_view(Verdict::Fail("cannot decode response".into()), paired[3]);
        assert_eq!(
            ours,
            Verdict::Fail("cannot decode response".into()),
            "a valid answer we cannot read is ours"
        );
    }

    #[test]
    fn lossless_names_the_first_difference() {
        let typed = json!({"items": [{"a": 1, "b": null}]});
        assert_eq!(lossless(br#"{"items": [{"a": 1.0}]}"#, &typed), Ok(()));
        assert_eq!(
            lossless(br#"{"items": [{"a": 1, "c": null}]}"#, &typed),
            Ok(())
        );
        let err = lossless(br#"{"items": [{"a": 1, "acl": {"x": 1}}]}"#, &typed).unwrap_err();
        assert_eq!(
            err,
            "re-encoded answer differs at /items/0/acl: sent, dropped by the types"
        );
        let err = lossless(br#"{"items": [{"a": 2}]}"#, &typed).unwrap_err();
        assert_eq!(
            err,
            "re-encoded answer differs at /items/0/a: sent 2, re-encoded 1"
        );
        let err = lossless(br#"{"items": []}"#, &typed).unwrap_err();
        assert!(err.contains("/items: sent [], re-encoded"), "{err}");
        let mut t = Tally::default();
        t.record("a", Verdict::Pass);
        t.record("b", Verdict::Lossy(err));
        assert_eq!(t.pass_rate(), 0.5);
        assert!(
            t.summary("x")
                .ends_with("1 operations passed, 0 failed, 0 skipped, 1 lossy\n")
        );
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(same_json(&json!({"a": [5]}), &json!({"a": [5.0]})));
        assert!(!same_json(&json!({"a": 5}), &json!({"a": 6})));
        assert!(!same_json(&json!({"a": 5}), &json!({"a": 5, "b": 1})));
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Point(Point),
        Text(String),
    }

    #[test]
    fn variant_round_trip_checks_the_variant() {
        let is_point: fn(&Either) -> bool = |e| matches!(e, Either::Point(_));
        assert_eq!(variant_round_trip(r#"{"x": 1}"#, is_point), Ok(()));
        let other = variant_round_trip(r#""a""#, is_point).unwrap_err();
        assert!(other.starts_with("decodes as another variant"), "{other}");
        let lost = variant_round_trip(r#"{"x": 1, "y": 2}"#, is_point).unwrap_err();
        assert!(lost.starts_with("re-encodes differently"), "{lost}");
    }

    #[test]
    fn round_trip_reports_loss_and_failure() {
        assert_eq!(round_trip::<Point>(r#"{"x": 1}"#), Ok(()));
        let lost = round_trip::<Point>(r#"{"x": 1, "extra": true}"#).unwrap_err();
        assert!(lost.starts_with("re-encodes differently"), "{lost}");
        let bad = round_trip::<Point>(r#"{"label": "a"}"#).unwrap_err();
        assert!(bad.contains("missing field `x`"), "{bad}");
    }
}
