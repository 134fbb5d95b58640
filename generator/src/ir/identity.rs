//! Lock keys: what a schema *is*, written as a path.
//!
//! A type's JSON pointer holds positions (`…/Capability/oneOf/12`,
//! `…/parameters/3`), so a spec that inserts a `oneOf` branch or a
//! parameter would move every later name in `spec/codegen.lock` onto a
//! different schema: code that compiles and means the wrong thing. The key
//! is the pointer with each such position replaced by what sets that
//! element apart from its siblings, in this order:
//!
//! 1. `ref:Name`, the component it refers to;
//! 2. `title:…`, its title;
//! 3. `const:value`, the one value it allows;
//! 4. `tag:prop=value`, the properties it fixes with `const` or a one-value
//!    `enum` (a discriminator's value is written that way);
//! 5. `has:prop`, the first of its required properties (else of all its
//!    properties) that no sibling declares;
//! 6. `req:a+b`, the set of its required properties;
//! 7. `kind:…`, its JSON type, else how it is written (`oneOf`, ...);
//! 8. `#N`, its position: the last resort, reported as a finding.
//!
//! Each is tried on the siblings the ones before could not tell apart, and
//! used only when no other of them has the same descriptor. Parameters are
//! keyed `in:name`. Everything else in a pointer (component names,
//! property names, status codes, media types) already says what it is.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::Value;

use crate::error::join;

const COMBINATORS: [&str; 3] = ["oneOf", "anyOf", "allOf"];

/// How deep `$ref`s and `allOf`s are followed when describing a branch; a
/// cycle or an absurd chain stops there instead of looping.
const MAX_DEPTH: usize = 16;

/// The lock key of one schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The key, as the lock writes it.
    pub key: String,
    /// Some position had to stand for a branch or a parameter.
    pub positional: bool,
    /// Keys the same schema had before the spec told one of its branches
    /// apart another way (gave it a title, say) or wrapped it into an
    /// `allOf`: a lock written then knows it by one of these.
    pub alternatives: Vec<String>,
}

/// Computes keys against one normalised document.
pub struct Identity<'a> {
    root: &'a Value,
    /// Keys by pointer: the builder asks for most of them twice.
    keys: RefCell<HashMap<String, Key>>,
    /// The descriptors of each `oneOf`/`anyOf`/`allOf` list, by its address
    /// in `root`: every schema below a union asks for its list's.
    lists: RefCell<HashMap<usize, Rc<Described>>>,
}

/// What tells each branch of one list apart.
struct Described {
    /// The branch's descriptor, and whether it is its position.
    tokens: Vec<(String, bool)>,
    /// Every other descriptor that tells the branch apart.
    alternatives: Vec<Vec<String>>,
}

impl<'a> Identity<'a> {
    /// Keys for the schemas of the document `root` (normalised).
    pub fn new(root: &'a Value) -> Self {
        Identity {
            root,
            keys: RefCell::default(),
            lists: RefCell::default(),
        }
    }

    /// The key of the schema at `pointer`. Tokens the document does not
    /// have are kept as written.
    pub fn key(&self, pointer: &str) -> Key {
        if let Some(key) = self.keys.borrow().get(pointer) {
            return key.clone();
        }
        let key = self.compute(pointer);
        self.keys
            .borrow_mut()
            .insert(pointer.to_string(), key.clone());
        key
    }

