//! Valid JSON instances of IR types, for the tests emitted into the
//! generated crate: every required field filled, optional ones too when
//! `full`, unions built from the variant the decoder tries first (so the
//! instance decodes back into the same variant), recursion cut off by depth.

use serde_json::{json, Map, Value};

use super::{Ir, Ty, TypeKind};

/// Past this depth only required fields are filled; past `MAX_DEPTH` a type
/// that cannot be cut short (a required recursive field) has no instance.
const OPTIONAL_DEPTH: usize = 3;
const MAX_DEPTH: usize = 24;

pub fn instance(ir: &Ir, ty: &Ty, full: bool) -> Option<Value> {
    Synth { ir, full }.value(ty, 0)
}

struct Synth<'a> {
    ir: &'a Ir,
    full: bool,
}

impl Synth<'_> {
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
        match &self.ir.types[index].kind {
            TypeKind::Alias(ty) => self.value(ty, depth),
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
                    match self.value(&f.ty, depth) {
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
