//! Comparing two types of the same name: fields, enum values, union
//! variants and aliases, each change judged by the way the type travels.

use super::*;

pub(super) struct Differ<'a> {
    pub(super) old: Side<'a>,
    pub(super) new: Side<'a>,
    /// Inline type pairs already compared: each is reported once, and
    /// recursive inline types end.
    pub(super) seen: HashSet<(TypeId, TypeId)>,
    pub(super) changes: Vec<Change>,
    /// The Rust item being compared, for [`Change::rust`].
    pub(super) item: String,
}

impl Differ<'_> {
    pub(super) fn push(
        &mut self,
        site: &Site,
        kind: ChangeKind,
        breaking: bool,
        detail: String,
        ptr: &str,
    ) {
        self.changes.push(Change {
            kind,
            breaking,
            group: site.group.clone(),
            subject: site.subject.clone(),
            detail,
            pointer: ptr.to_string(),
            rust: self.item.clone(),
        });
    }

    fn pair_dir(&self, old: TypeId, new: TypeId) -> Dir {
        self.old.dir(old).or(self.new.dir(new)).or_both()
    }

    /// The two Rust spellings, when they are different types to rustc.
    pub(super) fn retyped<T: PartialEq>(
        &self,
        old: impl Fn(&Ir, u8) -> T,
        new: impl Fn(&Ir, u8) -> T,
    ) -> bool {
        let (o, n) = (self.old.ir, self.new.ir);
        old(o, 0) != new(n, 0) && old(o, EXPAND) != new(n, EXPAND)
    }

    /// Compares inline types met at the same place in both specs.
    pub(super) fn descend(&mut self, site: &Site, path: &str, old: &Ty, new: &Ty) {
        let mut pairs = Vec::new();
        parallel(old, new, String::new(), &mut pairs);
        for (a, b, suffix) in pairs {
            let inline = self.old.is_inline(a) && self.new.is_inline(b);
            if inline && self.seen.insert((a, b)) {
                self.compare_defs(site, &format!("{path}{suffix}"), a, b);
            }
        }
    }

    // ---- schemas ------------------------------------------------------

    pub(super) fn schemas(&mut self) {
        let old = components(self.old.ir);
        let new = components(self.new.ir);
        for (name, &a) in &old {
            let site = Site {
                group: SCHEMAS.into(),
                subject: format!("schema {name}"),
                root: String::new(),
            };
            match new.get(name) {
                Some(&b) => self.compare_component(&site, a, b),
                None => self.schema_presence(&site, ChangeKind::SchemaRemoved, a),
            }
        }
        for (name, &b) in new.iter().filter(|(n, _)| !old.contains_key(*n)) {
            let site = Site {
                group: SCHEMAS.into(),
                subject: format!("schema {name}"),
                root: String::new(),
            };
            self.schema_presence(&site, ChangeKind::SchemaAdded, b);
        }
    }

    fn schema_presence(&mut self, site: &Site, kind: ChangeKind, id: TypeId) {
        let removed = kind == ChangeKind::SchemaRemoved;
        let side = if removed { &self.old } else { &self.new };
        let Some(def) = side.def(id) else { return };
        self.item = def.name.clone();
        let detail = format!(
            "{} `{}` {}",
            kind_name(&def.kind),
            def.name,
            if removed { "removed" } else { "added" }
        );
        let pointer = def.pointer.clone();
        self.push(site, kind, removed, detail, &pointer);
    }

    fn compare_component(&mut self, site: &Site, a: TypeId, b: TypeId) {
        let (Some(x), Some(y)) = (self.old.def(a), self.new.def(b)) else {
            return;
        };
        self.item = x.name.clone();
        if x.name != y.name {
            let taken = self
                .new
                .ir
                .types
                .iter()
                .take(self.new.ir.component_count)
                .find(|d| d.name == x.name)
                .map(|d| format!(" (schema `{}` now has that name)", spec_name(d)))
                .unwrap_or_default();
            let detail = format!("Rust type `{}` is now `{}`{taken}", x.name, y.name);
            self.push(site, ChangeKind::SchemaRenamed, true, detail, &y.pointer);
        }
        self.compare_defs(site, "", a, b);
    }

    /// Compares two types found at the same place (`path` under `site`).
    fn compare_defs(&mut self, site: &Site, path: &str, a: TypeId, b: TypeId) {
        let (Some(x), Some(y)) = (self.old.def(a), self.new.def(b)) else {
            return;
        };
        let outer = std::mem::replace(&mut self.item, y.name.clone());
        self.compare_kinds(site, path, (a, b), (x, y));
        self.item = outer;
    }

    fn compare_kinds(
        &mut self,
        site: &Site,
        path: &str,
        (a, b): (TypeId, TypeId),
        (x, y): (&TypeDef, &TypeDef),
    ) {
        let dir = self.pair_dir(a, b);
        let ptrs = (x.pointer.as_str(), y.pointer.as_str());
        match (&x.kind, &y.kind) {
            (TypeKind::Struct(s), TypeKind::Struct(t)) => {
                // `new` takes the required fields only where both crates
                // have it; a constructor gained or lost is its own change.
                let built = self.old.built(a) && self.new.built(b);
                let dir = Dir {
                    request: dir.request && built,
                    ..dir
                };
                self.compare_structs(site, path, s, t, dir, ptrs);
                self.compare_constructors(site, path, (a, b), &y.name, ptrs.1);
            }
            (TypeKind::Enum(e), TypeKind::Enum(f)) => self.compare_enums(site, path, e, f, ptrs.1),
            (TypeKind::Union(u), TypeKind::Union(v)) => {
                self.compare_unions(site, path, &y.name, (u, v), ptrs)
            }
            (TypeKind::Alias(s), TypeKind::Alias(t)) => {
                if self.retyped(
                    |ir, e| RustType::expanded(ir, s, e),
                    |ir, e| RustType::expanded(ir, t, e),
                ) {
                    let detail = format!(
                        "{}`{}` now stands for `{}` (was `{}`)",
                        site.place(path),
                        y.name,
                        describe(self.new.ir, t),
                        describe(self.old.ir, s)
                    );
                    self.push(site, retype_kind(site, path), true, detail, ptrs.1);
                }
                // At the top of a schema, paths into the alias start with its name.
                let at = if path.is_empty() && site.root.is_empty() {
                    y.name.as_str()
                } else {
                    path
                };
                self.descend(site, at, s, t);
            }
            (old, new) => {
                let detail = format!(
                    "{}`{}` is now {} (was {})",
                    site.place(path),
                    y.name,
                    kind_text(self.new.ir, new),
                    kind_text(self.old.ir, old)
                );
                self.push(site, retype_kind(site, path), true, detail, ptrs.1);
            }
        }
    }

    /// `new` and setters exist only on structs callers build, so a struct
    /// that stops travelling in requests loses them.
    fn compare_constructors(
        &mut self,
        site: &Site,
        path: &str,
        (a, b): (TypeId, TypeId),
        name: &str,
        ptr: &str,
    ) {
        let (kind, detail) = match (self.old.built(a), self.new.built(b)) {
            (true, false) => (
                ChangeKind::ConstructorRemoved,
                "now only read from answers: `new` and its setters are gone",
            ),
            (false, true) => (
                ChangeKind::ConstructorAdded,
                "now also built by callers: `new` and setters added",
            ),
            _ => return,
        };
        let detail = format!("{}`{name}` {detail}", site.place(path));
        let breaking = kind == ChangeKind::ConstructorRemoved;
        self.push(site, kind, breaking, detail, ptr);
    }

    fn compare_structs(
        &mut self,
        site: &Site,
        path: &str,
        old: &Struct,
        new: &Struct,
        dir: Dir,
        (old_ptr, new_ptr): (&str, &str),
    ) {
        let by_wire = |s: &Struct| -> BTreeMap<String, Field> {
            let mut m = BTreeMap::new();
            for f in &s.fields {
                m.entry(field_key(f)).or_insert_with(|| f.clone());
            }
            m
        };
        let (o, n) = (by_wire(old), by_wire(new));
        for (key, f) in &o {
            match n.get(key) {
                Some(g) => self.compare_fields(site, path, f, g, dir, new_ptr),
                None => {
                    let detail = format!(
                        "{} removed (was `{}`)",
                        field_label(site, path, f),
                        Slot::field(f).text(self.old.ir)
                    );
                    self.push(site, ChangeKind::FieldRemoved, true, detail, old_ptr);
                }
            }
        }
        for (_, g) in n.iter().filter(|(w, _)| !o.contains_key(*w)) {
            let (breaking, why) = added_field_rule(dir, g.required);
            let detail = format!(
                "{} added: `{}`{why}",
                field_label(site, path, g),
                Slot::field(g).text(self.new.ir)
            );
            self.push(site, ChangeKind::FieldAdded, breaking, detail, new_ptr);
        }
        self.compare_extra(
            site,
            path,
            old.extra.as_ref(),
            new.extra.as_ref(),
            dir,
            (old_ptr, new_ptr),
        );
    }

    /// `additionalProperties` beside declared ones: the `additional_properties` map field.
    fn compare_extra(
        &mut self,
        site: &Site,
        path: &str,
        old: Option<&Ty>,
        new: Option<&Ty>,
        dir: Dir,
        (old_ptr, new_ptr): (&str, &str),
    ) {
        let label = site.field(path, "additional_properties");
        match (old, new) {
            (Some(s), None) => {
                let detail = format!(
                    "{label} removed (was `BTreeMap<String, {}>`)",
                    describe(self.old.ir, s)
                );
                self.push(site, ChangeKind::FieldRemoved, true, detail, old_ptr);
            }
            (None, Some(t)) => {
                let (breaking, why) = added_field_rule(dir, false);
                let detail = format!(
                    "{label} added: `BTreeMap<String, {}>`{why}",
                    describe(self.new.ir, t)
                );
                self.push(site, ChangeKind::FieldAdded, breaking, detail, new_ptr);
            }
            (Some(s), Some(t)) => {
                if self.retyped(
                    |ir, e| RustType::expanded(ir, s, e),
                    |ir, e| RustType::expanded(ir, t, e),
                ) {
                    let detail = format!(
                        "{label} retyped: `BTreeMap<String, {}>` → `BTreeMap<String, {}>`",
                        describe(self.old.ir, s),
                        describe(self.new.ir, t)
                    );
                    self.push(site, ChangeKind::FieldRetyped, true, detail, new_ptr);
                }
                self.descend(site, &join(path, "additional_properties.*"), s, t);
            }
            (None, None) => {}
        }
    }

    fn compare_fields(
        &mut self,
        site: &Site,
        path: &str,
        f: &Field,
        g: &Field,
        dir: Dir,
        ptr: &str,
    ) {
        let (a, b) = (Slot::field(f), Slot::field(g));
        let label = field_label(site, path, g);
        self.compare_slots(site, &label, (a, b), dir, ptr, Kinds::FIELD);
        // A flattened part's properties are on the wire beside the struct's own.
        let inner = if g.flatten {
            path.to_string()
        } else {
            join(path, &g.wire)
        };
        self.descend(site, &inner, &f.ty, &g.ty);
    }

    /// Type and required-ness of a field or parameter: one change per
    /// slot, a retype taking the required-ness change along in its detail.
    pub(super) fn compare_slots(
        &mut self,
        site: &Site,
        label: &str,
        (a, b): (Slot, Slot),
        dir: Dir,
        ptr: &str,
        kinds: Kinds,
    ) {
        let (o, n) = (self.old.ir, self.new.ir);
        let retyped = self.retyped(|ir, e| a.core(ir, e), |ir, e| b.core(ir, e));
        let now = match (a.required == b.required, a.optional() == b.optional()) {
            (false, _) if b.required => Some("now required"),
            (false, _) => Some("now optional"),
            (true, false) if b.optional() => Some("now nullable"),
            (true, false) => Some("no longer nullable"),
            (true, true) => None,
        };
        let (x, y) = (a.text(o), b.text(n));
        let (kind, breaking, what) = match (retyped, now) {
            (false, None) => return,
            (true, None) => (kinds.retyped, true, "retyped".to_string()),
            (true, Some(now)) => (kinds.retyped, true, format!("retyped and {now}")),
            (false, Some(now)) if a.required != b.required => {
                let breaking = a.optional() != b.optional() || (dir.request && b.required);
                (kinds.required, breaking, now.to_string())
            }
            (false, Some(now)) => (kinds.retyped, true, now.to_string()),
        };
        self.push(
            site,
            kind,
            breaking,
            format!("{label} {what}: `{x}` → `{y}`"),
            ptr,
        );
    }

    fn compare_enums(
        &mut self,
        site: &Site,
        path: &str,
        old: &StringEnum,
        new: &StringEnum,
        ptr: &str,
    ) {
        let place = site.place(path);
        let by_wire = |e: &StringEnum| -> BTreeMap<String, String> {
            e.values
                .iter()
                .map(|v| (v.wire.clone(), v.name.clone()))
                .collect()
        };
        let (o, n) = (by_wire(old), by_wire(new));
        for (wire, name) in &o {
            match n.get(wire) {
                None => {
                    let detail = format!("{place}value `{wire}` removed (variant `{name}`)");
                    self.push(site, ChangeKind::EnumValueRemoved, true, detail, ptr);
                }
                Some(new_name) if new_name != name => {
                    let detail =
                        format!("{place}value `{wire}`: variant `{name}` is now `{new_name}`");
                    self.push(site, ChangeKind::EnumValueRenamed, true, detail, ptr);
                }
                Some(_) => {}
            }
        }
        for wire in n.keys().filter(|w| !o.contains_key(*w)) {
            let detail = format!("{place}value `{wire}` added");
            self.push(site, ChangeKind::EnumValueAdded, false, detail, ptr);
        }
    }

    /// Variants by Rust name; `name` is the union's, to name paths into
    /// its variants at the top of a schema (`Filter::And.and[]`).
    fn compare_unions(
        &mut self,
        site: &Site,
        path: &str,
        name: &str,
        (old, new): (&Union, &Union),
        (old_ptr, new_ptr): (&str, &str),
    ) {
        let place = site.place(path);
        let base = if path.is_empty() { name } else { path };
        let o: BTreeMap<&str, _> = old.variants.iter().map(|v| (v.name.as_str(), v)).collect();
        let n: BTreeMap<&str, _> = new.variants.iter().map(|v| (v.name.as_str(), v)).collect();
        for (variant, v) in &o {
            let a = Slot::variant(&v.ty, v.boxed);
            let Some(w) = n.get(variant) else {
                let detail = format!(
                    "{place}variant `{variant}` removed{}",
                    payload(variant, &a.text(self.old.ir), "was ")
                );
                self.push(site, ChangeKind::VariantRemoved, true, detail, old_ptr);
                continue;
            };
            let b = Slot::variant(&w.ty, w.boxed);
            if self.retyped(|ir, e| a.rust(ir, e), |ir, e| b.rust(ir, e)) {
                let (x, y) = (a.text(self.old.ir), b.text(self.new.ir));
                let detail = format!("{place}variant `{variant}` retyped: `{x}` → `{y}`");
                self.push(site, ChangeKind::VariantRetyped, true, detail, new_ptr);
            }
            self.descend(site, &format!("{base}::{variant}"), &v.ty, &w.ty);
        }
        for (variant, w) in n.iter().filter(|(k, _)| !o.contains_key(*k)) {
            // Unions are `#[non_exhaustive]`: every `match` already has
            // an arm for variants it does not name.
            let ty = Slot::variant(&w.ty, w.boxed).text(self.new.ir);
            let detail = format!(
                "{place}variant `{variant}` added{}",
                payload(variant, &ty, "")
            );
            self.push(site, ChangeKind::VariantAdded, false, detail, new_ptr);
        }
    }
}

