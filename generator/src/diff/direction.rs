//! Which way values of each type travel (requests, responses, neither):
//! whether a change breaks a caller depends on it.

use super::*;

/// Which way values of a type travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Dir {
    pub(super) request: bool,
    pub(super) response: bool,
    /// No operation reaches it; judged both ways, and said so in details.
    pub(super) unused: bool,
}

impl Dir {
    pub(super) fn or(self, other: Dir) -> Dir {
        Dir {
            request: self.request || other.request,
            response: self.response || other.response,
            unused: self.unused && other.unused,
        }
    }

    /// A type no operation reaches may be used either way by a caller.
    pub(super) fn or_both(self) -> Dir {
        if self.request || self.response {
            self
        } else {
            Dir {
                request: true,
                response: true,
                unused: true,
            }
        }
    }
}

/// One spec with what the comparison needs beside its IR.
pub(super) struct Side<'a> {
    pub(super) ir: &'a Ir,
    pub(super) dirs: Vec<Dir>,
    /// Which structs have `new` and setters ([`crate::ir::access::buildable`]).
    pub(super) buildable: Vec<bool>,
    /// Tag → accessor method of the generated client.
    pub(super) accessors: BTreeMap<String, String>,
}

impl<'a> Side<'a> {
    pub(super) fn new(ir: &'a Ir) -> Self {
        let accessors = crate::emit::operations::tag_apis(ir)
            .into_iter()
            .map(|api| (api.tag.to_string(), api.module))
            .collect();
        Side {
            ir,
            dirs: directions(ir),
            buildable: crate::ir::access::buildable(ir),
            accessors,
        }
    }

    pub(super) fn def(&self, id: TypeId) -> Option<&'a TypeDef> {
        self.ir.types.get(id.0)
    }

    pub(super) fn dir(&self, id: TypeId) -> Dir {
        self.dirs.get(id.0).copied().unwrap_or_default()
    }

    /// Whether the crate has `new` and setters for the type.
    pub(super) fn built(&self, id: TypeId) -> bool {
        self.buildable.get(id.0).copied().unwrap_or(false)
    }

    pub(super) fn is_inline(&self, id: TypeId) -> bool {
        id.0 >= self.ir.component_count
    }

    /// `client.sequences().advanced_list_sequences()`.
    pub(super) fn call(&self, op: &Operation) -> String {
        let accessor = self.accessors.get(&op.tag).map_or("?", String::as_str);
        format!("client.{accessor}().{}()", op.name)
    }
}

/// Marks every type reachable from a request and/or a response.
fn directions(ir: &Ir) -> Vec<Dir> {
    let mut requests = Vec::new();
    let mut responses = Vec::new();
    for op in &ir.operations {
        for p in &op.params {
            p.ty.named(&mut requests);
        }
        if let Some(Body::Json { ty, .. }) = &op.body {
            ty.named(&mut requests);
        }
        if let Success::Json(ty) = &op.response {
            ty.named(&mut responses);
        }
    }
    let mut dirs = vec![Dir::default(); ir.types.len()];
    mark(ir, &mut dirs, requests, |d| &mut d.request);
    mark(ir, &mut dirs, responses, |d| &mut d.response);
    dirs
}

fn mark(ir: &Ir, dirs: &mut [Dir], mut stack: Vec<TypeId>, flag: fn(&mut Dir) -> &mut bool) {
    while let Some(id) = stack.pop() {
        let (Some(dir), Some(def)) = (dirs.get_mut(id.0), ir.types.get(id.0)) else {
            continue;
        };
        if std::mem::replace(flag(dir), true) {
            continue;
        }
        match &def.kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    f.ty.named(&mut stack);
                }
                if let Some(extra) = &s.extra {
                    extra.named(&mut stack);
                }
            }
            TypeKind::Union(u) => {
                for v in &u.variants {
                    v.ty.named(&mut stack);
                }
            }
            TypeKind::Alias(ty) => ty.named(&mut stack),
            TypeKind::Enum(_) => {}
        }
    }
}
