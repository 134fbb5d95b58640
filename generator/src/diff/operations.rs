//! Pairing old and new operations, and comparing each pair: parameters,
//! bodies, answers, pagination and the methods the crate generates.

use super::*;

/// Old and new operations paired up; the rest removed or added (indices).
pub(super) struct Matching {
    pub(super) pairs: Vec<(usize, usize)>,
    pub(super) removed: Vec<usize>,
    pub(super) added: Vec<usize>,
}

/// By operationId first; what is left, by `METHOD path` (an operation whose
/// operationId changed in place is then seen as renamed, not removed and added).
fn match_operations(old: &[Operation], new: &[Operation]) -> Matching {
    let mut taken = vec![false; new.len()];
    let mut pairs = Vec::new();
    let mut by_id = queues(new, |op| op.operation_id.clone());
    let mut left = Vec::new();
    for (i, op) in old.iter().enumerate() {
        let hit = op
            .operation_id
            .as_ref()
            .and_then(|id| by_id.get_mut(id)?.pop());
        match hit {
            Some(j) => {
                taken[j] = true;
                pairs.push((i, j));
            }
            None => left.push(i),
        }
    }
    let mut by_key = queues(new, |op| Some(endpoint(op)));
    for queue in by_key.values_mut() {
        queue.retain(|j| !taken[*j]);
    }
    let mut removed = Vec::new();
    for i in left {
        match by_key.get_mut(&endpoint(&old[i])).and_then(Vec::pop) {
            Some(j) => {
                taken[j] = true;
                pairs.push((i, j));
            }
            None => removed.push(i),
        }
    }
    let added = (0..new.len()).filter(|j| !taken[*j]).collect();
    Matching {
        pairs,
        removed,
        added,
    }
}

/// Indices of operations by key, first one last (so `pop` takes it first).
fn queues(
    ops: &[Operation],
    key: impl Fn(&Operation) -> Option<String>,
) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (j, op) in ops.iter().enumerate().rev() {
        if let Some(k) = key(op) {
            out.entry(k).or_default().push(j);
        }
    }
    out
}

/// `POST /sequences/list`.
pub(super) fn endpoint(op: &Operation) -> String {
    format!("{} {}", op.method, op.path)
}

/// `POST /sequences/list (advancedListSequences)`.
fn op_subject(op: &Operation) -> String {
    match &op.operation_id {
        Some(id) => format!("{} ({id})", endpoint(op)),
        None => endpoint(op),
    }
}

fn op_site(op: &Operation) -> Site {
    Site {
        group: format!("tag {}", op.tag),
        subject: op_subject(op),
        root: String::new(),
    }
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// `query parameter \`limit\``.
fn param_label(p: &Param) -> String {
    format!("{} parameter `{}`", location_name(p.location), p.wire)
}

/// Whether a parameter added to an operation breaks callers, and why.
fn added_param_rule(old: &Operation, new: &Operation, p: &Param) -> (bool, String) {
    if p.location == Location::Path {
        return (true, " (a new argument of the method)".into());
    }
    if p.required {
        return (true, " (required)".into());
    }
    let Some(params) = &new.params_type else {
        return (false, String::new());
    };
    if old.params_type.is_none() {
        return (
            true,
            format!(" (the method gains a `params: &{params}` argument)"),
        );
    }
    // `Params` structs are `#[non_exhaustive]` and built with `new` and
    // setters: an optional parameter is one more setter.
    (false, String::new())
}

/// The body argument of the method, as Rust.
fn body_text(ir: &Ir, body: &Body, expand: u8) -> String {
    match body {
        Body::Json { ty, .. } => format!("&{}", RustType::expanded(ir, ty, expand)),
        Body::Bytes { .. } => "bytes::Bytes".into(),
        Body::Multipart { .. } => "Vec<Part>".into(),
    }
}

/// What the method returns (inside `Result<_, Error>`).
fn success_text(ir: &Ir, success: &Success, expand: u8) -> String {
    match success {
        Success::Json(ty) => RustType::expanded(ir, ty, expand).to_string(),
        Success::Empty => "()".into(),
        Success::Text { .. } => "String".into(),
        Success::Bytes { .. } => "bytes::Bytes".into(),
    }
}

fn content_type(success: &Success) -> Option<&str> {
    match success {
        Success::Text { content_type } | Success::Bytes { content_type } => Some(content_type),
        _ => None,
    }
}

/// The pagination helpers an operation has, by suffix of the method name.
pub(super) fn helpers(op: &Operation) -> Vec<&'static str> {
    match &op.pagination {
        Some(p) if p.partition.is_some() => vec!["_stream", "_partitioned"],
        Some(_) => vec!["_stream"],
        None => Vec::new(),
    }
}