/// Whether a field added to a struct breaks callers, and why (for the
/// detail). Structs are `#[non_exhaustive]` with `new(required..)` and a
/// setter per optional field, so only a required field breaks, and only
/// where callers build the struct: `new` takes one more argument.
fn added_field_rule(dir: Dir, required: bool) -> (bool, &'static str) {
    match (dir.request, dir.unused, required) {
        (_, _, false) | (false, ..) => (false, ""),
        (true, false, true) => (true, " (required, in a request struct: `new` takes it)"),
        (true, true, true) => (
            true,
            " (required, in a struct no operation uses: callers may build it with `new`)",
        ),
    }
}

/// ` (was \`T\`)` after a variant name, unless the payload type has that name.
pub(super) fn payload(variant: &str, ty: &str, was: &str) -> String {
    if variant == ty {
        String::new()
    } else {
        format!(" ({was}`{ty}`)")
    }
}

/// A type change found at `path`: of the schema itself, or of a field within.
fn retype_kind(site: &Site, path: &str) -> ChangeKind {
    if site.root.is_empty() && path.is_empty() {
        ChangeKind::SchemaRetyped
    } else {
        ChangeKind::FieldRetyped
    }
}

/// The change kinds one [`Differ::compare_slots`] call reports with.
#[derive(Clone, Copy)]
pub(super) struct Kinds {
    pub(super) retyped: ChangeKind,
    pub(super) required: ChangeKind,
}

impl Kinds {
    const FIELD: Kinds = Kinds {
        retyped: ChangeKind::FieldRetyped,
        required: ChangeKind::FieldRequiredChanged,
    };
    pub(super) const PARAM: Kinds = Kinds {
        retyped: ChangeKind::ParamRetyped,
        required: ChangeKind::ParamRequiredChanged,
    };
}
