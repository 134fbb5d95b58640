//! The diff's view of Rust types, all taken from the crate's own model
//! ([`RustType`]): a type's words in a report, and whether two spellings
//! are one Rust type.

use super::*;

/// `ty` as Rust text, with type names as the generated crate spells them
/// (`Value` and `Map<String, Value>` stand for the `serde_json` types).
pub fn describe(ir: &Ir, ty: &Ty) -> String {
    RustType::of(ir, ty).to_string()
}

/// How many alias levels are looked through when deciding whether two
/// spellings are one Rust type; bounded because a recursive alias is allowed.
pub(super) const EXPAND: u8 = 8;

/// A field, parameter or variant payload, with what the diff's rules
/// ask of it: whether it is required, and whether its Rust type is an
/// `Option`. Its Rust type comes from [`RustType`], as the crate's does.
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

    fn inner(&self) -> &'t Ty {
        match self.ty {
            Ty::Nullable(inner) => inner,
            other => other,
        }
    }

    /// The Rust type is `Option<_>`.
    pub(super) fn optional(&self) -> bool {
        !self.required || matches!(self.ty, Ty::Nullable(_))
    }

    /// The type without the `Option` that optionality or nullability adds.
    pub(super) fn core(&self, ir: &Ir, expand: u8) -> RustType {
        RustType::member(ir, self.inner(), self.boxed, expand)
    }

    /// The Rust type the crate declares for it.
    pub(super) fn rust(&self, ir: &Ir, expand: u8) -> RustType {
        RustType::slot(ir, self.ty, self.required, self.boxed, expand)
    }

    pub(super) fn text(&self, ir: &Ir) -> String {
        self.rust(ir, 0).to_string()
    }
}
