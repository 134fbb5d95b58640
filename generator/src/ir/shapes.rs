//! Which keys each type declares, as the table the generated crate uses to
//! choose a union's variant (`runtime::union`). The rule itself is that
//! runtime file, compiled here too, so the generator's predictions (its
//! report, the instances its tests send) and the crate's decoding are one
//! piece of code.

use super::check;
use super::model::{Draft, Ir, Kinds, ShapeTable, Ty, TypeDef, TypeKind, Union, Variant};

pub use super::union_rule::{rank, unknown_object, Key, Ranked, Shape, Shapes, Span};

/// The node free-form JSON shares ([`Shape::Free`]).
const FREE: u32 = 1;

impl ShapeTable {
    /// The table as the runtime's rule reads it.
    pub fn view(&self) -> Shapes<'_, String> {
        Shapes {
            nodes: &self.nodes,
            keys: &self.keys,
            lists: &self.lists,
            texts: &self.texts,
            index: &self.index,
        }
    }

    /// The node of `ty`: 0 (a leaf) for scalars and for types no union
    /// reaches, 1 for free-form JSON.
    pub fn node_of(&self, ty: &Ty) -> u32 {
        match ty {
            Ty::Nullable(inner) => self.node_of(inner),
            Ty::Named(id) => self.of_type.get(&id.0).copied().unwrap_or(0),
            Ty::Array(inner) => self.inline_node(Shape::Array(self.node_of(inner))),
            Ty::Map(inner) => self.inline_node(Shape::Map(self.node_of(inner))),
            Ty::Any | Ty::FreeObject => FREE,
            _ => 0,
        }
    }

    /// The variant keeps any object whole: free-form, a map, or an
    /// object open to undeclared keys (through aliases and unions).
    pub fn keeps_any_object(&self, ty: &Ty) -> bool {
        top_keys(self, self.node_of(ty), 0).is_none()
    }

    /// The node of the union at type index `union` (every untagged union
    /// has one); 0 when there is none.
    pub fn of_union(&self, union: usize) -> u32 {
        self.of_type.get(&union).copied().unwrap_or(0)
    }

    fn inline_node(&self, shape: Shape) -> u32 {
        self.inline.get(&shape).copied().unwrap_or(0)
    }
}

/// A union's variant as [`rank`] sees it.
pub struct RankedVariant<'a> {
    pub variant: &'a Variant,
    pub shape: u32,
}

impl Ranked for RankedVariant<'_> {
    fn kinds(&self) -> u8 {
        self.variant.kinds.0
    }
    fn lacks(&self, map: &serde_json::Map<String, serde_json::Value>) -> Option<&str> {
        self.variant
            .required
            .iter()
            .find(|k| !map.contains_key(k.as_str()))
            .map(String::as_str)
    }
    fn shape(&self) -> u32 {
        self.shape
    }
}

/// The variants of a union with their nodes, in decoding order.
pub fn ranked<'a>(ir: &Ir, variants: &'a [Variant]) -> Vec<RankedVariant<'a>> {
    variants
        .iter()
        .map(|variant| RankedVariant {
            variant,
            shape: ir.shapes.node_of(&variant.ty),
        })
        .collect()
}

/// The variant the generated decoder reads `value` as: the best-ranked
/// one that decodes it, or the one its discriminator names. `None` for
/// none, and for the catch-all ([`Union::other`]). `union` is the union's
/// type index.
pub fn chosen(ir: &Ir, union: usize, u: &Union, value: &serde_json::Value) -> Option<usize> {
    if let Some(tag) = &u.tag {
        let tag_value = value.get(tag)?.as_str()?;
        return u
            .variants
            .iter()
            .position(|v| v.tags.iter().any(|t| t == tag_value));
    }
    let ranked = ranked(ir, &u.variants);
    let shapes = ir.shapes.view();
    let node = ir.shapes.of_union(union);
    if u.other.is_some() && unknown_object(value, &ranked, &shapes, node) {
        return None;
    }
    rank(value, &ranked, &shapes, node)
        .into_iter()
        .find(|&i| check::decodes(ir, &u.variants[i].ty, value))
}

/// The keys a node declares at its top level, as `Shapes::declares_any`
/// reads them; `None` when it keeps any key.
fn top_keys(table: &ShapeTable, node: u32, depth: u32) -> Option<Vec<String>> {
    if depth > 8 {
        return Some(Vec::new());
    }
    match table.nodes.get(node as usize) {
        Some(Shape::Object(keys, flattened, open)) => {
            if *open {
                return None;
            }
            let mut out: Vec<String> = table.keys[part(*keys)]
                .iter()
                .map(|k| k.0.clone())
                .collect();
            for &n in &table.lists[part(*flattened)] {
                out.extend(top_keys(table, n, depth + 1)?);
            }
            Some(out)
        }
        Some(Shape::Union(parts, ..)) => {
            let mut out = Vec::new();
            for &n in &table.lists[part(*parts)] {
                out.extend(top_keys(table, n, depth + 1)?);
            }
            Some(out)
        }
        Some(Shape::Leaf | Shape::Values(_) | Shape::Array(_)) => Some(Vec::new()),
        Some(Shape::Map(_) | Shape::Free) | None => None,
    }
}