    fn compute(&self, pointer: &str) -> Key {
        let tokens = tokens(pointer);
        let mut node = Some(self.root);
        let mut out: Vec<String> = Vec::new();
        // Level → the other descriptors its branch has.
        let mut others: Vec<(usize, Vec<String>)> = Vec::new();
        // Levels that step into an `allOf` part (`allOf` and its part).
        let mut parts: Vec<usize> = Vec::new();
        let mut positional = false;
        for (k, Token { text: token, glued }) in tokens.iter().enumerate() {
            let parent = node.and_then(|n| self.child_holder(n, token));
            let child = parent.and_then(|n| child(n, token));
            let prev = k.checked_sub(1).map(|p| tokens[p].text.as_str());
            let described = match (parent, token.parse::<usize>()) {
                (Some(Value::Array(items)), Ok(i)) if i < items.len() => match prev {
                    Some(c) if COMBINATORS.contains(&c) => {
                        let list = self.described(items);
                        let (text, by_position) = list.tokens[i].clone();
                        let alternatives = list.alternatives[i]
                            .iter()
                            .filter(|a| **a != text)
                            .cloned()
                            .collect();
                        Some((text, by_position, alternatives))
                    }
                    Some("parameters") => {
                        let (text, by_position) = self.parameter_token(items, i);
                        Some((text, by_position, Vec::new()))
                    }
                    _ => None,
                },
                _ => None,
            };
            let stepped = described.is_some();
            let (text, mut alternatives) = match described {
                Some((text, by_position, alternatives)) => {
                    positional |= by_position;
                    (text, alternatives)
                }
                None => (token.clone(), Vec::new()),
            };
            match out.last_mut() {
                Some(last) if *glued => {
                    for a in &mut alternatives {
                        *a = format!("{last}/{a}");
                    }
                    *last = format!("{last}/{text}");
                }
                _ => out.push(text),
            }
            if !alternatives.is_empty() {
                others.push((out.len() - 1, alternatives));
            }
            if prev == Some("allOf") && stepped {
                parts.push(out.len() - 1);
                if !glued {
                    parts.push(out.len() - 2);
                }
            }
            node = child;
        }
        let render = |tokens: &[String]| tokens.iter().fold(String::new(), |at, t| join(&at, t));
        let mut alternatives = Vec::new();
        for (level, texts) in others {
            let mut tokens = out.clone();
            for text in texts {
                tokens[level] = text;
                alternatives.push(render(&tokens));
            }
        }
        // The schema as it was before the spec wrapped it into an `allOf`
        // (a union given a sibling part, say).
        if !parts.is_empty() {
            let kept: Vec<String> = (0..out.len())
                .filter(|l| !parts.contains(l))
                .map(|l| out[l].clone())
                .collect();
            alternatives.push(render(&kept));
        }
        Key {
            key: render(&out),
            positional,
            alternatives,
        }
    }

    /// `node` itself if it has `token`, else what its `$ref` points to (a
    /// pointer may run on past a reference, into its target).
    fn child_holder(&self, node: &'a Value, token: &str) -> Option<&'a Value> {
        let mut at = node;
        for _ in 0..MAX_DEPTH {
            if child(at, token).is_some() {
                return Some(at);
            }
            at = self.deref(at.get("$ref")?)?;
        }
        None
    }

    fn deref(&self, reference: &Value) -> Option<&'a Value> {
        let reference = reference.as_str()?;
        self.root.pointer(reference.strip_prefix('#')?)
    }

    /// `node` with its chain of `$ref`s followed.
    fn resolved(&self, node: &'a Value) -> &'a Value {
        let mut at = node;
        for _ in 0..MAX_DEPTH {
            match at.get("$ref").and_then(|r| self.deref(r)) {
                Some(next) => at = next,
                None => break,
            }
        }
        at
    }

    fn parameter_token(&self, items: &[Value], i: usize) -> (String, bool) {
        let id = |p: &Value| {
            let p = self.resolved(p);
            Some(format!(
                "{}:{}",
                p.get("in")?.as_str()?,
                p.get("name")?.as_str()?
            ))
        };
        let mine = id(&items[i]);
        match mine {
            Some(m) if items.iter().filter(|p| id(p).as_ref() == Some(&m)).count() == 1 => {
                (m, false)
            }
            _ => (format!("#{i}"), true),
        }
    }

    fn described(&self, items: &'a [Value]) -> Rc<Described> {
        let at = items.as_ptr() as usize;
        if let Some(d) = self.lists.borrow().get(&at) {
            return d.clone();
        }
        let branches: Vec<Branch> = items.iter().map(|b| self.branch(b)).collect();
        let d = Rc::new(Described {
            tokens: branch_tokens(&branches),
            alternatives: branch_alternatives(&branches),
        });
        self.lists.borrow_mut().insert(at, d.clone());
        d
    }

    fn branch(&self, node: &'a Value) -> Branch {
        let reference = node.get("$ref").and_then(Value::as_str).map(|r| {
            r.strip_prefix("#/components/schemas/")
                .unwrap_or(r)
                .to_string()
        });
        let at = self.resolved(node);
        let mut b = Branch {
            reference,
            value: fixed_value(at),
            kind: kind(at),
            ..Branch::default()
        };
        self.gather(at, &mut b, 0);
        b
    }

    /// Properties, required names and fixed values, through `allOf` parts.
    fn gather(&self, node: &'a Value, b: &mut Branch, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.resolved(node);
        if b.title.is_none() {
            b.title = node
                .get("title")
                .and_then(Value::as_str)
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|t| !t.is_empty());
        }
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, schema) in props {
                b.properties.insert(name.clone());
                if let Some(value) = fixed_value(self.resolved(schema)) {
                    b.fixed.insert(name.clone(), value);
                }
            }
        }
        if let Some(required) = node.get("required").and_then(Value::as_array) {
            b.required
                .extend(required.iter().filter_map(Value::as_str).map(String::from));
        }
        if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.gather(part, b, depth + 1);
            }
        }
    }
}

