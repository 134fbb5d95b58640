//! Values for the compiled examples in the docs: an expression that builds
//! a value of a type with only its required parts filled in, the way a
//! caller writes it: `DataPostSequence::new(vec![PostSequenceDto::new(
//! vec![PostSequenceColumnDto::new("externalId")])])`. Text is the field's
//! own wire name, so a reader sees which placeholder to replace. A type
//! that cannot be built in a few levels gives `None`, and the example
//! takes the value as a parameter instead.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, TypeEmitter};
use crate::ir::{Ty, TypeId, TypeKind};

/// Nesting of named types an example spells out at most.
const MAX_DEPTH: u8 = 6;

impl TypeEmitter<'_> {
    /// An expression of `ty`. `into` when it goes where `impl Into<T>` is
    /// taken, so text can stay a literal; `hint` is the placeholder text.
    pub(super) fn sample(&self, ty: &Ty, hint: &str, into: bool, depth: u8) -> Option<TokenStream> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match ty {
            Ty::String if into => quote!(#hint),
            Ty::String => quote!(String::from(#hint)),
            Ty::Integer { .. } => quote!(1),
            Ty::Number => quote!(1.0),
            Ty::Boolean => quote!(true),
            Ty::Any => quote!(serde_json::Value::Null),
            Ty::FreeObject | Ty::Map(_) => quote!(Default::default()),
            Ty::Nullable(_) => quote!(None),
            Ty::Array(inner) => {
                let item = self.sample(inner, hint, false, depth + 1)?;
                quote!(vec![#item])
            }
            Ty::Named(id) => self.sample_named(*id, hint, into, depth)?,
        })
    }

    fn sample_named(&self, id: TypeId, hint: &str, into: bool, depth: u8) -> Option<TokenStream> {
        let def = &self.ir.types[id.0];
        let name = ident(&def.name);
        match &def.kind {
            TypeKind::Alias(_) if self.recursive_alias[id.0] => None,
            TypeKind::Alias(ty) => self.sample(ty, hint, into, depth + 1),
            TypeKind::Enum(e) => {
                let first = ident(&e.values.first()?.name);
                Some(quote!(#name::#first))
            }
            TypeKind::Union(u) => u.variants.iter().find_map(|v| {
                let value = self.sample(&v.ty, hint, false, depth + 1)?;
                let variant = ident(&v.name);
                Some(if v.boxed {
                    quote!(#name::#variant(Box::new(#value)))
                } else {
                    quote!(#name::#variant(#value))
                })
            }),
            TypeKind::Struct(s) if self.buildable[id.0] => {
                let args = s
                    .fields
                    .iter()
                    .filter(|f| f.required || f.flatten)
                    .map(|f| {
                        let into = f.boxed || self.is_string(&f.ty);
                        self.sample(&f.ty, &f.wire, into, depth + 1)
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(quote!(#name::new(#(#args),*)))
            }
            TypeKind::Struct(s) if s.fields.iter().all(|f| !f.required) => {
                Some(quote!(#name::default()))
            }
            TypeKind::Struct(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::emit::types::TypeEmitter;
    use crate::ir::Ty;

    fn ir(spec: &str) -> crate::ir::Ir {
        let loaded = crate::load::load_str(spec).expect("fixture loads");
        crate::ir::build(&loaded, &Default::default()).expect("fixture builds")
    }

    #[test]
    fn required_parts_are_built_and_optional_ones_left_out() {
        let ir = ir(
            r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
            "/seq":{"post":{"operationId":"create","requestBody":{"content":{"application/json":
            {"schema":{"$ref":"#/components/schemas/Seq"}}}},"responses":{"200":{"description":"ok"}}}}},
            "components":{"schemas":{
            "Seq":{"type":"object","required":["columns","kind"],"properties":{
              "name":{"type":"string"},
              "kind":{"type":"string","enum":["a","b"]},
              "columns":{"type":"array","items":{"$ref":"#/components/schemas/Col"}}}},
            "Col":{"type":"object","required":["externalId","size"],"properties":{
              "externalId":{"type":"string"},"size":{"type":"integer"}}}}}}"##,
        );
        let types = TypeEmitter::new(&ir);
        let seq = ir
            .types
            .iter()
            .position(|d| d.name == "Seq")
            .expect("Seq typed");
        let value = types
            .sample(&Ty::Named(crate::ir::TypeId(seq)), "body", false, 0)
            .expect("buildable")
            .to_string();
        assert_eq!(
            value,
            "Seq :: new (SeqKind :: A , vec ! [Col :: new (\"externalId\" , 1)])"
        );
    }
}
