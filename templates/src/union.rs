//! Decoding of `oneOf`/`anyOf` types.
//!
//! serde's `untagged` takes the first variant that decodes, and a branch
//! that declares properties but requires none decodes from every object:
//! `{"assetsAcl": ..}` would come back as an empty groups capability. Here
//! an object goes to the variant that accounts for most of it instead.
//! The generator describes, once, which keys each type declares (the
//! [`Shapes`] table); [`rank`] scores each variant by how many of the
//! value's keys, at every depth, it would keep, and the variants are tried
//! best first, ties in the spec's order. A key no variant declares scores
//! for none, so a field added by a newer server cannot change the choice.
//! A failure names every candidate and why it did not fit.
//!
//! The generator compiles this same file to predict the choice (for its
//! report and the tests it emits), so the rule exists once; it is edition
//! 2021 there, so this file avoids `let` chains.

use std::fmt;

use serde_json::Value;

/// JSON kinds as bits, so one candidate can accept several.
pub mod kinds {
    pub const NULL: u8 = 1;
    pub const BOOL: u8 = 2;
    /// Numbers written without fraction or exponent.
    pub const INTEGER: u8 = 4;
    pub const FLOAT: u8 = 8;
    pub const NUMBER: u8 = INTEGER | FLOAT;
    pub const STRING: u8 = 16;
    pub const ARRAY: u8 = 32;
    pub const OBJECT: u8 = 64;
    pub const ANY: u8 = 127;
}

fn kind_of(value: &Value) -> (u8, &'static str) {
    match value {
        Value::Null => (kinds::NULL, "null"),
        Value::Bool(_) => (kinds::BOOL, "boolean"),
        Value::Number(n) if n.is_f64() => (kinds::FLOAT, "number"),
        Value::Number(_) => (kinds::INTEGER, "integer"),
        Value::String(_) => (kinds::STRING, "string"),
        Value::Array(_) => (kinds::ARRAY, "array"),
        Value::Object(_) => (kinds::OBJECT, "object"),
    }
}

/// A run of entries in one of the tables of [`Shapes`]: start and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span(pub u32, pub u32);

/// What a type declares, as far as choosing a union variant goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Scalars: they hold no keys.
    Leaf,
    /// Free-form JSON (any value, any object): it keeps every key, but
    /// declares none, so it outscores no variant that declares one.
    Free,
    /// A string enum (one value for a `const`), its values in
    /// [`Shapes::texts`]: a value it names scores one.
    Values(Span),
    /// An object: its declared keys ([`Shapes::keys`]), the types
    /// flattened into it ([`Shapes::lists`], which see the same object),
    /// and whether it keeps undeclared keys (`additionalProperties`).
    Object(Span, Span, bool),
    Array(u32),
    /// `additionalProperties` only: the keys are data, the values count.
    Map(u32),
    /// Any of these nodes ([`Shapes::lists`]): the best of them counts.
    /// Then, for a union of at most 64 parts, its key index
    /// ([`Shapes::index`]: each key a part declares at its top level, with
    /// the parts that do as bits), and the parts that keep any key (free-form
    /// or open objects). With more parts the index is empty and every part
    /// is measured.
    Union(Span, Span, u64),
}

/// A declared property: wire name, whether it is required, its node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key<S>(pub S, pub bool, pub u32);

/// The generator's description of every type a union can hold, as flat
/// tables (a node refers to others by index, so recursive types need no
/// pointers). Node 0 is [`Shape::Leaf`], node 1 [`Shape::Free`]. The generated crate's texts are
/// `&'static str`; the generator's own copy of the table owns them.
#[derive(Debug, Clone, Copy)]
pub struct Shapes<'a, S = &'a str> {
    pub nodes: &'a [Shape],
    pub keys: &'a [Key<S>],
    pub lists: &'a [u32],
    pub texts: &'a [S],
    /// The key indices of union nodes, each sorted by key.
    pub index: &'a [(S, u64)],
}

/// A table of [`Shapes`] read from the text [`Shapes::encode`] writes.
/// A generated crate holds its table this way: as Rust literals the
/// thousands of entries were a third of its shared crate's lines, and
/// all of them went through the compiler.
#[derive(Debug, Clone, Default)]
pub struct Table {
    nodes: Vec<Shape>,
    keys: Vec<Key<&'static str>>,
    lists: Vec<u32>,
    texts: Vec<&'static str>,
    index: Vec<(&'static str, u64)>,
}

impl Table {
    /// Reads what [`Shapes::encode`] wrote. The crate's own table is
    /// the only input; anything else it was not written from panics,
    /// naming the byte where the text stops making sense.
    pub fn read(text: &'static str) -> Table {
        let mut r = Reader { text, at: 0 };
        let mut table = Table::default();
        for _ in 0..r.number::<usize>() {
            let node = r.node();
            table.nodes.push(node);
        }
        for _ in 0..r.number::<usize>() {
            let key = Key(r.text(), r.number::<u8>() == 1, r.number());
            table.keys.push(key);
        }
        for _ in 0..r.number::<usize>() {
            let list = r.number();
            table.lists.push(list);
        }
        for _ in 0..r.number::<usize>() {
            let text = r.text();
            table.texts.push(text);
        }
        for _ in 0..r.number::<usize>() {
            let entry = (r.text(), r.number());
            table.index.push(entry);
        }
        if !text[r.at..].trim().is_empty() {
            r.fail("text after the last table");
        }
        table
    }

