//! Decoding of `oneOf`/`anyOf` types.
//!
//! serde's `untagged` takes the first variant that fits and, when none does,
//! says only "data did not match any variant". Generated unions decode through
//! here instead: candidates are filtered by JSON kind and by the keys an
//! object must have, tried in the order the generator chose (most specific
//! first), and a failure names every candidate and why it did not fit.

use std::fmt;

use serde_json::Value;

/// JSON kinds as bits, so one candidate can accept several.
pub mod kinds {
    pub const NULL: u8 = 1;
    pub const BOOL: u8 = 2;
    /// Numbers written without fraction or exponent.
    pub const INTEGER: u8 = 4;
    pub const FLOAT: u8 = 8;
    pub const NUMBER: u8 = INTEGER | FLOAT;
    pub const STRING: u8 = 16;
    pub const ARRAY: u8 = 32;
    pub const OBJECT: u8 = 64;
    pub const ANY: u8 = 127;
}

fn kind_of(value: &Value) -> (u8, &'static str) {
    match value {
        Value::Null => (kinds::NULL, "null"),
        Value::Bool(_) => (kinds::BOOL, "boolean"),
        Value::Number(n) if n.is_f64() => (kinds::FLOAT, "number"),
        Value::Number(_) => (kinds::INTEGER, "integer"),
        Value::String(_) => (kinds::STRING, "string"),
        Value::Array(_) => (kinds::ARRAY, "array"),
        Value::Object(_) => (kinds::OBJECT, "object"),
    }
}

/// One variant of a union, as the generated code describes it.
pub struct Candidate<T> {
    pub name: &'static str,
    /// Bits from [`kinds`]: the JSON kinds this variant can decode from.
    pub kinds: u8,
    /// Keys an object must carry to be this variant.
    pub required: &'static [&'static str],
    /// Discriminator values that select this variant (tagged unions only).
    pub tags: &'static [&'static str],
    pub decode: fn(&Value) -> Result<T, serde_json::Error>,
}

/// Why no variant of a union fitted a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionError {
    pub type_name: &'static str,
    pub found: &'static str,
    /// Each variant tried (or ruled out) and why it did not fit.
    pub attempts: Vec<(&'static str, String)>,
}

