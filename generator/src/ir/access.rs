//! `readOnly` and `writeOnly`: OpenAPI says a required `readOnly` property
//! is required in responses only, and a required `writeOnly` one in
//! requests only. One Rust type serves both directions, so such a field
//! stays required only where its type is never sent the other way: a
//! response-only type keeps a plain `id: i64`, while a type that is also a
//! request body gets `id: Option<i64>` instead of forcing callers to make
//! an id up, and a response decodes without the `password` it never has.

use super::model::{Body, Draft, Ir, Operation, Success, TypeDef, TypeId, TypeKind};

pub fn relax(ir: &mut Draft) {
    let sent = sent_by(&ir.types, &ir.operations);
    let received = received_by(&ir.types, &ir.operations);
    for (i, def) in ir.types.iter_mut().enumerate() {
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        for f in s.fields.iter_mut().filter(|f| f.required) {
            let note = if f.read_only && sent[i] {
                "Read-only: required in answers only, so optional here; leave it `None` in requests."
            } else if f.write_only && received[i] {
                "Write-only: required in requests only, so optional here; answers leave it out."
            } else {
                continue;
            };
            f.required = false;
            f.doc = Some(match f.doc.take() {
                Some(doc) => format!("{doc}\n\n{note}"),
                None => note.to_string(),
            });
        }
    }
}

/// The types callers build, as a mask over `ir.types`: those requests
/// carry, and those no answer does (a caller may still make one up). Only
/// these get a constructor and setters; a type only read from answers has
/// none, so adding a required field to it breaks nobody.
pub fn buildable(ir: &Ir) -> Vec<bool> {
    let received = received_by(&ir.types, &ir.operations);
    sent(ir)
        .iter()
        .zip(&received)
        .map(|(s, r)| *s || !*r)
        .collect()
}

/// The types requests carry (JSON bodies and parameters, at any depth),
/// as a mask over `ir.types`.
pub fn sent(ir: &Ir) -> Vec<bool> {
    sent_by(&ir.types, &ir.operations)
}

fn sent_by(types: &[TypeDef], operations: &[Operation]) -> Vec<bool> {
    let mut roots = Vec::new();
    for op in operations {
        if let Some(Body::Json { ty, .. }) = &op.body {
            ty.named(&mut roots);
        }
        op.params.iter().for_each(|p| p.ty.named(&mut roots));
    }
    reachable(types, roots)
}

/// The types JSON answers carry, as a mask over `types`.
fn received_by(types: &[TypeDef], operations: &[Operation]) -> Vec<bool> {
    let mut roots = Vec::new();
    for op in operations {
        if let Success::Json(ty) = &op.response {
            ty.named(&mut roots);
        }
    }
    reachable(types, roots)
}

/// Every type reachable from `roots`, as a mask over `types`.
fn reachable(types: &[TypeDef], roots: Vec<TypeId>) -> Vec<bool> {
    let mut seen = vec![false; types.len()];
    let mut stack = roots;
    while let Some(TypeId(i)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        types[i].kind.named(&mut stack);
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Operation;
    use crate::ir::{Field, Struct, Ty, TypeDef};

    fn field(wire: &str, read_only: bool, write_only: bool) -> Field {
        Field {
            wire: wire.into(),
            name: wire.into(),
            ty: Ty::String,
            required: true,
            doc: None,
            boxed: false,
            flatten: false,
            rules: Default::default(),
            hints: Default::default(),
            read_only,
            write_only,
        }
    }

    fn account() -> TypeDef {
        TypeDef {
            name: "Account".into(),
            pointer: "/components/schemas/Account".into(),
            key: "/components/schemas/Account".into(),
            aliases: Vec::new(),
            doc: None,
            kind: TypeKind::Struct(Struct {
                fields: vec![
                    field("id", true, false),
                    field("password", false, true),
                    field("login", false, false),
                ],
                extra: None,
            }),
            example: None,
            example_problems: Vec::new(),
            features: Vec::new(),
            rules: Default::default(),
            hints: Default::default(),
        }
    }

    fn required(ir: &Draft) -> Vec<(String, bool)> {
        match &ir.types[0].kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| (f.wire.clone(), f.required))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn ir_with(body: bool, answer: bool) -> Draft {
        let mut op = Operation {
            name: "op".into(),
            name_source: crate::ir::NameSource::Derived,
            operation_id: None,
            tag: "t".into(),
            feature: String::new(),
            method: crate::ir::HttpMethod::Post,
            path: "/accounts".into(),
            pointer: "/paths/~1accounts/post".into(),
            server: None,
            params: Vec::new(),
            params_type: None,
            body: None,
            response: Success::Empty,
            summary: None,
            description: None,
            capabilities: Vec::new(),
            deprecated: false,
            idempotent: false,
            pagination: None,
            bulk: None,
        };
        if body {
            op.body = Some(Body::Json {
                ty: Ty::Named(TypeId(0)),
                required: true,
            });
        }
        op.response = if answer {
            Success::Json(Ty::Array(Box::new(Ty::Named(TypeId(0)))))
        } else {
            Success::Empty
        };
        Draft {
            types: vec![account()],
            operations: vec![op],
            ..Default::default()
        }
    }

    #[test]
    fn each_side_keeps_what_it_needs() {
        let wants = |ir: &mut Draft| {
            relax(ir);
            required(ir)
        };
        let t = |s: &str, b| (s.to_string(), b);
        assert_eq!(
            wants(&mut ir_with(true, true)),
            vec![t("id", false), t("password", false), t("login", true)]
        );
        assert_eq!(
            wants(&mut ir_with(false, true)),
            vec![t("id", true), t("password", false), t("login", true)]
        );
        assert_eq!(
            wants(&mut ir_with(true, false)),
            vec![t("id", false), t("password", true), t("login", true)]
        );
    }
}