    /// The table as [`Shapes`].
    pub fn view(&self) -> Shapes<'_, &'static str> {
        Shapes {
            nodes: &self.nodes,
            keys: &self.keys,
            lists: &self.lists,
            texts: &self.texts,
            index: &self.index,
        }
    }
}

/// A place in the text of a [`Table`].
struct Reader {
    text: &'static str,
    at: usize,
}

impl Reader {
    /// The next token: up to a space, or up to the `:` of a text's length.
    fn token(&mut self) -> &'static str {
        let rest = self.text.get(self.at..).unwrap_or_default();
        let skipped = rest.len() - rest.trim_start_matches(' ').len();
        let rest = &rest[skipped..];
        let len = rest.find([' ', ':']).unwrap_or(rest.len());
        self.at += skipped + len;
        &rest[..len]
    }

    fn number<T: std::str::FromStr>(&mut self) -> T {
        let token = self.token();
        token
            .parse()
            .unwrap_or_else(|_| self.fail(&format!("`{token}` is not a number")))
    }

    /// `<bytes>:<text>`: the text may hold spaces and anything else.
    fn text(&mut self) -> &'static str {
        let len: usize = self.number();
        let start = self.at + 1;
        let text = self.text;
        match text.get(self.at..start) {
            Some(":") => {}
            _ => self.fail("a text's length without `:`"),
        }
        let end = start.saturating_add(len);
        let value = text
            .get(start..end)
            .unwrap_or_else(|| self.fail(&format!("a text of {len} bytes")));
        self.at = end;
        value
    }

    fn span(&mut self) -> Span {
        Span(self.number(), self.number())
    }

    fn node(&mut self) -> Shape {
        match self.token() {
            "L" => Shape::Leaf,
            "F" => Shape::Free,
            "V" => Shape::Values(self.span()),
            "O" => Shape::Object(self.span(), self.span(), self.number::<u8>() == 1),
            "A" => Shape::Array(self.number()),
            "M" => Shape::Map(self.number()),
            "U" => Shape::Union(self.span(), self.span(), self.number()),
            other => self.fail(&format!("`{other}` is not a node")),
        }
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "the crate's table of union shapes is broken at byte {}: {what}",
            self.at
        )
    }
}

/// Nesting beyond this scores nothing: deep enough to tell real variants
/// apart, and a bound on the work for recursive filters.
const FIT_DEPTH: u32 = 32;
/// Nodes one [`Shapes::fit`] may visit: a union of unions that all
/// declare the same keys could otherwise cost variants^depth.
const FIT_BUDGET: u32 = 100_000;

/// How deep [`Shapes::fit`] is in the value, and how deep it may go.
#[derive(Clone, Copy)]
struct Depth {
    at: u32,
    limit: u32,
}

impl Depth {
    fn deeper(self) -> Depth {
        Depth {
            at: self.at + 1,
            ..self
        }
    }
}

/// How much of a value a type keeps, as [`Shapes::fit`] measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fit {
    /// Keys the type declares that the value carries, at every depth, and
    /// enum values it names.
    pub kept: u32,
    /// Keys of the value a closed object of the type would drop.
    pub dropped: u32,
}

impl Fit {
    fn plus(self, other: Fit) -> Fit {
        Fit {
            kept: self.kept.saturating_add(other.kept),
            dropped: self.dropped.saturating_add(other.dropped),
        }
    }

    /// Sorts best first: more kept, then fewer dropped.
    fn order(self) -> (std::cmp::Reverse<u32>, u32) {
        (std::cmp::Reverse(self.kept), self.dropped)
    }
}

fn slice<T>(table: &[T], span: Span) -> &[T] {
    let start = span.0 as usize;
    let end = start.saturating_add(span.1 as usize);
    table.get(start..end).unwrap_or(&[])
}

impl<S: AsRef<str>> Shapes<'_, S> {
    /// The table as the tokens [`Table::read`] reads, to be joined with
    /// single spaces (or broken into lines between tokens, the way a
    /// Rust string continues with `\` at the end of a line). A text is
    /// `<bytes>:<text>`, so it may hold anything.
    pub fn encode(&self) -> Vec<String> {
        let mut out = vec![self.nodes.len().to_string()];
        for node in self.nodes {
            let (tag, numbers) = match *node {
                Shape::Leaf => ("L", vec![]),
                Shape::Free => ("F", vec![]),
                Shape::Values(s) => ("V", vec![s.0.into(), s.1.into()]),
                Shape::Object(k, f, open) => (
                    "O",
                    vec![k.0.into(), k.1.into(), f.0.into(), f.1.into(), open.into()],
                ),
                Shape::Array(n) => ("A", vec![n.into()]),
                Shape::Map(n) => ("M", vec![n.into()]),
                Shape::Union(p, i, always) => (
                    "U",
                    vec![p.0.into(), p.1.into(), i.0.into(), i.1.into(), always],
                ),
            };
            out.push(tag.to_string());
            out.extend(numbers.iter().map(u64::to_string));
        }
        let text = |s: &S| format!("{}:{}", s.as_ref().len(), s.as_ref());
        out.push(self.keys.len().to_string());
        for Key(name, required, node) in self.keys {
            out.extend([
                text(name),
                u8::from(*required).to_string(),
                node.to_string(),
            ]);
        }
        out.push(self.lists.len().to_string());
        out.extend(self.lists.iter().map(u32::to_string));
        out.push(self.texts.len().to_string());
        out.extend(self.texts.iter().map(text));
        out.push(self.index.len().to_string());
        for (key, bits) in self.index {
            out.extend([text(key), bits.to_string()]);
        }
        out
    }
}

