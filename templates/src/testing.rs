//! Helpers for the tests emitted into the generated crate. Not part of the
//! client's API.

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

/// How one call fared against a validating mock server (Prism).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The request broke the spec, or the response did not decode.
    Fail(String),
    /// The mock server could not serve the call (no route, no example, ...).
    Skip(String),
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
}

impl Tally {
    pub fn record(&mut self, operation: &str, verdict: Verdict) {
        match verdict {
            Verdict::Pass => self.passed.push(operation.to_string()),
            Verdict::Fail(why) => self.failed.push((operation.to_string(), why)),
            Verdict::Skip(why) => self.skipped.push((operation.to_string(), why)),
        }
    }

    /// Every failure and skip with its reason, then the one-line count.
    pub fn summary(&self, mode: &str) -> String {
        let mut out = String::new();
        for (op, why) in &self.failed {
            out.push_str(&format!("FAILED {op}: {why}\n"));
        }
        for (op, why) in &self.skipped {
            out.push_str(&format!("skipped {op}: {why}\n"));
        }
        out.push_str(&format!(
            "contract ({mode}): {} operations passed, {} failed, {} skipped\n",
            self.passed.len(),
            self.failed.len(),
            self.skipped.len()
        ));
        out
    }

    /// Passed share of the operations the server could serve.
    pub fn pass_rate(&self) -> f64 {
        let served = self.passed.len() + self.failed.len();
        if served == 0 {
            0.0
        } else {
            self.passed.len() as f64 / served as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Serialize, Deserialize)]
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
                .ends_with("contract (x): 1 operations passed, 1 failed, 1 skipped\n")
        );
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(same_json(&json!({"a": [5]}), &json!({"a": [5.0]})));
        assert!(!same_json(&json!({"a": 5}), &json!({"a": 6})));
        assert!(!same_json(&json!({"a": 5}), &json!({"a": 5, "b": 1})));
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