/// Gives a catch-all variant to every untagged union that can hold an
/// object but has no variant that keeps any object (free-form, a map, or
/// open to undeclared keys without requiring any): without it, an object
/// whose keys no variant declares would decode as the first variant with
/// everything dropped.
/// It reads the shape table, so it runs after [`build`] (which does not
/// depend on it).
pub fn catch_alls(ir: &mut Draft, shapes: &ShapeTable) {
    let is_object = |v: &&Variant| v.kinds.0 & Kinds::OBJECT.0 != 0;
    let open: Vec<usize> = (0..ir.types.len())
        .filter(|&i| match &ir.types[i].kind {
            TypeKind::Union(u) => {
                u.tag.is_none()
                    && u.variants.iter().any(|v| is_object(&v))
                    && !u
                        .variants
                        .iter()
                        .filter(is_object)
                        .any(|v| shapes.keeps_any_object(&v.ty))
            }
            _ => false,
        })
        .collect();
    for i in open {
        if let TypeKind::Union(u) = &mut ir.types[i].kind {
            let taken = |name: &str| u.variants.iter().any(|v| v.name == name);
            let name = ["Other", "OtherObject", "UnknownObject"]
                .into_iter()
                .find(|n| !taken(n))
                .map_or_else(|| format!("Other{}", u.variants.len()), str::to_string);
            u.other = Some(name);
        }
    }
}

/// The table for every type the variants of an untagged union reach.
pub fn build(types: &[TypeDef]) -> ShapeTable {
    let mut b = Builder {
        types,
        table: ShapeTable::default(),
    };
    for (i, def) in types.iter().enumerate() {
        if let TypeKind::Union(u) = &def.kind {
            if u.tag.is_none() {
                b.named(i);
            }
        }
    }
    let mut table = b.table;
    index_unions(&mut table);
    table
}

/// Fills in the key index of every union node (see [`Shape::Union`]),
/// once every node it reads is built.
fn index_unions(table: &mut ShapeTable) {
    for n in 0..table.nodes.len() {
        let Shape::Union(parts, _, _) = table.nodes[n] else {
            continue;
        };
        let members: Vec<u32> = table.lists[part(parts)].to_vec();
        if members.len() > 64 {
            continue;
        }
        let mut keys: std::collections::BTreeMap<String, u64> = Default::default();
        let mut always = 0u64;
        for (i, &m) in members.iter().enumerate() {
            match top_keys(table, m, 0) {
                None => always |= 1 << i,
                Some(names) => {
                    for name in names {
                        *keys.entry(name).or_default() |= 1 << i;
                    }
                }
            }
        }
        let start = table.index.len();
        let count = keys.len();
        table.index.extend(keys);
        table.nodes[n] = Shape::Union(parts, span(start, count), always);
    }
}

fn part(span: Span) -> std::ops::Range<usize> {
    let start = span.0 as usize;
    start..start + span.1 as usize
}

struct Builder<'a> {
    types: &'a [TypeDef],
    table: ShapeTable,
}

impl Builder<'_> {
    fn node(&mut self, ty: &Ty) -> u32 {
        match ty {
            Ty::Nullable(inner) => self.node(inner),
            Ty::Named(id) => self.named(id.0),
            Ty::Array(inner) => {
                let item = self.node(inner);
                self.shared(Shape::Array(item))
            }
            Ty::Map(inner) => {
                let item = self.node(inner);
                self.shared(Shape::Map(item))
            }
            Ty::Any | Ty::FreeObject => FREE,
            _ => 0,
        }
    }

    fn shared(&mut self, shape: Shape) -> u32 {
        if let Some(&n) = self.table.inline.get(&shape) {
            return n;
        }
        let n = self.push(shape);
        self.table.inline.insert(shape, n);
        n
    }

    fn push(&mut self, shape: Shape) -> u32 {
        self.table.nodes.push(shape);
        (self.table.nodes.len() - 1) as u32
    }

    /// A named type's node; reserved before its parts are built, so a
    /// recursive type refers to itself.
    fn named(&mut self, index: usize) -> u32 {
        if let Some(&n) = self.table.of_type.get(&index) {
            return n;
        }
        let types = self.types;
        if let TypeKind::Enum(e) = &types[index].kind {
            let start = self.table.texts.len();
            self.table
                .texts
                .extend(e.values.iter().map(|v| v.wire.clone()));
            let n = self.push(Shape::Values(span(start, e.values.len())));
            self.table.of_type.insert(index, n);
            return n;
        }
        let n = self.push(Shape::Leaf);
        self.table.of_type.insert(index, n);
        let shape = match &types[index].kind {
            TypeKind::Struct(s) => {
                let mut keys = Vec::new();
                let mut flattened = Vec::new();
                for f in &s.fields {
                    let child = self.node(&f.ty);
                    if f.flatten {
                        flattened.push(child);
                    } else {
                        keys.push(Key(f.wire.clone(), f.required, child));
                    }
                }
                let start = self.table.keys.len();
                let count = keys.len();
                self.table.keys.extend(keys);
                Shape::Object(span(start, count), self.list(flattened), s.extra.is_some())
            }
            // The key index is filled in once every node is built.
            TypeKind::Union(u) => {
                let parts: Vec<u32> = u.variants.iter().map(|v| self.node(&v.ty)).collect();
                Shape::Union(self.list(parts), Span(0, 0), 0)
            }
            // One-branch union: the alias fits as its target does.
            TypeKind::Alias(ty) => {
                let target = self.node(ty);
                Shape::Union(self.list(vec![target]), Span(0, 0), 0)
            }
            TypeKind::Enum(_) => Shape::Leaf,
        };
        self.table.nodes[n as usize] = shape;
        n
    }

    fn list(&mut self, nodes: Vec<u32>) -> Span {
        let start = self.table.lists.len();
        let count = nodes.len();
        self.table.lists.extend(nodes);
        span(start, count)
    }
}

fn span(start: usize, len: usize) -> Span {
    Span(start as u32, len as u32)
}