impl<S: AsRef<str>> Shapes<'_, S> {
    /// How much of `value` the type at `node` keeps (see [`Fit`]). `None`
    /// when the value cannot be that type: a required key is missing, or an
    /// object, array or map is something else.
    pub fn fit(&self, value: &Value, node: u32) -> Option<Fit> {
        self.fit_to(value, node, FIT_DEPTH)
    }

    /// [`fit`](Self::fit) of the top level only: the keys the value
    /// carries there, not what is inside them.
    pub fn shallow_fit(&self, value: &Value, node: u32) -> Option<Fit> {
        self.fit_to(value, node, 0)
    }

    fn fit_to(&self, value: &Value, node: u32, limit: u32) -> Option<Fit> {
        let mut budget = FIT_BUDGET;
        self.fit_at(value, node, Depth { at: 0, limit }, &mut budget)
    }

    /// The type at `node` declares one of the keys of `map` (through the
    /// unions and aliases that name it, and the parts flattened into it);
    /// a free-form type or a map declares them all.
    pub fn declares_any(
        &self,
        map: &serde_json::Map<String, Value>,
        node: u32,
        depth: u32,
    ) -> bool {
        if depth > 8 {
            return false;
        }
        match self.nodes.get(node as usize) {
            Some(Shape::Object(keys, flattened, open)) => {
                *open
                    || slice(self.keys, *keys)
                        .iter()
                        .any(|k| map.contains_key(k.0.as_ref()))
                    || slice(self.lists, *flattened)
                        .iter()
                        .any(|&n| self.declares_any(map, n, depth + 1))
            }
            Some(Shape::Union(parts, ..)) => slice(self.lists, *parts)
                .iter()
                .any(|&n| self.declares_any(map, n, depth + 1)),
            Some(Shape::Map(_) | Shape::Free) | None => true,
            Some(Shape::Leaf | Shape::Values(_) | Shape::Array(_)) => false,
        }
    }

    fn fit_at(&self, value: &Value, node: u32, depth: Depth, budget: &mut u32) -> Option<Fit> {
        let none = Fit::default();
        if value.is_null() || depth.at > depth.limit || *budget == 0 {
            return Some(none);
        }
        *budget -= 1;
        let Some(shape) = self.nodes.get(node as usize) else {
            return Some(none);
        };
        // Unions, aliases and flattened parts read the same value; only
        // the values inside an object, array or map are a level deeper.
        let (same, inner) = (depth, depth.deeper());
        match *shape {
            Shape::Leaf | Shape::Free => Some(none),
            Shape::Values(span) => Some(Fit {
                kept: u32::from(
                    value
                        .as_str()
                        .is_some_and(|s| slice(self.texts, span).iter().any(|t| t.as_ref() == s)),
                ),
                dropped: 0,
            }),
            Shape::Object(keys, flattened, open) => {
                let Value::Object(map) = value else {
                    return None;
                };
                let declared = slice(self.keys, keys);
                let mut fit = none;
                for Key(name, required, child) in declared {
                    match map.get(name.as_ref()) {
                        Some(v) => {
                            let inner = self.fit_at(v, *child, inner, budget)?;
                            fit = fit
                                .plus(Fit {
                                    kept: 1,
                                    dropped: 0,
                                })
                                .plus(inner);
                        }
                        None if *required => return None,
                        None => {}
                    }
                }
                let parts = slice(self.lists, flattened);
                for &part in parts {
                    fit = fit.plus(self.fit_at(value, part, same, budget)?);
                }
                if !open && parts.is_empty() {
                    let unknown = map
                        .keys()
                        .filter(|k| !declared.iter().any(|d| d.0.as_ref() == k.as_str()))
                        .count();
                    fit.dropped = fit
                        .dropped
                        .saturating_add(u32::try_from(unknown).unwrap_or(u32::MAX));
                }
                Some(fit)
            }
            Shape::Array(item) => {
                let Value::Array(items) = value else {
                    return None;
                };
                items.iter().try_fold(none, |fit, v| {
                    Some(fit.plus(self.fit_at(v, item, inner, budget)?))
                })
            }
            Shape::Map(item) => {
                let Value::Object(map) = value else {
                    return None;
                };
                map.values().try_fold(none, |fit, v| {
                    Some(fit.plus(self.fit_at(v, item, inner, budget)?))
                })
            }
            Shape::Union(parts, index, _) => {
                let parts = slice(self.lists, parts);
                // Only the parts that declare a key of an object can keep
                // any of it; the rest are measured when none of those fits.
                if let (Value::Object(map), true) = (value, parts.len() <= 64) {
                    let declaring = self.declaring(map, index);
                    let best = parts
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| declaring & (1 << i) != 0)
                        .filter_map(|(_, &n)| self.fit_at(value, n, same, budget))
                        .min_by_key(|f| f.order());
                    if best.is_some() {
                        return best;
                    }
                }
                parts
                    .iter()
                    .filter_map(|&n| self.fit_at(value, n, same, budget))
                    .min_by_key(|f| f.order())
            }
        }
    }
}

