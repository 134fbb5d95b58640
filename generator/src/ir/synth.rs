//! Valid JSON instances of IR types, for the tests emitted into the
//! generated crate: every required field filled, optional ones too when
//! `full`, unions built from the variant the decoder tries first (so the
//! instance decodes back into the same variant), recursion cut off by depth.

use serde_json::{json, Map, Value};

use super::{Constraints, Ir, Ty, TypeKind};

/// Past this depth only required fields are filled; past `MAX_DEPTH` a type
/// that cannot be cut short (a required recursive field) has no instance.
const OPTIONAL_DEPTH: usize = 3;
const MAX_DEPTH: usize = 24;

pub fn instance(ir: &Ir, ty: &Ty, full: bool) -> Option<Value> {
    Synth { ir, full }.value(ty, 0)
}

/// An instance that also meets the constraints of the place it stands.
pub fn instance_with(ir: &Ir, ty: &Ty, constraints: &Constraints, full: bool) -> Option<Value> {
    Synth { ir, full }.constrained(ty, constraints, 0)
}

struct Synth<'a> {
    ir: &'a Ir,
    full: bool,
}

impl Synth<'_> {
    /// A value for `ty` that also meets `c`, where `c` says anything.
    fn constrained(&self, ty: &Ty, c: &Constraints, depth: usize) -> Option<Value> {
        if *c == Constraints::default() {
            return self.value(ty, depth);
        }
        match self.ir.resolve(ty) {
            Ty::String => Some(Value::String(text(c))),
            Ty::Integer { .. } => Some(json!(integer(c))),
            Ty::Number => Some(json!(number(c))),
            Ty::Array(inner) => {
                let item = self.value(&inner, depth + 1);
                let n = c.min_items.unwrap_or(0).max(usize::from(item.is_some()));
                Some(Value::Array(item.map(|v| vec![v; n]).unwrap_or_default()))
            }
            _ => self.value(ty, depth),
        }
    }

    fn value(&self, ty: &Ty, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match ty {
            Ty::Nullable(inner) => self.value(inner, depth).unwrap_or(Value::Null),
            Ty::Named(id) => return self.named(id.0, depth + 1),
            Ty::String => json!("text"),
            Ty::Integer { .. } => json!(1),
            Ty::Number => json!(1.5),
            Ty::Boolean => json!(true),
            Ty::Any => json!({"any": "value"}),
            Ty::FreeObject => json!({"key": "value"}),
            Ty::Array(inner) => match self.value(inner, depth + 1) {
                Some(v) if depth < OPTIONAL_DEPTH * 2 => json!([v]),
                _ => json!([]),
            },
            Ty::Map(inner) => match self.value(inner, depth + 1) {
                Some(v) if depth < OPTIONAL_DEPTH * 2 => json!({ "key": v }),
                _ => json!({}),
            },
        })
    }

    fn named(&self, index: usize, depth: usize) -> Option<Value> {
        let def = &self.ir.types[index];
        match &def.kind {
            TypeKind::Alias(ty) => self.constrained(ty, &def.constraints, depth),
            TypeKind::Enum(e) => e.values.first().map(|v| Value::String(v.wire.clone())),
            TypeKind::Struct(s) => {
                let mut out = Map::new();
                for f in &s.fields {
                    if f.flatten {
                        match self.value(&f.ty, depth)? {
                            Value::Object(inner) => out.extend(inner),
                            _ => return None,
                        }
                        continue;
                    }
                    let wanted = f.required || (self.full && depth <= OPTIONAL_DEPTH);
                    if !wanted {
                        continue;
                    }
                    match self.constrained(&f.ty, &f.constraints, depth) {
                        Some(v) => {
                            out.insert(f.wire.clone(), v);
                        }
                        None if f.required => return None,
                        None => {}
                    }
                }
                Some(Value::Object(out))
            }
            TypeKind::Union(u) => u.variants.iter().find_map(|v| {
                let mut value = self.value(&v.ty, depth)?;
                if let (Some(tag), Some(first), Value::Object(map)) =
                    (&u.tag, v.tags.first(), &mut value)
                {
                    map.insert(tag.clone(), Value::String(first.clone()));
                }
                Some(value)
            }),
        }
    }
}

