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