/// One variant of a union, as the generated code describes it.
pub struct Candidate<T> {
    pub name: &'static str,
    /// Bits from [`kinds`]: the JSON kinds this variant can decode from.
    pub kinds: u8,
    /// Keys an object must carry to be this variant.
    pub required: &'static [&'static str],
    /// Discriminator values that select this variant (tagged unions only).
    pub tags: &'static [&'static str],
    /// This variant's node in the crate's [`Shapes`].
    pub shape: u32,
    pub decode: fn(&Value) -> Result<T, serde_json::Error>,
}

impl<T> Candidate<T> {
    /// A variant that requires no key and answers to no tag; `decode` is
    /// usually `|v| de(v).map(Self::Variant)`.
    pub const fn new(
        name: &'static str,
        kinds: u8,
        shape: u32,
        decode: fn(&Value) -> Result<T, serde_json::Error>,
    ) -> Self {
        Candidate {
            name,
            kinds,
            required: &[],
            tags: &[],
            shape,
            decode,
        }
    }

    /// The keys an object must carry to be this variant.
    pub const fn required(mut self, keys: &'static [&'static str]) -> Self {
        self.required = keys;
        self
    }

    /// The discriminator values that select this variant.
    pub const fn tags(mut self, tags: &'static [&'static str]) -> Self {
        self.tags = tags;
        self
    }
}

/// Decodes a variant's payload from the value already read; the one
/// decoder every generated [`Candidate`] calls.
pub fn de<'a, V: serde::Deserialize<'a>>(value: &'a Value) -> Result<V, serde_json::Error> {
    V::deserialize(value)
}

/// A generated `Deserialize` for an untagged union: reads the value once,
/// then [`decode_untagged`].
pub fn deserialize_untagged<'de, D: serde::Deserializer<'de>, T>(
    deserializer: D,
    type_name: &'static str,
    candidates: &[Candidate<T>],
    shapes: &Shapes<'_>,
    union: u32,
    other: Option<fn(serde_json::Map<String, Value>) -> T>,
) -> Result<T, D::Error> {
    let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
    decode_untagged(type_name, &value, candidates, shapes, union, other)
        .map_err(serde::de::Error::custom)
}

/// A generated `Deserialize` for a union with a discriminator: reads the
/// value once, then [`decode_tagged`].
pub fn deserialize_tagged<'de, D: serde::Deserializer<'de>, T>(
    deserializer: D,
    type_name: &'static str,
    tag: &'static str,
    candidates: &[Candidate<T>],
) -> Result<T, D::Error> {
    let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
    decode_tagged(type_name, tag, &value, candidates).map_err(serde::de::Error::custom)
}

/// Why no variant of a union fitted a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionError {
    pub type_name: &'static str,
    pub found: &'static str,
    /// Each variant tried (or ruled out) and why it did not fit.
    pub attempts: Vec<(&'static str, String)>,
}

