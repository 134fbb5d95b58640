//! Recursive types need a `Box` somewhere on every cycle that does not pass
//! through a `Vec` or a map. We box every direct edge that stays inside its
//! strongly connected component: simple, always enough, and deterministic.

use super::model::{Draft, Ir, TypeDef, TypeId, TypeKind};

/// Edges of "contains directly" (not through `Vec`/map) between types.
fn direct_edges(types: &[TypeDef]) -> Vec<Vec<usize>> {
    types
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            match &def.kind {
                TypeKind::Struct(s) => {
                    out.extend(s.fields.iter().filter_map(|f| f.ty.direct_named()))
                }
                TypeKind::Union(u) => {
                    out.extend(u.variants.iter().filter_map(|v| v.ty.direct_named()))
                }
                TypeKind::Alias(ty) => out.extend(ty.direct_named()),
                TypeKind::Enum(_) => {}
            }
            out.into_iter().map(|TypeId(i)| i).collect()
        })
        .collect()
}

/// Strongly connected components (iterative Tarjan): `comp[i]` for each type.
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut comps = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some((v, child)) = work.pop() {
            if child == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(child) {
                work.push((v, child + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = comps;
                    if w == v {
                        break;
                    }
                }
                comps += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    comp
}

/// Marks fields and variants that must be boxed, and reports aliases that
/// are recursive (they are emitted as newtypes instead of `type` aliases).
pub fn box_cycles(ir: &mut Draft) {
    let edges = direct_edges(&ir.types);
    let comp = components(&edges);
    let cyclic = |from: usize, to: TypeId| comp[from] == comp[to.0];
    for (i, def) in ir.types.iter_mut().enumerate() {
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    f.boxed = f.ty.direct_named().is_some_and(|t| cyclic(i, t));
                }
            }
            TypeKind::Union(u) => {
                for v in &mut u.variants {
                    v.boxed = v.ty.direct_named().is_some_and(|t| cyclic(i, t));
                }
            }
            _ => {}
        }
    }
}

/// Aliases that lie on a cycle of aliases (`type A = Vec<A>` is not legal
/// Rust): these are emitted as newtypes instead.
pub fn recursive_aliases(ir: &Ir) -> Vec<bool> {
    let is_alias = |id: &TypeId| matches!(ir.types[id.0].kind, TypeKind::Alias(_));
    let edges: Vec<Vec<usize>> = ir
        .types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Alias(ty) => {
                let mut out = Vec::new();
                ty.named(&mut out);
                out.into_iter()
                    .filter(is_alias)
                    .map(|TypeId(i)| i)
                    .collect()
            }
            _ => Vec::new(),
        })
        .collect();
    let comp = components(&edges);
    let mut size = vec![0usize; ir.types.len()];
    for &c in &comp {
        size[c] += 1;
    }
    (0..ir.types.len())
        .map(|i| size[comp[i]] > 1 || edges[i].contains(&i))
        .collect()
}
