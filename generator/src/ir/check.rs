//! Does a JSON value fit an IR type? Used to sort the spec's own examples
//! into those the generated types must round-trip and those that contradict
//! their schema (reported as spec findings, never used to loosen a type).

use serde_json::Value;

use super::model::{Ir, Ty, TypeKind};

/// Every reason `value` does not fit `ty`, each prefixed with where (a JSON
/// pointer into the value). Empty when it fits and re-encodes unchanged.
pub fn problems(ir: &Ir, ty: &Ty, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(ir, ty, value, "", &mut out);
    out
}

/// Would the generated decoder read `value` as `ty`? As [`problems`], but
/// what serde only drops (undeclared keys, an explicit null for an optional
/// field) does not stop it.
pub fn decodes(ir: &Ir, ty: &Ty, value: &Value) -> bool {
    problems(ir, ty, value)
        .iter()
        .all(|p| p.ends_with(DROPPED) || p.ends_with(ABSENT) || p.ends_with(KEPT))
}

/// What keeps `value` from decoding as `ty` and encoding back the same:
/// [`problems`], less the enum values the type keeps as `Other` (they
/// contradict the schema, but the crate reads and writes them unchanged).
pub fn losses(ir: &Ir, ty: &Ty, value: &Value) -> Vec<String> {
    let mut out = problems(ir, ty, value);
    out.retain(|p| !p.ends_with(KEPT));
    out
}

const DROPPED: &str = "(dropped when decoded)";
const ABSENT: &str = "(re-encoded as absent)";
const KEPT: &str = "(kept as `Other`)";

fn check(ir: &Ir, ty: &Ty, value: &Value, at: &str, out: &mut Vec<String>) {
    let kind_ok = match ty {
        Ty::Nullable(inner) => {
            if !value.is_null() {
                check(ir, inner, value, at, out);
            }
            return;
        }
        Ty::Named(id) => return check_named(ir, id.0, value, at, out),
        Ty::String => value.is_string(),
        Ty::Integer { bits: 32 } => value.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        Ty::Integer { .. } => value.is_i64(),
        Ty::Number => value.is_number(),
        Ty::Boolean => value.is_boolean(),
        Ty::Any => true,
        Ty::FreeObject => value.is_object(),
        Ty::Array(inner) => match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check(ir, inner, item, &format!("{at}/{i}"), out);
                }
                true
            }
            _ => false,
        },
        Ty::Map(inner) => match value {
            Value::Object(map) => {
                for (k, v) in map {
                    check(ir, inner, v, &format!("{at}/{k}"), out);
                }
                true
            }
            _ => false,
        },
    };
    if !kind_ok {
        out.push(format!(
            "{}: expected {}, found {value}",
            here(at),
            describe(ir, ty)
        ));
    }
}

fn check_named(ir: &Ir, index: usize, value: &Value, at: &str, out: &mut Vec<String>) {
    let def = &ir.types[index];
    match &def.kind {
        TypeKind::Alias(ty) => check(ir, ty, value, at, out),
        TypeKind::Enum(e) => match value.as_str() {
            Some(s) if e.values.iter().any(|v| v.wire == s) => {}
            Some(_) => out.push(format!(
                "{}: {value} is not a value of `{}` {KEPT}",
                here(at),
                def.name
            )),
            None => out.push(format!(
                "{}: {value} is not a value of `{}`",
                here(at),
                def.name
            )),
        },
        TypeKind::Union(u) => {
            let each: Vec<Vec<String>> = u
                .variants
                .iter()
                .map(|v| problems_at(ir, &v.ty, value, at))
                .collect();
            if each.iter().any(Vec::is_empty) {
                return;
            }
            match each
                .into_iter()
                .find(|p| p.iter().all(|p| p.ends_with(KEPT)))
            {
                Some(kept) => out.extend(kept),
                None => out.push(format!("{}: fits no variant of `{}`", here(at), def.name)),
            }
        }
        TypeKind::Struct(s) => {
            let Value::Object(map) = value else {
                out.push(format!(
                    "{}: expected object `{}`, found {value}",
                    here(at),
                    def.name
                ));
                return;
            };
            let flattens = s.fields.iter().any(|f| f.flatten);
            for f in s.fields.iter().filter(|f| !f.flatten) {
                let field_at = format!("{at}/{}", f.wire);
                match map.get(&f.wire) {
                    None if f.required => {
                        out.push(format!("{}: required `{}` is missing", here(at), f.wire))
                    }
                    None => {}
                    Some(Value::Null) if !f.required => out.push(format!(
                        "{}: explicit null for an optional field {ABSENT}",
                        here(&field_at)
                    )),
                    Some(v) => check(ir, &f.ty, v, &field_at, out),
                }
            }
            if flattens {
                return;
            }
            for (k, v) in map {
                if s.fields.iter().any(|f| &f.wire == k) {
                    continue;
                }
                match &s.extra {
                    Some(ty) => check(ir, ty, v, &format!("{at}/{k}"), out),
                    None => out.push(format!(
                        "{}: `{k}` is not declared by `{}` {DROPPED}",
                        here(at),
                        def.name
                    )),
                }
            }
        }
    }
}

fn problems_at(ir: &Ir, ty: &Ty, value: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    check(ir, ty, value, at, &mut out);
    out
}

fn here(at: &str) -> &str {
    if at.is_empty() {
        "(root)"
    } else {
        at
    }
}

fn describe(ir: &Ir, ty: &Ty) -> String {
    match ty {
        Ty::Named(id) => format!("`{}`", ir.types[id.0].name),
        Ty::String => "a string".into(),
        Ty::Integer { bits } => format!("an int{bits}"),
        Ty::Number => "a number".into(),
        Ty::Boolean => "a boolean".into(),
        Ty::Any => "anything".into(),
        Ty::FreeObject | Ty::Map(_) => "an object".into(),
        Ty::Array(_) => "an array".into(),
        Ty::Nullable(inner) => format!("null or {}", describe(ir, inner)),
    }
}