impl fmt::Display for UnionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no variant of `{}` matches this {}",
            self.type_name, self.found
        )?;
        for (i, (name, why)) in self.attempts.iter().enumerate() {
            let sep = if i == 0 { ": " } else { "; " };
            write!(f, "{sep}{name}: {why}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnionError {}

/// What [`rank`] reads of a candidate: the generated [`Candidate`]s, and
/// the generator's own model of them.
pub trait Ranked {
    /// Bits from [`kinds`].
    fn kinds(&self) -> u8;
    /// The first key this candidate requires that `map` lacks.
    fn lacks(&self, map: &serde_json::Map<String, Value>) -> Option<&str>;
    /// Its node in the [`Shapes`].
    fn shape(&self) -> u32;
}

impl<T> Ranked for Candidate<T> {
    fn kinds(&self) -> u8 {
        self.kinds
    }
    fn lacks(&self, map: &serde_json::Map<String, Value>) -> Option<&str> {
        self.required
            .iter()
            .find(|k| !map.contains_key(**k))
            .copied()
    }
    fn shape(&self) -> u32 {
        self.shape
    }
}

impl<S: AsRef<str>> Shapes<'_, S> {
    /// The parts of a union node that declare at least one key of `map`,
    /// as bits, from the node's key index.
    fn declaring(&self, map: &serde_json::Map<String, Value>, index: Span) -> u64 {
        let index = slice(self.index, index);
        map.keys().fold(0, |mask, key| {
            match index.binary_search_by(|(k, _)| k.as_ref().cmp(key.as_str())) {
                Ok(i) => mask | index[i].1,
                Err(_) => mask,
            }
        })
    }

    /// The key index of union node `node`: its span and the parts that
    /// keep any key; `None` when it has none (more than 64 parts, or not
    /// a union node).
    fn index_of(&self, node: u32, parts: usize) -> Option<(Span, u64)> {
        match self.nodes.get(node as usize) {
            Some(Shape::Union(span, index, always)) if parts <= 64 && span.1 as usize == parts => {
                Some((*index, *always))
            }
            _ => None,
        }
    }
}

/// The candidates that can hold `value`, best first: those of its JSON
/// kind that have their required keys, by [`Shapes::fit`] (more declared
/// keys kept first, then fewer keys dropped), ties in candidate order;
/// then those whose shape does not fit (their decode is expected to
/// fail, and says why). `union` is the union's own node: with its key
/// index, only the candidates that declare one of an object's keys are
/// measured, and the others follow in order (they keep none of it).
pub fn rank<C: Ranked, S: AsRef<str>>(
    value: &Value,
    candidates: &[C],
    shapes: &Shapes<'_, S>,
    union: u32,
) -> Vec<usize> {
    let (bit, _) = kind_of(value);
    let map = value.as_object();
    let viable = |c: &C| c.kinds() & bit != 0 && map.is_none_or(|m| c.lacks(m).is_none());
    let mut order: Vec<usize> = (0..candidates.len())
        .filter(|&i| viable(&candidates[i]))
        .collect();
    if order.len() < 2 {
        return order;
    }
    let preferred = match (shapes.index_of(union, candidates.len()), map) {
        (Some((index, always)), Some(map)) => {
            let wanted = match shapes.declaring(map, index) {
                0 => always,
                some => some,
            };
            // Stable: the preferred first, the rest keep their order.
            order.sort_by_key(|&i| wanted & (1 << i) == 0);
            order
                .iter()
                .take_while(|&&i| wanted & (1 << i) != 0)
                .count()
        }
        _ => order.len(),
    };
    if preferred < 2 {
        return order;
    }
    // One sort key per measured candidate: misfits last, then the fit of
    // the top level, then (only among those tied for best there) the fit
    // at every depth, then candidate order. Most objects are told apart by
    // their top-level keys; what is inside decides only a tie.
    let unmeasured = Fit::default().order();
    let mut keyed: Vec<(bool, _, _, usize)> = order[..preferred]
        .iter()
        .map(
            |&i| match shapes.shallow_fit(value, candidates[i].shape()) {
                Some(fit) => (false, fit.order(), unmeasured, i),
                None => (true, unmeasured, unmeasured, i),
            },
        )
        .collect();
    keyed.sort_unstable();
    let tied = keyed
        .iter()
        .take_while(|k| !k.0 && k.1 == keyed[0].1)
        .count();
    if tied > 1 {
        for k in &mut keyed[..tied] {
            match shapes.fit(value, candidates[k.3].shape()) {
                Some(fit) => k.2 = fit.order(),
                None => k.0 = true,
            }
        }
        keyed.sort_unstable();
    }
    for (slot, (.., i)) in order.iter_mut().zip(keyed) {
        *slot = i;
    }
    order
}

/// `value` is an object with keys, none of which any candidate declares
/// at its top level, and no candidate keeps any key: an object the
/// generated types do not know (an ACL newer than the spec), for the
/// union's catch-all. `union` is the union's own node.
pub fn unknown_object<C: Ranked, S: AsRef<str>>(
    value: &Value,
    candidates: &[C],
    shapes: &Shapes<'_, S>,
    union: u32,
) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    if map.is_empty() {
        return false;
    }
    match shapes.index_of(union, candidates.len()) {
        Some((index, always)) => always == 0 && shapes.declaring(map, index) == 0,
        None => !candidates
            .iter()
            .filter(|c| c.kinds() & kinds::OBJECT != 0)
            .any(|c| shapes.declares_any(map, c.shape(), 0)),
    }
}

/// Decodes `value` as the best-ranked candidate that decodes (see [`rank`];
/// `union` is the union's own node). `other` is the union's catch-all, for an object none of whose keys a
/// candidate declares: kept as it came instead of dropped.
pub fn decode_untagged<T>(
    type_name: &'static str,
    value: &Value,
    candidates: &[Candidate<T>],
    shapes: &Shapes<'_>,
    union: u32,
    other: Option<fn(serde_json::Map<String, Value>) -> T>,
) -> Result<T, UnionError> {
    let (bit, found) = kind_of(value);
    match (other, value) {
        (Some(other), Value::Object(map)) if unknown_object(value, candidates, shapes, union) => {
            return Ok(other(map.clone()));
        }
        _ => {}
    }
    let mut attempts = Vec::new();
    for i in rank(value, candidates, shapes, union) {
        let c = &candidates[i];
        match (c.decode)(value) {
            Ok(v) => return Ok(v),
            Err(e) => attempts.push((c.name, e.to_string())),
        }
    }
    // Only a failure pays for saying why the others were not tried.
    if let Value::Object(map) = value {
        for c in candidates.iter().filter(|c| c.kinds & bit != 0) {
            if let Some(missing) = c.lacks(map) {
                attempts.push((c.name, format!("missing required key `{missing}`")));
            }
        }
    }
    if attempts.is_empty() {
        let expected: Vec<&str> = candidates.iter().map(|c| c.name).collect();
        attempts.push(("expected one of", expected.join(", ")));
    }
    Err(UnionError {
        type_name,
        found,
        attempts,
    })
}