impl fmt::Display for UnionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no variant of `{}` matches this {}",
            self.type_name, self.found
        )?;
        for (i, (name, why)) in self.attempts.iter().enumerate() {
            let sep = if i == 0 { ": " } else { "; " };
            write!(f, "{sep}{name}: {why}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnionError {}

/// Tries each candidate that can hold `value`, in order.
pub fn decode_untagged<T>(
    type_name: &'static str,
    value: &Value,
    candidates: &[Candidate<T>],
) -> Result<T, UnionError> {
    let (bit, found) = kind_of(value);
    let mut attempts = Vec::new();
    for c in candidates {
        if c.kinds & bit == 0 {
            continue;
        }
        if let Value::Object(map) = value
            && let Some(missing) = c.required.iter().find(|k| !map.contains_key(**k))
        {
            attempts.push((c.name, format!("missing required key `{missing}`")));
            continue;
        }
        match (c.decode)(value) {
            Ok(v) => return Ok(v),
            Err(e) => attempts.push((c.name, e.to_string())),
        }
    }
    if attempts.is_empty() {
        let expected: Vec<&str> = candidates.iter().map(|c| c.name).collect();
        attempts.push(("expected one of", expected.join(", ")));
    }
    Err(UnionError {
        type_name,
        found,
        attempts,
    })
}

/// Picks the candidate by the value of the discriminator property `tag`.
pub fn decode_tagged<T>(
    type_name: &'static str,
    tag: &'static str,
    value: &Value,
    candidates: &[Candidate<T>],
) -> Result<T, UnionError> {
    let (_, found) = kind_of(value);
    let fail = |why: String| UnionError {
        type_name,
        found,
        attempts: vec![(tag, why)],
    };
    let Some(tag_value) = value.get(tag) else {
        return Err(fail("discriminator is missing".into()));
    };
    let Some(tag_value) = tag_value.as_str() else {
        return Err(fail(format!("discriminator is not a string: {tag_value}")));
    };
    let Some(c) = candidates.iter().find(|c| c.tags.contains(&tag_value)) else {
        let known: Vec<&str> = candidates
            .iter()
            .flat_map(|c| c.tags.iter().copied())
            .collect();
        return Err(fail(format!(
            "unknown value `{tag_value}` (known: {})",
            known.join(", ")
        )));
    };
    (c.decode)(value).map_err(|e| UnionError {
        type_name,
        found,
        attempts: vec![(c.name, e.to_string())],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ById {
        id: i64,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ByExternalId {
        external_id: String,
    }

    #[derive(Debug, PartialEq)]
    enum Identity {
        Id(ById),
        ExternalId(ByExternalId),
    }

    #[derive(Debug, PartialEq)]
    enum Scalar {
        Integer(i64),
        Number(f64),
        String(String),
    }

    fn identity() -> [Candidate<Identity>; 2] {
        [
            Candidate {
                name: "Id",
                kinds: kinds::OBJECT,
                required: &["id"],
                tags: &["id"],
                decode: |v| ById::deserialize(v).map(Identity::Id),
            },
            Candidate {
                name: "ExternalId",
                kinds: kinds::OBJECT,
                required: &["externalId"],
                tags: &["xid"],
                decode: |v| ByExternalId::deserialize(v).map(Identity::ExternalId),
            },
        ]
    }

    fn scalar() -> [Candidate<Scalar>; 3] {
        [
            Candidate {
                name: "Integer",
                kinds: kinds::INTEGER,
                required: &[],
                tags: &[],
                decode: |v| i64::deserialize(v).map(Scalar::Integer),
            },
            Candidate {
                name: "Number",
                kinds: kinds::NUMBER,
                required: &[],
                tags: &[],
                decode: |v| f64::deserialize(v).map(Scalar::Number),
            },
            Candidate {
                name: "String",
                kinds: kinds::STRING,
                required: &[],
                tags: &[],
                decode: |v| String::deserialize(v).map(Scalar::String),
            },
        ]
    }

    #[test]
    fn required_keys_pick_the_variant() {
        let got = decode_untagged("Identity", &json!({"externalId": "a"}), &identity());
        assert_eq!(
            got,
            Ok(Identity::ExternalId(ByExternalId {
                external_id: "a".into()
            }))
        );
    }

    #[test]
    fn integers_stay_integers_beyond_2_pow_53() {
        let big = 9_007_199_254_740_993_i64;
        let got = decode_untagged("Scalar", &json!(big), &scalar());
        assert_eq!(got, Ok(Scalar::Integer(big)));
        let got = decode_untagged("Scalar", &json!(1.5), &scalar());
        assert_eq!(got, Ok(Scalar::Number(1.5)));
    }

    #[test]
    fn failure_names_each_variant_and_field() {
        let err = decode_untagged("Identity", &json!({"id": "x"}), &identity()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("no variant of `Identity` matches this object"),
            "{text}"
        );
        assert!(
            text.contains("Id: invalid type: string \"x\", expected i64"),
            "{text}"
        );
        assert!(
            text.contains("ExternalId: missing required key `externalId`"),
            "{text}"
        );
    }

    #[test]
    fn wrong_kind_lists_the_variants() {
        let err = decode_untagged("Scalar", &json!([1]), &scalar()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no variant of `Scalar` matches this array: expected one of: Integer, Number, String"
        );
    }

    #[test]
    fn tagged_dispatches_on_the_tag() {
        let got = decode_tagged(
            "Identity",
            "kind",
            &json!({"kind": "xid", "externalId": "e"}),
            &identity(),
        );
        assert_eq!(
            got,
            Ok(Identity::ExternalId(ByExternalId {
                external_id: "e".into()
            }))
        );
        let err =
            decode_tagged("Identity", "kind", &json!({"kind": "nope"}), &identity()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no variant of `Identity` matches this object: kind: unknown value `nope` (known: id, xid)"
        );
        let err = decode_tagged("Identity", "kind", &json!({"id": 1}), &identity()).unwrap_err();
        assert!(err.to_string().contains("discriminator is missing"));
    }
}