/// First line of the summary, for an added operation.
pub(super) fn summary(op: &Operation) -> String {
    op.summary
        .as_deref()
        .and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|s| format!(" — {s}"))
        .unwrap_or_default()
}

impl<'a> Differ<'a> {
    pub(super) fn operations(&mut self) {
        let (old, new): (&'a [Operation], &'a [Operation]) =
            (&self.old.ir.operations, &self.new.ir.operations);
        let m = match_operations(old, new);
        for (i, j) in m.pairs {
            self.compare_operation(&old[i], &new[j]);
        }
        for i in m.removed {
            let op = &old[i];
            self.item = self.old.call(op);
            let detail = format!("`{}`", self.item);
            self.push(
                &op_site(op),
                ChangeKind::OperationRemoved,
                true,
                detail,
                &op.pointer,
            );
        }
        for j in m.added {
            let op = &new[j];
            self.item = self.new.call(op);
            let detail = format!("`{}`{}", self.item, summary(op));
            self.push(
                &op_site(op),
                ChangeKind::OperationAdded,
                false,
                detail,
                &op.pointer,
            );
        }
    }

    fn compare_operation(&mut self, o: &Operation, n: &Operation) {
        let site = op_site(n);
        let ptr = n.pointer.as_str();
        let (old_call, new_call) = (self.old.call(o), self.new.call(n));
        self.item = old_call.clone();
        if o.operation_id != n.operation_id {
            let id = |op: &Operation| op.operation_id.clone().unwrap_or_else(|| "(none)".into());
            // The lock keeps method names by the operation's place, so a new
            // operationId alone changes nothing a caller wrote.
            let (breaking, now) = if old_call == new_call {
                (false, format!("the lock keeps `{new_call}`"))
            } else {
                (true, format!("`{old_call}` is now `{new_call}`"))
            };
            let detail = format!("operationId `{}` → `{}`: {now}", id(o), id(n));
            self.push(&site, ChangeKind::OperationRenamed, breaking, detail, ptr);
        } else if o.name != n.name {
            let detail = format!("`{old_call}` is now `{new_call}`");
            self.push(&site, ChangeKind::OperationRenamed, true, detail, ptr);
        } else if old_call != new_call {
            let detail = format!(
                "tag `{}` → `{}`: `{old_call}` is now `{new_call}`",
                o.tag, n.tag
            );
            self.push(&site, ChangeKind::OperationMoved, true, detail, ptr);
        }
        if endpoint(o) != endpoint(n) {
            let detail = format!("now `{}` (was `{}`)", endpoint(n), endpoint(o));
            self.push(&site, ChangeKind::OperationPathChanged, false, detail, ptr);
        }
        if o.deprecated != n.deprecated {
            let detail = if n.deprecated {
                "deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(
                &site,
                ChangeKind::OperationDeprecated,
                false,
                detail.into(),
                ptr,
            );
        }
        self.compare_pagination(&site, o, n);
        self.compare_params(&site, o, n);
        self.compare_body(&site, o, n);
        self.compare_response(&site, o, n);
    }

    fn compare_pagination(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let (had, has) = (helpers(o), helpers(n));
        for suffix in had.iter().filter(|s| !has.contains(s)) {
            let detail = format!("`{}{suffix}` helper removed", o.name);
            self.push(
                site,
                ChangeKind::PaginationChanged,
                true,
                detail,
                &n.pointer,
            );
        }
        for suffix in has.iter().filter(|s| !had.contains(s)) {
            let detail = format!("`{}{suffix}` helper added", n.name);
            self.push(
                site,
                ChangeKind::PaginationChanged,
                false,
                detail,
                &n.pointer,
            );
        }
    }

