//! Where a change is filed (group, subject) and how its detail names the
//! place: field paths, parameter and variant labels.

use super::*;

/// The spec name of a component schema: the last token of its pointer.
pub(super) fn spec_name(def: &TypeDef) -> String {
    let token = def.pointer.rsplit('/').next().unwrap_or(&def.pointer);
    token.replace("~1", "/").replace("~0", "~")
}

pub(super) fn components(ir: &Ir) -> BTreeMap<String, TypeId> {
    ir.types
        .iter()
        .take(ir.component_count)
        .enumerate()
        .map(|(i, def)| (spec_name(def), TypeId(i)))
        .collect()
}

pub(super) fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "a string enum",
        TypeKind::Union(_) => "a union (Rust enum)",
        TypeKind::Alias(_) => "an alias",
    }
}

/// Fields by wire name; flattened parts (no wire name) by Rust name.
pub(super) fn field_key(f: &Field) -> String {
    if f.flatten {
        format!("\u{0}{}", f.name)
    } else {
        f.wire.clone()
    }
}

/// `field \`a.b\``, or `field \`variant\` (flattened)` for a flattened part.
pub(super) fn field_label(site: &Site, path: &str, f: &Field) -> String {
    if f.flatten {
        format!("{} (flattened)", site.field(path, &f.name))
    } else {
        site.field(path, &f.wire)
    }
}

/// The kind, and for an alias what it stands for: `an alias of \`Vec<Foo>\``.
pub(super) fn kind_text(ir: &Ir, kind: &TypeKind) -> String {
    match kind {
        TypeKind::Alias(ty) => format!("an alias of `{}`", describe(ir, ty)),
        other => kind_name(other).to_string(),
    }
}

/// `a.b` (or `b` at the top).
pub(super) fn join(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_string()
    } else {
        format!("{path}.{segment}")
    }
}

/// Named types at the same place in two types of the same shape, with the
/// path suffix that leads there (`[]` into a `Vec`, `.*` into a map).
pub(super) fn parallel(
    old: &Ty,
    new: &Ty,
    suffix: String,
    out: &mut Vec<(TypeId, TypeId, String)>,
) {
    match (old, new) {
        (Ty::Named(a), Ty::Named(b)) => out.push((*a, *b, suffix)),
        (Ty::Array(a), Ty::Array(b)) => parallel(a, b, suffix + "[]", out),
        (Ty::Map(a), Ty::Map(b)) => parallel(a, b, suffix + ".*", out),
        (Ty::Nullable(a), Ty::Nullable(b)) => parallel(a, b, suffix, out),
        // Nullability changes are reported by the caller; look inside anyway.
        (Ty::Nullable(a), b) => parallel(a, b, suffix, out),
        (a, Ty::Nullable(b)) => parallel(a, b, suffix, out),
        _ => {}
    }
}

/// Where the changes of one comparison are filed, and how details start.
#[derive(Clone)]
pub(super) struct Site {
    pub(super) group: String,
    pub(super) subject: String,
    /// `request body`, `response`, `query parameter \`limit\``; empty for a schema.
    pub(super) root: String,
}

impl Site {
    pub(super) fn with_root(&self, root: String) -> Site {
        Site {
            root,
            ..self.clone()
        }
    }

    /// `request body field \`filter.name\``.
    pub(super) fn field(&self, path: &str, wire: &str) -> String {
        let name = join(path, wire);
        if self.root.is_empty() {
            format!("field `{name}`")
        } else {
            format!("{} field `{name}`", self.root)
        }
    }

    /// What a value-level detail (enum value, variant, alias target) is
    /// about, ending in `: `; empty for the schema itself.
    pub(super) fn place(&self, path: &str) -> String {
        match (self.root.is_empty(), path.is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!("{}: ", self.root),
            (true, false) => format!("{}`{path}`: ", noun(path)),
            (false, false) => format!("{} {}`{path}`: ", self.root, noun(path)),
        }
    }
}

/// `field ` before a path that ends in a field name; nothing before an
/// element path (`items[]`, `labels.*`).
fn noun(path: &str) -> &'static str {
    if path.ends_with(']') || path.ends_with('*') {
        ""
    } else {
        "field "
    }
}
