//! Cargo features per tag group (`x-tagGroups`): each operation belongs to
//! the group of its tag, and each type to every group whose operations reach
//! it, so `--no-default-features --features sequences-group` compiles only
//! what that group needs.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::model::{Body, Group, Operation, Success, Ty, TypeDef, TypeId, TypeKind};
use crate::naming;

/// Types that no operation reaches are gated by this feature (on by default).
pub const UNREACHED: &str = "all-schemas";
/// Operations whose tag is in no group.
pub const UNGROUPED: &str = "other";
/// The runtime's own feature (its test helpers), which no group may take.
pub const TEST_UTIL: &str = "test-util";

/// The spec's tag groups (`x-tagGroups`), each a Cargo feature: read
/// before the operations are built, so each is made with its feature.
pub struct TagGroups {
    groups: Vec<Group>,
    by_tag: BTreeMap<String, String>,
}

impl TagGroups {
    /// Reads `x-tagGroups`; a tag in two groups belongs to the first.
    pub fn read(extensions: &indexmap::IndexMap<String, Value>) -> Self {
        let groups = read_groups(extensions);
        let mut by_tag = BTreeMap::new();
        for g in &groups {
            for t in &g.tags {
                by_tag.entry(t.clone()).or_insert_with(|| g.feature.clone());
            }
        }
        TagGroups { groups, by_tag }
    }

    /// The feature that compiles an operation of `tag`.
    pub fn feature_of(&self, tag: &str) -> String {
        self.by_tag
            .get(tag)
            .cloned()
            .unwrap_or_else(|| UNGROUPED.to_string())
    }
}

/// Gives every type the sorted features whose operations reach it, and
/// returns the groups the crate has: those some operation uses, the
/// ungrouped one when a tag is in no group, and the one of unreached types.
pub fn assign(types: &mut [TypeDef], operations: &[Operation], tags: TagGroups) -> Vec<Group> {
    let mut groups = tags.groups;
    let used_other = operations.iter().any(|op| op.feature == UNGROUPED);
    if used_other && !groups.iter().any(|g| g.feature == UNGROUPED) {
        groups.push(Group {
            feature: UNGROUPED.into(),
            name: "Operations whose tag is in no tag group".into(),
            tags: Vec::new(),
        });
    }
    let used: BTreeSet<&str> = operations.iter().map(|o| o.feature.as_str()).collect();
    groups.retain(|g| used.contains(g.feature.as_str()));
    let mut needs: Vec<BTreeSet<String>> = vec![BTreeSet::new(); types.len()];
    for op in operations {
        let mut roots = Vec::new();
        for p in &op.params {
            p.ty.named(&mut roots);
        }
        if let Some(Body::Json { ty, .. }) = &op.body {
            ty.named(&mut roots);
        }
        if let Success::Json(ty) = &op.response {
            ty.named(&mut roots);
        }
        let mut stack: Vec<usize> = roots.into_iter().map(|id| id.0).collect();
        while let Some(i) = stack.pop() {
            if needs[i].insert(op.feature.clone()) {
                stack.extend(mentions(types, i));
            }
        }
    }
    // A name no operation reaches that stands for a type one does (a
    // component kept as an alias of the type it shares, a locked name)
    // compiles with that type, so code written against the name keeps
    // compiling under the features it used.
    for i in 0..types.len() {
        if needs[i].is_empty() {
            if let Some(target) = aliased(types, i) {
                needs[i] = needs[target].clone();
            }
        }
    }
    let all: BTreeSet<String> = groups.iter().map(|g| g.feature.clone()).collect();
    let mut any_unreached = false;
    for (def, need) in types.iter_mut().zip(needs) {
        def.features = if need.is_empty() {
            any_unreached = true;
            vec![UNREACHED.to_string()]
        } else if need == all {
            Vec::new()
        } else {
            need.into_iter().collect()
        };
    }
    if any_unreached {
        groups.push(Group {
            feature: UNREACHED.into(),
            name: "Schemas that no operation uses".into(),
            tags: Vec::new(),
        });
    }
    groups
}

/// The type an alias names, through chains of aliases; `None` for a type
/// that is not an alias.
fn aliased(types: &[TypeDef], mut i: usize) -> Option<usize> {
    let start = i;
    for _ in 0..types.len() {
        match &types[i].kind {
            TypeKind::Alias(Ty::Named(TypeId(t))) => i = *t,
            _ => return (i != start).then_some(i),
        }
    }
    None
}

fn read_groups(extensions: &indexmap::IndexMap<String, Value>) -> Vec<Group> {
    let mut features = naming::Scope::with_reserved(&["default", UNREACHED, UNGROUPED, TEST_UTIL]);
    extensions
        .get("x-tagGroups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| {
            let name = g.get("name")?.as_str()?.to_string();
            let tags = g
                .get("tags")?
                .as_array()?
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            let base = if name.trim().is_empty() {
                "unnamed-group".to_string()
            } else {
                feature_name(&name)
            };
            Some(Group {
                feature: features.claim(&base),
                name,
                tags,
            })
        })
        .collect()
}

/// `Asset-centric data model` → `asset-centric-data-model`; `3D` → `three-d`.
pub fn feature_name(name: &str) -> String {
    use heck::ToKebabCase;
    naming::spell_leading_digit(name).to_kebab_case()
}

/// Named types a type mentions directly (fields, variants, alias target).
pub(crate) fn mentions(types: &[TypeDef], i: usize) -> Vec<usize> {
    let mut out = Vec::new();
    match &types[i].kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                f.ty.named(&mut out);
            }
            if let Some(extra) = &s.extra {
                extra.named(&mut out);
            }
        }
        TypeKind::Union(u) => {
            for v in &u.variants {
                v.ty.named(&mut out);
            }
        }
        TypeKind::Alias(ty) => ty.named(&mut out),
        TypeKind::Enum(_) => {}
    }
    out.into_iter().map(|id| id.0).collect()
}