/// Picks the candidate by the value of the discriminator property `tag`.
pub fn decode_tagged<T>(
    type_name: &'static str,
    tag: &'static str,
    value: &Value,
    candidates: &[Candidate<T>],
) -> Result<T, UnionError> {
    let (_, found) = kind_of(value);
    let fail = |why: String| UnionError {
        type_name,
        found,
        attempts: vec![(tag, why)],
    };
    let Some(tag_value) = value.get(tag) else {
        return Err(fail("discriminator is missing".into()));
    };
    let Some(tag_value) = tag_value.as_str() else {
        return Err(fail(format!("discriminator is not a string: {tag_value}")));
    };
    let Some(c) = candidates.iter().find(|c| c.tags.contains(&tag_value)) else {
        let known: Vec<&str> = candidates
            .iter()
            .flat_map(|c| c.tags.iter().copied())
            .collect();
        return Err(fail(format!(
            "unknown value `{tag_value}` (known: {})",
            known.join(", ")
        )));
    };
    (c.decode)(value).map_err(|e| UnionError {
        type_name,
        found,
        attempts: vec![(c.name, e.to_string())],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ById {
        id: i64,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ByExternalId {
        external_id: String,
    }

    #[derive(Debug, PartialEq)]
    enum Identity {
        Id(ById),
        ExternalId(ByExternalId),
    }

    #[derive(Debug, PartialEq)]
    enum Scalar {
        Integer(i64),
        Number(f64),
        String(String),
    }

    #[test]
    fn a_table_reads_back_what_encode_wrote() {
        let keys = [
            Key("id", true, 0),
            Key("a b:c", false, 7),
            Key("µs\n\"", true, 3),
        ];
        let texts = ["", "x y", "12:34"];
        let index = [("a b:c", 0b101), ("id", u64::MAX)];
        let nodes = [
            Shape::Leaf,
            Shape::Free,
            Shape::Values(Span(0, 3)),
            Shape::Object(Span(0, 2), Span(1, 1), true),
            Shape::Object(Span(2, 1), Span(0, 0), false),
            Shape::Array(3),
            Shape::Map(4),
            Shape::Union(Span(0, 2), Span(0, 2), u64::MAX),
        ];
        let shapes = Shapes {
            nodes: &nodes,
            keys: &keys,
            lists: &[3, 4, 12],
            texts: &texts,
            index: &index,
        };
        let text: &'static str = Box::leak(shapes.encode().join(" ").into_boxed_str());
        let table = Table::read(text);
        let back = table.view();
        assert_eq!(back.nodes, shapes.nodes);
        assert_eq!(back.keys, shapes.keys);
        assert_eq!(back.lists, shapes.lists);
        assert_eq!(back.texts, shapes.texts);
        assert_eq!(back.index, shapes.index);
    }

    #[test]
    fn a_broken_table_names_the_byte() {
        let broken = std::panic::catch_unwind(|| Table::read("2 L Q"));
        let message = broken.expect_err("not a table");
        let message = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(message.contains("byte 5: `Q` is not a node"), "{message}");
        let short = std::panic::catch_unwind(|| Table::read("0 1 9:abc"));
        assert!(short.is_err());
    }

    const NO_SHAPES: Shapes<'static> = Shapes {
        nodes: &[Shape::Leaf],
        keys: &[],
        lists: &[],
        texts: &[],
        index: &[],
    };

    fn identity() -> [Candidate<Identity>; 2] {
        [
            Candidate {
                name: "Id",
                kinds: kinds::OBJECT,
                required: &["id"],
                tags: &["id"],
                shape: 0,
                decode: |v| ById::deserialize(v).map(Identity::Id),
            },
            Candidate {
                name: "ExternalId",
                kinds: kinds::OBJECT,
                required: &["externalId"],
                tags: &["xid"],
                shape: 0,
                decode: |v| ByExternalId::deserialize(v).map(Identity::ExternalId),
            },
        ]
    }

    fn scalar() -> [Candidate<Scalar>; 3] {
        [
            Candidate {
                name: "Integer",
                kinds: kinds::INTEGER,
                required: &[],
                tags: &[],
                shape: 0,
                decode: |v| i64::deserialize(v).map(Scalar::Integer),
            },
            Candidate {
                name: "Number",
                kinds: kinds::NUMBER,
                required: &[],
                tags: &[],
                shape: 0,
                decode: |v| f64::deserialize(v).map(Scalar::Number),
            },
            Candidate {
                name: "String",
                kinds: kinds::STRING,
                required: &[],
                tags: &[],
                shape: 0,
                decode: |v| String::deserialize(v).map(Scalar::String),
            },
        ]
    }

    /// Capabilities as CDF writes them: every branch declares its ACL key
    /// and a shared `projectScope`, and none requires anything.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct GroupsCap {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        groups_acl: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_scope: Option<Value>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AssetsCap {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assets_acl: Option<Acl>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_scope: Option<Value>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Acl {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actions: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<Value>,
    }

    #[derive(Debug, PartialEq, Serialize)]
    #[serde(untagged)]
    enum Capability {
        Groups(GroupsCap),
        Assets(AssetsCap),
    }

    /// Node 1: GroupsCap, 2: AssetsCap, 3: Acl, 4: the `actions` enum.
    const CAPS: Shapes<'static> = Shapes {
        nodes: &[
            Shape::Leaf,
            Shape::Object(Span(0, 2), Span(0, 0), false),
            Shape::Object(Span(2, 2), Span(0, 0), false),
            Shape::Object(Span(4, 2), Span(0, 0), false),
            Shape::Array(5),
            Shape::Values(Span(0, 2)),
        ],
        keys: &[
            Key("groupsAcl", false, 0),
            Key("projectScope", false, 0),
            Key("assetsAcl", false, 3),
            Key("projectScope", false, 0),
            Key("actions", false, 4),
            Key("scope", false, 0),
        ],
        lists: &[],
        texts: &["READ", "WRITE"],
        index: &[],
    };

    fn capability() -> [Candidate<Capability>; 2] {
        [
            Candidate {
                name: "Groups",
                kinds: kinds::OBJECT,
                required: &[],
                tags: &[],
                shape: 1,
                decode: |v| GroupsCap::deserialize(v).map(Capability::Groups),
            },
            Candidate {
                name: "Assets",
                kinds: kinds::OBJECT,
                required: &[],
                tags: &[],
                shape: 2,
                decode: |v| AssetsCap::deserialize(v).map(Capability::Assets),
            },
        ]
    }

    fn decode_capability(value: &Value) -> Capability {
        decode_untagged("Capability", value, &capability(), &CAPS, 0, None).expect("decodes")
    }

    #[test]
    fn the_variant_that_keeps_the_keys_wins() {
        let value = json!({"assetsAcl": {"actions": ["READ"], "scope": {"all": {}}}});
        let got = decode_capability(&value);
        assert!(matches!(got, Capability::Assets(_)), "{got:?}");
        assert_eq!(serde_json::to_value(&got).unwrap(), value);
        let groups = json!({"groupsAcl": {"actions": ["LIST"]}});
        assert!(matches!(decode_capability(&groups), Capability::Groups(_)));
    }

    #[test]
    fn an_object_no_variant_knows_is_kept_whole() {
        #[derive(Debug, PartialEq)]
        enum Open {
            Known(Capability),
            Other(serde_json::Map<String, Value>),
        }
        let candidates: Vec<Candidate<Open>> = capability()
            .into_iter()
            .map(|c| Candidate {
                name: c.name,
                kinds: c.kinds,
                required: c.required,
                tags: c.tags,
                shape: c.shape,
                decode: if c.name == "Groups" {
                    |v| GroupsCap::deserialize(v).map(|g| Open::Known(Capability::Groups(g)))
                } else {
                    |v| AssetsCap::deserialize(v).map(|a| Open::Known(Capability::Assets(a)))
                },
            })
            .collect();
        let decode =
            |v: &Value| decode_untagged("Capability", v, &candidates, &CAPS, 0, Some(Open::Other));
        let unknown = json!({"newAcl": {"actions": ["READ"]}});
        assert_eq!(
            decode(&unknown),
            Ok(Open::Other(unknown.as_object().unwrap().clone()))
        );
        assert!(matches!(
            decode(&json!({})),
            Ok(Open::Known(Capability::Groups(_)))
        ));
        let known = json!({"assetsAcl": {}, "newAcl": {}});
        assert!(
            matches!(decode(&known), Ok(Open::Known(Capability::Assets(_)))),
            "a declared key keeps the typed variant"
        );
    }

    #[test]
    fn the_key_index_ranks_as_measuring_every_candidate_does() {
        // CAPS with node 6: the Capability union, indexed.
        let mut nodes = CAPS.nodes.to_vec();
        nodes.push(Shape::Union(Span(0, 2), Span(0, 3), 0));
        let indexed = Shapes {
            nodes: &nodes,
            lists: &[1, 2],
            index: &[
                ("assetsAcl", 0b10),
                ("groupsAcl", 0b01),
                ("projectScope", 0b11),
            ],
            ..CAPS
        };
        let values = [
            json!({"assetsAcl": {"actions": ["READ"]}}),
            json!({"groupsAcl": {}}),
            json!({"projectScope": {}}),
            json!({"projectScope": {}, "assetsAcl": {}}),
            json!({"newAcl": {}}),
            json!({}),
        ];
        for value in &values {
            assert_eq!(
                rank(value, &capability(), &indexed, 6),
                rank(value, &capability(), &CAPS, 0),
                "{value}"
            );
            assert_eq!(
                unknown_object(value, &capability(), &indexed, 6),
                unknown_object(value, &capability(), &CAPS, 0),
                "{value}"
            );
            assert_eq!(
                indexed.fit(value, 6),
                [1, 2]
                    .iter()
                    .filter_map(|&n| CAPS.fit(value, n))
                    .min_by_key(|f| f.order()),
                "{value}"
            );
        }
        assert!(unknown_object(
            &json!({"newAcl": {}}),
            &capability(),
            &indexed,
            6
        ));
    }

    #[test]
    fn ties_go_to_candidate_order() {
        let shared = json!({"projectScope": {"allProjects": {}}});
        assert!(matches!(decode_capability(&shared), Capability::Groups(_)));
        assert!(matches!(
            decode_capability(&json!({})),
            Capability::Groups(_)
        ));
    }

    #[test]
    fn keys_no_variant_declares_do_not_flip_the_choice() {
        let value = json!({"assetsAcl": {"actions": ["READ"]}, "newField": 1, "more": {"x": 1}});
        assert!(matches!(decode_capability(&value), Capability::Assets(_)));
        let value = json!({"newField": 1, "projectScope": {}});
        assert!(matches!(decode_capability(&value), Capability::Groups(_)));
    }

    #[test]
    fn depth_and_enum_values_count() {
        // Both declare the key; the nested keys and the enum value decide.
        let fit = |value: Value, node| CAPS.fit(&value, node);
        assert_eq!(
            fit(json!({"assetsAcl": {"actions": ["READ", "X"]}, "y": 1}), 2),
            Some(Fit {
                kept: 3,
                dropped: 1
            })
        );
        assert_eq!(fit(json!({"assetsAcl": 5}), 2), None, "not an object");
        assert_eq!(fit(json!({"assetsAcl": null}), 2).map(|f| f.kept), Some(1));
        assert_eq!(fit(json!("text"), 1), None);
        assert_eq!(fit(json!("text"), 0), Some(Fit::default()));
        assert_eq!(
            fit(json!({"x": 1}), 99),
            Some(Fit::default()),
            "unknown node"
        );
    }

    #[test]
    fn required_keys_and_maps_rule_out() {
        let shapes = Shapes {
            nodes: &[
                Shape::Leaf,
                Shape::Object(Span(0, 1), Span(0, 0), false),
                Shape::Map(1),
                Shape::Union(Span(0, 2), Span(0, 0), 0),
            ],
            keys: &[Key("id", true, 0)],
            lists: &[1, 2],
            texts: &[],
            index: &[],
        };
        let kept = |value: Value, node| shapes.fit(&value, node).map(|f| f.kept);
        assert_eq!(kept(json!({"name": 1}), 1), None);
        assert_eq!(kept(json!({"a": {"id": 1}, "b": {"id": 2}}), 2), Some(2));
        assert_eq!(kept(json!({"a": {"x": 1}}), 2), None);
        assert_eq!(kept(json!({"id": 1}), 3), Some(1), "the best branch");
        assert_eq!(kept(json!([1]), 3), None);
    }

    #[test]
    fn recursion_is_bounded() {
        // A node that contains itself: `{"and": [{"and": [...]}]}`.
        let shapes = Shapes {
            nodes: &[
                Shape::Leaf,
                Shape::Object(Span(0, 1), Span(0, 0), false),
                Shape::Array(1),
            ],
            keys: &[Key("and", false, 2)],
            lists: &[],
            texts: &[],
            index: &[],
        };
        let mut value = json!({});
        for _ in 0..200 {
            value = json!({ "and": [value] });
        }
        let score = shapes.fit(&value, 1).expect("fits").kept;
        assert!(score > 0 && score <= FIT_DEPTH, "{score}");
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Metadata {
        Closed(GroupsCap),
        Free(serde_json::Map<String, Value>),
    }

    #[test]
    fn on_a_tie_the_variant_that_drops_nothing_wins() {
        let candidates = [
            Candidate {
                name: "Closed",
                kinds: kinds::OBJECT,
                required: &[],
                tags: &[],
                shape: 1,
                decode: |v| GroupsCap::deserialize(v).map(Metadata::Closed),
            },
            Candidate {
                name: "Free",
                kinds: kinds::OBJECT,
                required: &[],
                tags: &[],
                shape: 0,
                decode: |v| serde_json::Map::deserialize(v).map(Metadata::Free),
            },
        ];
        let decode =
            |v: Value| decode_untagged("Metadata", &v, &candidates, &CAPS, 0, None).unwrap();
        assert!(matches!(decode(json!({"key": 1})), Metadata::Free(_)));
        assert!(
            matches!(decode(json!({})), Metadata::Closed(_)),
            "spec order"
        );
        let declared = json!({"groupsAcl": {}, "key": 1});
        assert!(
            matches!(decode(declared), Metadata::Closed(_)),
            "a declared key outweighs keeping an unknown one"
        );
    }

    #[test]
    fn required_keys_pick_the_variant() {
        let got = decode_untagged(
            "Identity",
            &json!({"externalId": "a"}),
            &identity(),
            &NO_SHAPES,
            0,
            None,
        );
        assert_eq!(
            got,
            Ok(Identity::ExternalId(ByExternalId {
                external_id: "a".into()
            }))
        );
    }

    #[test]
    fn integers_stay_integers_beyond_2_pow_53() {
        let big = 9_007_199_254_740_993_i64;
        let got = decode_untagged("Scalar", &json!(big), &scalar(), &NO_SHAPES, 0, None);
        assert_eq!(got, Ok(Scalar::Integer(big)));
        let got = decode_untagged("Scalar", &json!(1.5), &scalar(), &NO_SHAPES, 0, None);
        assert_eq!(got, Ok(Scalar::Number(1.5)));
    }

    #[test]
    fn failure_names_each_variant_and_field() {
        let err = decode_untagged(
            "Identity",
            &json!({"id": "x"}),
            &identity(),
            &NO_SHAPES,
            0,
            None,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("no variant of `Identity` matches this object"),
            "{text}"
        );
        assert!(
            text.contains("Id: invalid type: string \"x\", expected i64"),
            "{text}"
        );
        assert!(
            text.contains("ExternalId: missing required key `externalId`"),
            "{text}"
        );
    }

    #[test]
    fn wrong_kind_lists_the_variants() {
        let err =
            decode_untagged("Scalar", &json!([1]), &scalar(), &NO_SHAPES, 0, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no variant of `Scalar` matches this array: expected one of: Integer, Number, String"
        );
    }

    #[test]
    fn tagged_dispatches_on_the_tag() {
        let got = decode_tagged(
            "Identity",
            "kind",
            &json!({"kind": "xid", "externalId": "e"}),
            &identity(),
        );
        assert_eq!(
            got,
            Ok(Identity::ExternalId(ByExternalId {
                external_id: "e".into()
            }))
        );
        let err =
            decode_tagged("Identity", "kind", &json!({"kind": "nope"}), &identity()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no variant of `Identity` matches this object: kind: unknown value `nope` (known: id, xid)"
        );
        let err = decode_tagged("Identity", "kind", &json!({"id": 1}), &identity()).unwrap_err();
        assert!(err.to_string().contains("discriminator is missing"));
    }
}
