//! Rust types as text, as the generated crate spells them: the diff's
//! words for a type, and the rule that decides whether two spellings are
//! one Rust type.

use super::*;

/// `ty` as Rust text, with type names as the generated crate spells them
/// (`Value` and `Map<String, Value>` stand for the `serde_json` types).
pub fn describe(ir: &Ir, ty: &Ty) -> String {
    render(ir, ty, 0)
}

/// How many alias levels are looked through when deciding whether two
/// spellings are one Rust type; bounded because a recursive alias is allowed.
pub(super) const EXPAND: u8 = 8;

pub(super) fn render(ir: &Ir, ty: &Ty, expand: u8) -> String {
    match ty {
        Ty::Named(id) => match ir.types.get(id.0) {
            Some(TypeDef {
                kind: TypeKind::Alias(inner),
                ..
            }) if expand > 0 => render(ir, inner, expand - 1),
            Some(def) => def.name.clone(),
            None => format!("<type #{}>", id.0),
        },
        Ty::String => "String".into(),
        Ty::Integer { bits: 32 } => "i32".into(),
        Ty::Integer { .. } => "i64".into(),
        Ty::Number => "f64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Any => "Value".into(),
        Ty::FreeObject => "Map<String, Value>".into(),
        Ty::Array(inner) => format!("Vec<{}>", render(ir, inner, expand)),
        Ty::Map(inner) => format!("BTreeMap<String, {}>", render(ir, inner, expand)),
        Ty::Nullable(inner) => format!("Option<{}>", render(ir, inner, expand)),
    }
}

/// A field or parameter as the generated struct declares it. Optional ones
/// are `Option<T>`, and an optional nullable one collapses into the same
/// `Option`. A boxed one (cycle breaking) has its direct named type boxed.
#[derive(Clone, Copy)]
pub(super) struct Slot<'t> {
    pub(super) ty: &'t Ty,
    pub(super) required: bool,
    pub(super) boxed: bool,
}

impl<'t> Slot<'t> {
    pub(super) fn field(f: &'t Field) -> Self {
        Slot {
            ty: &f.ty,
            required: f.required,
            boxed: f.boxed,
        }
    }

    pub(super) fn param(p: &'t Param) -> Self {
        Slot {
            ty: &p.ty,
            required: p.required,
            boxed: false,
        }
    }

    pub(super) fn variant(ty: &'t Ty, boxed: bool) -> Self {
        Slot {
            ty,
            required: true,
            boxed,
        }
    }

    pub(super) fn inner(&self) -> &'t Ty {
        match self.ty {
            Ty::Nullable(inner) => inner,
            other => other,
        }
    }

    /// The Rust type is `Option<_>`.
    pub(super) fn optional(&self) -> bool {
        !self.required || matches!(self.ty, Ty::Nullable(_))
    }

    /// The type without the `Option` that optionality adds.
    pub(super) fn core(&self, ir: &Ir, expand: u8) -> String {
        let text = render(ir, self.inner(), expand);
        if self.boxed && matches!(self.inner(), Ty::Named(_)) {
            format!("Box<{text}>")
        } else {
            text
        }
    }

    pub(super) fn text(&self, ir: &Ir, expand: u8) -> String {
        let core = self.core(ir, expand);
        if self.optional() {
            format!("Option<{core}>")
        } else {
            core
        }
    }
}