/// Text that meets a string's format, pattern and length, if one of a few
/// likely candidates does (the spec's own example first); else the first
/// candidate cut or padded to length.
fn text(c: &Constraints) -> String {
    let by_format: &[&str] = match c.format.as_deref() {
        Some("date-time") => &["2024-01-02T03:04:05Z"],
        Some("date") => &["2024-01-02"],
        Some("uuid") => &["123e4567-e89b-12d3-a456-426614174000"],
        Some("email") => &["user@example.com"],
        Some("uri" | "url") => &["https://example.com/a"],
        Some("byte") => &["YWJj"],
        _ => &[],
    };
    let generic = [
        "abc", "a", "Abc1", "abc-1", "abc_1", "1", "1.0.0", "ABC", "a1", "0",
    ];
    let example = c.example.as_ref().and_then(Value::as_str);
    let pattern = c.pattern.as_deref().and_then(|p| regex::Regex::new(p).ok());
    let fits = |s: &str| {
        let n = s.chars().count();
        c.min_length.is_none_or(|m| n >= m)
            && c.max_length.is_none_or(|m| n <= m)
            && pattern.as_ref().is_none_or(|re| re.is_match(s))
    };
    let candidates = example
        .into_iter()
        .chain(by_format.iter().copied())
        .chain(generic);
    for candidate in candidates.clone() {
        if fits(candidate) {
            return candidate.to_string();
        }
        let padded = pad(candidate, c);
        if fits(&padded) {
            return padded;
        }
    }
    pad(example.unwrap_or("abc"), c)
}

fn pad(s: &str, c: &Constraints) -> String {
    let mut out: String = s.chars().take(c.max_length.unwrap_or(usize::MAX)).collect();
    while out.chars().count() < c.min_length.unwrap_or(0) {
        out.push('a');
    }
    out
}

fn integer(c: &Constraints) -> i64 {
    if let Some(n) = c.example.as_ref().and_then(Value::as_i64) {
        if c.minimum.is_none_or(|m| n as f64 >= m) && c.maximum.is_none_or(|m| n as f64 <= m) {
            return n;
        }
    }
    let mut n = 1.0_f64;
    if let Some(min) = c.minimum {
        n = n.max(min.ceil());
    }
    if let Some(max) = c.maximum {
        n = n.min(max.floor());
    }
    n as i64
}

fn number(c: &Constraints) -> f64 {
    let mut n = 1.5_f64;
    if let Some(min) = c.minimum {
        n = n.max(min);
    }
    if let Some(max) = c.maximum {
        n = n.min(max);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c() -> Constraints {
        Constraints::default()
    }

    #[test]
    fn text_meets_pattern_length_and_format() {
        let with = |pattern: &str| Constraints {
            pattern: Some(pattern.into()),
            ..c()
        };
        // The spec's own (double-escaped) externalId pattern forbids `x`, `0` and `\`.
        assert_eq!(text(&with(r"^[^\\x00]{1,256}$")), "abc");
        assert_eq!(text(&with(r"^[0-9]+$")), "1");
        assert_eq!(text(&with(r"^\d+\.\d+\.\d+$")), "1.0.0");
        let long = Constraints {
            min_length: Some(5),
            ..c()
        };
        assert_eq!(text(&long), "abcaa");
        let dated = Constraints {
            format: Some("date-time".into()),
            ..c()
        };
        assert_eq!(text(&dated), "2024-01-02T03:04:05Z");
        let example = Constraints {
            example: Some(json!("my-id")),
            max_length: Some(10),
            ..c()
        };
        assert_eq!(text(&example), "my-id");
    }

    #[test]
    fn numbers_stay_in_range() {
        assert_eq!(
            integer(&Constraints {
                minimum: Some(5.0),
                ..c()
            }),
            5
        );
        assert_eq!(
            integer(&Constraints {
                maximum: Some(0.0),
                ..c()
            }),
            0
        );
        assert_eq!(
            number(&Constraints {
                minimum: Some(2.0),
                maximum: Some(3.0),
                ..c()
            }),
            2.0
        );
    }
}