/// What sets each branch of a `oneOf`/`anyOf`/`allOf` apart. Each strategy
/// is tried on the branches no earlier one has told apart, so a `$ref`
/// sibling added later does not change an inline branch's key.
fn branch_tokens(branches: &[Branch]) -> Vec<(String, bool)> {
    let mut out: Vec<Option<String>> = vec![None; branches.len()];
    for (prefix, get) in STRATEGIES {
        settle(&mut out, branches, prefix, get);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, d)| match d {
            Some(d) => (d, false),
            None => (format!("#{i}"), true),
        })
        .collect()
}

/// For each branch, every descriptor that tells it apart from all its
/// siblings. Each strategy describes each branch once: asking again per
/// pair made this cubic in the branches (a 6.6 MB spec of wide unions spent
/// a third of its time here).
fn branch_alternatives(branches: &[Branch]) -> Vec<Vec<String>> {
    let but = |k: usize| -> Vec<&Branch> {
        branches
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, b)| b)
            .collect()
    };
    let mut out = vec![Vec::new(); branches.len()];
    for (prefix, get) in STRATEGIES {
        let found: Vec<Option<String>> = (0..branches.len())
            .map(|i| get(&but(i), &branches[i]))
            .collect();
        let mut times: HashMap<&str, usize> = HashMap::new();
        for d in found.iter().flatten() {
            *times.entry(d.as_str()).or_default() += 1;
        }
        for (i, d) in found.iter().enumerate() {
            if let Some(d) = d.as_ref().filter(|d| times[d.as_str()] == 1) {
                out[i].push(format!("{prefix}:{d}"));
            }
        }
    }
    out
}

/// A way to tell a branch apart, given the siblings it must differ from.
type Describe = fn(&[&Branch], &Branch) -> Option<String>;

/// The ways, in the order they are tried (see the module's doc).
const STRATEGIES: [(&str, Describe); 7] = [
    ("ref", |_, b| b.reference.clone()),
    ("title", |_, b| b.title.clone()),
    ("const", |_, b| b.value.clone()),
    ("tag", |_, b| b.tag()),
    ("has", own_property),
    ("req", |_, b| b.required_set()),
    ("kind", |_, b| b.kind.clone()),
];

/// What one branch offers to tell it from its siblings.
#[derive(Default)]
struct Branch {
    reference: Option<String>,
    /// Its own title, else the first one among its `allOf` parts.
    title: Option<String>,
    /// The one value its `const` or `enum` allows, as text.
    value: Option<String>,
    /// Its `type`, else the combinator or shape it is written as.
    kind: Option<String>,
    properties: BTreeSet<String>,
    required: BTreeSet<String>,
    /// Property → the one value `const` or `enum` allows, as text.
    fixed: BTreeMap<String, String>,
}

impl Branch {
    fn tag(&self) -> Option<String> {
        let parts: Vec<String> = self.fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
        (!parts.is_empty()).then(|| parts.join(","))
    }

    fn required_set(&self) -> Option<String> {
        let names: Vec<&str> = self.required.iter().map(String::as_str).collect();
        (!names.is_empty()).then(|| names.join("+"))
    }
}

/// Gives each branch not yet told apart the descriptor `get` finds for it,
/// when no other such branch has the same one. `get` also sees the
/// branches still open.
fn settle(out: &mut [Option<String>], branches: &[Branch], prefix: &str, get: Describe) {
    let open: Vec<usize> = (0..branches.len()).filter(|i| out[*i].is_none()).collect();
    let others = |i: usize| -> Vec<&Branch> {
        open.iter()
            .filter(|j| **j != i)
            .map(|j| &branches[*j])
            .collect()
    };
    let found: Vec<Option<String>> = open
        .iter()
        .map(|&i| get(&others(i), &branches[i]))
        .collect();
    for (k, &i) in open.iter().enumerate() {
        let Some(d) = &found[k] else { continue };
        if found.iter().filter(|f| f.as_ref() == Some(d)).count() == 1 {
            out[i] = Some(format!("{prefix}:{d}"));
        }
    }
}

