//! The Rust type of an IR type, as the generated crate declares it. One
//! model with two spellings: tokens for the emitters, and short text for
//! `diff`'s reports. Both take the `Option` and `Box` rules from here, so
//! the type a change report names is the type the crate compiles.

use std::fmt;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::ir::{Ir, Ty, TypeDef, TypeKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    /// A generated type, by its Rust name.
    Named(String),
    String,
    I32,
    I64,
    F64,
    Bool,
    /// `serde_json::Value`.
    Value,
    /// `serde_json::Map<String, serde_json::Value>`.
    Object,
    Vec(Box<RustType>),
    /// `BTreeMap<String, _>`: sorted keys, so output is deterministic.
    Map(Box<RustType>),
    Option(Box<RustType>),
    Box(Box<RustType>),
}

impl RustType {
    /// `ty` as written in the crate: aliases by their name.
    pub fn of(ir: &Ir, ty: &Ty) -> RustType {
        RustType::expanded(ir, ty, 0)
    }

    /// `ty` with up to `levels` alias levels looked through (bounded,
    /// since an alias may be recursive): two spellings that expand to the
    /// same type are one Rust type.
    pub fn expanded(ir: &Ir, ty: &Ty, levels: u8) -> RustType {
        let inner = |t: &Ty| Box::new(RustType::expanded(ir, t, levels));
        match ty {
            Ty::Named(id) => match ir.types.get(id.0) {
                Some(TypeDef {
                    kind: TypeKind::Alias(target),
                    ..
                }) if levels > 0 => RustType::expanded(ir, target, levels - 1),
                Some(def) => RustType::Named(def.name.clone()),
                None => RustType::Named(format!("<type #{}>", id.0)),
            },
            Ty::String => RustType::String,
            Ty::Integer { bits: 32 } => RustType::I32,
            Ty::Integer { .. } => RustType::I64,
            Ty::Number => RustType::F64,
            Ty::Boolean => RustType::Bool,
            Ty::Any => RustType::Value,
            Ty::FreeObject => RustType::Object,
            Ty::Array(t) => RustType::Vec(inner(t)),
            Ty::Map(t) => RustType::Map(inner(t)),
            Ty::Nullable(t) => RustType::Option(inner(t)),
        }
    }

    /// A value of `ty` held by a field, variant or alias. A `boxed` one
    /// (cycle breaking) boxes the part under its `Option`:
    /// `Option<Box<T>>`.
    pub fn member(ir: &Ir, ty: &Ty, boxed: bool, levels: u8) -> RustType {
        match ty {
            Ty::Nullable(inner) if boxed => {
                RustType::Option(Box::new(RustType::member(ir, inner, true, levels)))
            }
            _ if boxed => RustType::Box(Box::new(RustType::expanded(ir, ty, levels))),
            _ => RustType::expanded(ir, ty, levels),
        }
    }

    /// A struct field or parameter. An optional one is `Option<_>`, and an
    /// optional nullable one collapses into that same `Option` (absent and
    /// `null` both read as `None`).
    pub fn slot(ir: &Ir, ty: &Ty, required: bool, boxed: bool, levels: u8) -> RustType {
        if required {
            return RustType::member(ir, ty, boxed, levels);
        }
        let inner = match ty {
            Ty::Nullable(inner) => inner.as_ref(),
            other => other,
        };
        RustType::Option(Box::new(RustType::member(ir, inner, boxed, levels)))
    }

    /// The type as the generated code spells it, with full paths.
    pub fn tokens(&self) -> TokenStream {
        match self {
            RustType::Named(name) => {
                let name = ident(name);
                quote!(#name)
            }
            RustType::String => quote!(String),
            RustType::I32 => quote!(i32),
            RustType::I64 => quote!(i64),
            RustType::F64 => quote!(f64),
            RustType::Bool => quote!(bool),
            RustType::Value => quote!(serde_json::Value),
            RustType::Object => quote!(serde_json::Map<String, serde_json::Value>),
            RustType::Vec(inner) => {
                let inner = inner.tokens();
                quote!(Vec<#inner>)
            }
            RustType::Map(inner) => {
                let inner = inner.tokens();
                quote!(std::collections::BTreeMap<String, #inner>)
            }
            RustType::Option(inner) => {
                let inner = inner.tokens();
                quote!(Option<#inner>)
            }
            RustType::Box(inner) => {
                let inner = inner.tokens();
                quote!(Box<#inner>)
            }
        }
    }
}

/// The short spelling a reader of a report expects: `Value` and
/// `Map<String, Value>` stand for the `serde_json` types.
impl fmt::Display for RustType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RustType::Named(name) => f.write_str(name),
            RustType::String => f.write_str("String"),
            RustType::I32 => f.write_str("i32"),
            RustType::I64 => f.write_str("i64"),
            RustType::F64 => f.write_str("f64"),
            RustType::Bool => f.write_str("bool"),
            RustType::Value => f.write_str("Value"),
            RustType::Object => f.write_str("Map<String, Value>"),
            RustType::Vec(inner) => write!(f, "Vec<{inner}>"),
            RustType::Map(inner) => write!(f, "BTreeMap<String, {inner}>"),
            RustType::Option(inner) => write!(f, "Option<{inner}>"),
            RustType::Box(inner) => write!(f, "Box<{inner}>"),
        }
    }
}
