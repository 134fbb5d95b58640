//! The diff as a user reads it: counts and the Markdown report.

use super::*;

impl SpecDiff {
    /// Something changed that breaks a caller (see the module doc for the rules).
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.breaking)
    }

    /// How many changes break a caller.
    pub fn breaking_count(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    /// `3 breaking changes, 1 other change.`
    pub fn summary(&self) -> String {
        if self.changes.is_empty() {
            return "No changes.".into();
        }
        let b = self.breaking_count();
        let n = self.changes.len() - b;
        let plural =
            |k: usize, what: &str| format!("{k} {what} change{}", if k == 1 { "" } else { "s" });
        format!("{}, {}.", plural(b, "breaking"), plural(n, "other"))
    }

    /// The report as Markdown, ready for the generated crate's changelog:
    /// breaking changes first, each section by tag, then schemas; no dates.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "## API changes: {} → {}\n\n{}\n",
            self.old_title_version,
            self.new_title_version,
            self.summary()
        );
        for (title, breaking) in [("Breaking changes", true), ("Other changes", false)] {
            let section: Vec<&Change> = self
                .changes
                .iter()
                .filter(|c| c.breaking == breaking)
                .collect();
            if section.is_empty() {
                continue;
            }
            out.push_str(&format!("\n### {title}\n"));
            for group in section.chunk_by(|a, b| a.group == b.group) {
                out.push_str(&format!("\n#### {}\n\n", group_title(&group[0].group)));
                render_group(&mut out, group);
            }
        }
        out
    }

    /// The report as JSON: both titles, the counts, and every change.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<'r> {
            breaking: bool,
            breaking_changes: usize,
            other_changes: usize,
            #[serde(flatten)]
            diff: &'r SpecDiff,
        }
        let b = self.breaking_count();
        let report = Report {
            breaking: b > 0,
            breaking_changes: b,
            other_changes: self.changes.len() - b,
            diff: self,
        };
        serde_json::to_string_pretty(&report)
            .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
    }
}

fn group_title(group: &str) -> String {
    match group.strip_prefix("tag ") {
        Some(tag) => format!("Operations: {tag}"),
        None if group == SCHEMAS => "Schemas".into(),
        None => group.to_string(),
    }
}

/// `` `POST /x` (`createX`) `` or `` `GetSequenceDto` ``.
fn subject_md(subject: &str) -> String {
    if let Some(name) = subject.strip_prefix("schema ") {
        return format!("`{name}`");
    }
    match subject.strip_suffix(')').and_then(|s| s.rsplit_once(" (")) {
        Some((endpoint, id)) => format!("`{endpoint}` (`{id}`)"),
        None => format!("`{subject}`"),
    }
}

/// Additions and removals of whole operations and schemas as lists, the
/// rest under their subject.
fn render_group(out: &mut String, changes: &[&Change]) {
    let of = |kind: ChangeKind| -> Vec<&Change> {
        changes.iter().copied().filter(|c| c.kind == kind).collect()
    };
    for (kind, title) in [
        (ChangeKind::OperationAdded, "Added operations"),
        (ChangeKind::OperationRemoved, "Removed operations"),
    ] {
        let list = of(kind);
        if !list.is_empty() {
            out.push_str(&format!("- {title}:\n"));
            for c in list {
                out.push_str(&format!("  - {}: {}\n", subject_md(&c.subject), c.detail));
            }
        }
    }
    for (kind, title) in [
        (ChangeKind::SchemaAdded, "Added schemas"),
        (ChangeKind::SchemaRemoved, "Removed schemas"),
    ] {
        let list = of(kind);
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|c| subject_md(&c.subject)).collect();
            out.push_str(&format!(
                "- {title} ({}): {}\n",
                list.len(),
                names.join(", ")
            ));
        }
    }
    let listed = [
        ChangeKind::OperationAdded,
        ChangeKind::OperationRemoved,
        ChangeKind::SchemaAdded,
        ChangeKind::SchemaRemoved,
    ];
    let rest: Vec<&Change> = changes
        .iter()
        .copied()
        .filter(|c| !listed.contains(&c.kind))
        .collect();
    for subject in rest.chunk_by(|a, b| a.subject == b.subject) {
        out.push_str(&format!("- {}\n", subject_md(&subject[0].subject)));
        for c in subject {
            out.push_str(&format!("  - {}\n", c.detail));
        }
    }
}