/// The first of the branch's required properties that none of `others`
/// declares, else the first of all its properties that none declares.
fn own_property(others: &[&Branch], mine: &Branch) -> Option<String> {
    let theirs: BTreeSet<&String> = others.iter().flat_map(|b| &b.properties).collect();
    let own = |set: &BTreeSet<String>| set.iter().find(|p| !theirs.contains(p)).cloned();
    own(&mine.required).or_else(|| own(&mine.properties))
}

fn kind(schema: &Value) -> Option<String> {
    match schema.get("type") {
        Some(Value::String(t)) => return Some(t.clone()),
        Some(Value::Array(ts)) => {
            let ts: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            return Some(ts.join("+"));
        }
        _ => {}
    }
    ["oneOf", "anyOf", "allOf", "properties", "enum", "items"]
        .into_iter()
        .find(|k| schema.get(k).is_some())
        .map(String::from)
}

fn fixed_value(schema: &Value) -> Option<String> {
    let value = match (schema.get("const"), schema.get("enum")) {
        (Some(v), _) => v,
        (None, Some(Value::Array(values))) if values.len() == 1 => &values[0],
        _ => return None,
    };
    Some(match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn child<'v>(node: &'v Value, token: &str) -> Option<&'v Value> {
    match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => items.get(token.parse::<usize>().ok()?),
        _ => None,
    }
}

/// Words for a variant name from the descriptor that ends `key`, when it
/// says something a reader recognises (a value, a property, a title), so
/// that an untitled branch is named for what it is, not for its place.
/// `true` when the words are the one value the branch allows.
pub fn variant_words(key: &str) -> Option<(String, bool)> {
    let last = key
        .rsplit('/')
        .next()?
        .replace("~1", "/")
        .replace("~0", "~");
    let (how, what) = last.split_once(':')?;
    let words = match how {
        "title" | "const" | "has" => Some(what.to_string()),
        "tag" => Some(
            what.split(',')
                .filter_map(|kv| kv.split_once('=').map(|(_, v)| v))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "req" => Some(what.replace('+', " ")),
        _ => None,
    };
    Some((words?, how == "const"))
}

/// One step of a pointer.
struct Token {
    text: String,
    /// Written as one token with the step before it.
    glued: bool,
}

/// The unescaped tokens of a pointer. The builder writes the one part it
/// looks through of an `allOf`, `oneOf` or `anyOf` as one token
/// (`allOf~10`), and a type may stand there as well as at `allOf/0`: the
/// two steps are walked apart and written back as one, so both keep
/// their own key.
fn tokens(pointer: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let text = |t: &str, glued| Token {
            text: t.to_string(),
            glued,
        };
        match token.split_once('/') {
            Some((c, i)) if COMBINATORS.contains(&c) && is_index(i) => {
                out.push(text(c, false));
                out.push(text(i, true));
            }
            _ => out.push(text(&token, false)),
        }
    }
    out
}