    fn compare_params(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let key = |p: &Param| (location_name(p.location), p.wire.clone());
        let old: BTreeMap<_, &Param> = o.params.iter().map(|p| (key(p), p)).collect();
        let new: BTreeMap<_, &Param> = n.params.iter().map(|p| (key(p), p)).collect();
        let ptr = n.pointer.as_str();
        let request = Dir {
            request: true,
            ..Dir::default()
        };
        let call = std::mem::take(&mut self.item);
        self.item = n.params_type.clone().unwrap_or_else(|| call.clone());
        for (k, p) in &old {
            let label = param_label(p);
            let Some(q) = new.get(k) else {
                let was = Slot::param(p).text(self.old.ir);
                let detail = format!("{label} removed (was `{was}`)");
                self.push(site, ChangeKind::ParamRemoved, true, detail, &o.pointer);
                continue;
            };
            let slots = (Slot::param(p), Slot::param(q));
            self.compare_slots(site, &label, slots, request, ptr, Kinds::PARAM);
            self.descend(&site.with_root(label), "", &p.ty, &q.ty);
        }
        for (_, q) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
            let (breaking, why) = added_param_rule(o, n, q);
            let ty = Slot::param(q).text(self.new.ir);
            let detail = format!("{} added: `{ty}`{why}", param_label(q));
            self.push(site, ChangeKind::ParamAdded, breaking, detail, ptr);
        }
        if let (Some(a), Some(b)) = (&o.params_type, &n.params_type) {
            if a != b {
                self.item = a.clone();
                let detail = format!("parameters struct `{a}` is now `{b}`");
                self.push(site, ChangeKind::ParamRetyped, true, detail, ptr);
            }
        }
        self.item = call;
    }

    fn compare_body(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let (oi, ni) = (self.old.ir, self.new.ir);
        let ptr = n.pointer.as_str();
        let (breaking, detail) = match (&o.body, &n.body) {
            (None, None) => return,
            (None, Some(b)) => (
                true,
                format!(
                    "request body added: `{}` (a new argument of the method)",
                    body_text(ni, b, 0)
                ),
            ),
            (Some(a), None) => (
                true,
                format!("request body removed (was `{}`)", body_text(oi, a, 0)),
            ),
            (
                Some(Body::Bytes {
                    content_type: x, ..
                }),
                Some(Body::Bytes {
                    content_type: y, ..
                }),
            ) => {
                if x == y {
                    return;
                }
                (false, format!("request body content type `{x}` → `{y}`"))
            }
            (Some(a), Some(b)) => {
                if let (Body::Json { ty: s, .. }, Body::Json { ty: t, .. }) = (a, b) {
                    self.descend(&site.with_root("request body".into()), "", s, t);
                }
                if !self.retyped(|ir, e| body_text(ir, a, e), |ir, e| body_text(ir, b, e)) {
                    return;
                }
                let (x, y) = (body_text(oi, a, 0), body_text(ni, b, 0));
                (true, format!("request body retyped: `{x}` → `{y}`"))
            }
        };
        self.push(site, ChangeKind::RequestBodyChanged, breaking, detail, ptr);
    }

    fn compare_response(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let (a, b) = (&o.response, &n.response);
        let ptr = n.pointer.as_str();
        if self.retyped(
            |ir, e| success_text(ir, a, e),
            |ir, e| success_text(ir, b, e),
        ) {
            let (x, y) = (
                success_text(self.old.ir, a, 0),
                success_text(self.new.ir, b, 0),
            );
            let detail = format!("returns `{y}` (was `{x}`)");
            self.push(site, ChangeKind::ResponseChanged, true, detail, ptr);
        } else if let (Some(x), Some(y)) = (content_type(a), content_type(b)) {
            if x != y {
                let detail = format!("response content type `{x}` → `{y}`");
                self.push(site, ChangeKind::ResponseChanged, false, detail, ptr);
            }
        }
        if let (Success::Json(s), Success::Json(t)) = (a, b) {
            self.descend(&site.with_root("response".into()), "", s, t);
        }
    }
}