fn is_index(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a lock entry is in the positional format that locks written
/// before keys had (an index after a combinator or `parameters`). Such an
/// entry means something only for the spec it was written from.
pub fn is_positional_pointer(key: &str) -> bool {
    let tokens = tokens(key);
    tokens.windows(2).any(|w| {
        let after = w[0].text.as_str();
        (COMBINATORS.contains(&after) || after == "parameters") && is_index(&w[1].text)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc() -> Value {
        json!({
            "paths": {"/a/{id}": {"get": {"parameters": [
                {"$ref": "#/components/parameters/Limit"},
                {"in": "path", "name": "id", "schema": {"type": "string"}}
            ]}}},
            "components": {
                "parameters": {"Limit": {"in": "query", "name": "limit", "schema": {"type": "integer"}}},
                "schemas": {
                "Named": {"type": "object", "properties": {"a": {"type": "string"}}},
                "U": {"oneOf": [
                    {"$ref": "#/components/schemas/Named"},
                    {"title": "Titled  one", "type": "object"},
                    {"type": "object", "properties": {"kind": {"enum": ["x"]}}},
                    {"type": "object", "properties": {"kind": {"enum": ["y"]}, "b": {}}},
                    {"type": "object", "required": ["c"], "properties": {"c": {}, "a": {}}},
                    {"type": "string"},
                    {"type": "object", "properties": {"a": {}}},
                    {"type": "object", "properties": {"a": {}}}
                ]},
                "W": {"allOf": [{"type": "object", "properties": {"p": {}}}]},
                "M": {"oneOf": [
                    {"required": ["s", "t"], "properties": {"s": {}, "t": {}}},
                    {"required": ["s", "u"], "properties": {"s": {}, "u": {}}},
                    {"required": ["v", "t"], "properties": {"v": {}, "t": {}}},
                    {"required": ["v", "u"], "properties": {"v": {}, "u": {}}}
                ]},
                "O": {"anyOf": [
                    {"type": "string", "const": "asc"},
                    {"type": "string", "enum": ["desc"]},
                    {"allOf": [{"$ref": "#/components/schemas/Named"}, {"title": "Inner"}]},
                    {"oneOf": [{"type": "integer"}, {"type": "string"}]}
                ]}
            }}
        })
    }

    #[test]
    fn each_branch_is_named_by_what_sets_it_apart() {
        let doc = doc();
        let id = Identity::new(&doc);
        let key = |i: usize| id.key(&format!("/components/schemas/U/oneOf/{i}"));
        let keys: Vec<String> = (0..8).map(|i| key(i).key).collect();
        let u = "/components/schemas/U/oneOf/";
        assert_eq!(
            keys,
            [
                "ref:Named",
                "title:Titled one",
                "tag:kind=x",
                "tag:kind=y",
                "has:c",
                "kind:string",
                "#6",
                "#7"
            ]
            .map(|d| format!("{u}{d}"))
        );
        assert!(!key(4).positional);
        assert!(key(6).positional);
    }

    #[test]
    fn weaker_descriptors_tell_apart_what_stronger_ones_cannot() {
        let doc = doc();
        let id = Identity::new(&doc);
        let keys = |name: &str, of: &str, n: usize| -> Vec<String> {
            (0..n)
                .map(|i| id.key(&format!("/components/schemas/{name}/{of}/{i}")).key)
                .map(|k| k.rsplit('/').next().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(
            keys("M", "oneOf", 4),
            ["req:s+t", "req:s+u", "req:t+v", "req:u+v"]
        );
        assert_eq!(
            keys("O", "anyOf", 4),
            ["const:asc", "const:desc", "title:Inner", "kind:oneOf"]
        );
    }

    #[test]
    fn variants_are_named_from_what_is_recognisable() {
        let words = |k: &str| variant_words(&format!("/U/oneOf/{k}")).map(|(w, _)| w);
        assert_eq!(words("tag:kind=range,op=gt").as_deref(), Some("range gt"));
        assert_eq!(
            words("req:sourceId+targetId").as_deref(),
            Some("sourceId targetId")
        );
        assert_eq!(words("title:A~1B").as_deref(), Some("A/B"));
        assert_eq!(words("kind:string"), None);
        assert_eq!(words("#3"), None);
    }

    #[test]
    fn parameters_go_by_location_and_name_through_refs() {
        let doc = doc();
        let id = Identity::new(&doc);
        let key = id.key("/paths/~1a~1{id}/get/parameters/0/schema");
        assert_eq!(
            key.key,
            "/paths/~1a~1{id}/get/parameters/query:limit/schema"
        );
        let key = id.key("/paths/~1a~1{id}/get/parameters/1/schema");
        assert_eq!(key.key, "/paths/~1a~1{id}/get/parameters/path:id/schema");
    }

    #[test]
    fn the_old_combined_token_and_unknown_tails_are_read() {
        let doc = doc();
        let id = Identity::new(&doc);
        let key = id.key("/components/schemas/W/allOf~10/properties/p/items");
        assert_eq!(
            key.key,
            "/components/schemas/W/allOf~1has:p/properties/p/items"
        );
        let apart = id.key("/components/schemas/W/allOf/0/properties/p/items");
        assert_eq!(
            apart.key,
            "/components/schemas/W/allOf/has:p/properties/p/items"
        );
        assert!(apart
            .alternatives
            .contains(&"/components/schemas/W/properties/p/items".to_string()));
        assert!(is_positional_pointer("/components/schemas/W/allOf~10"));
        assert!(is_positional_pointer("/paths/~1a/get/parameters/2/schema"));
        assert!(!is_positional_pointer(&key.key));
        assert!(!is_positional_pointer(
            "/paths/~1a/get/responses/200/content"
        ));
    }
}
