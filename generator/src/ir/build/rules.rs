//! Reads a schema's validation keywords into [`Rules`]: through `$ref`s
//! and single-branch wrappers, shaped like the value's type; patterns the
//! client's regex engine cannot check are left out and reported.

use std::borrow::Borrow;

use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};

use crate::error::join;
use crate::ir::model::Finding;
use crate::ir::rules::{Bound, Rules};

/// Deeper than any real spec's alias chain; a cycle of aliases stops here.
const MAX_DEPTH: usize = 16;

/// Reads rules, following `$ref`s with `resolve`; patterns the client
/// cannot check are left out and told in `findings`.
pub struct Reader<'a, 'r> {
    pub resolve: &'r dyn Fn(&str) -> Option<&'a Schema>,
    pub findings: Vec<Finding>,
}

impl<'a> Reader<'a, '_> {
    pub fn of<S: Borrow<Schema>>(&mut self, schema: &'a ReferenceOr<S>, pointer: &str) -> Rules {
        self.read(schema, pointer, 0)
    }

    pub fn of_schema(&mut self, schema: &'a Schema, pointer: &str) -> Rules {
        self.schema(schema, pointer, 0)
    }

    fn read<S: Borrow<Schema>>(
        &mut self,
        schema: &'a ReferenceOr<S>,
        pointer: &str,
        depth: usize,
    ) -> Rules {
        if depth > MAX_DEPTH {
            return Rules::default();
        }
        match schema {
            ReferenceOr::Reference { reference } => match (self.resolve)(reference) {
                Some(target) => {
                    let at = reference.trim_start_matches('#').to_string();
                    self.schema(target, &at, depth + 1)
                }
                None => Rules::default(),
            },
            ReferenceOr::Item(s) => self.schema(s.borrow(), pointer, depth),
        }
    }

    fn schema(&mut self, s: &'a Schema, pointer: &str, depth: usize) -> Rules {
        let mut r = Rules::default();
        match &s.schema_kind {
            SchemaKind::Type(Type::String(t)) => {
                r.min_length = t.min_length;
                r.max_length = t.max_length;
                r.pattern = self.pattern(t.pattern.as_deref(), pointer);
            }
            SchemaKind::Type(Type::Integer(t)) => {
                r.minimum = t.minimum.map(|m| bound(m as f64, t.exclusive_minimum));
                r.maximum = t.maximum.map(|m| bound(m as f64, t.exclusive_maximum));
            }
            SchemaKind::Type(Type::Number(t)) => {
                r.minimum = t.minimum.map(|m| bound(m, t.exclusive_minimum));
                r.maximum = t.maximum.map(|m| bound(m, t.exclusive_maximum));
            }
            SchemaKind::Type(Type::Array(t)) => {
                r.min_items = t.min_items;
                r.max_items = t.max_items;
                r.unique_items = t.unique_items;
                r.each = self.each(t.items.as_ref(), &join(pointer, "items"), depth);
            }
            SchemaKind::Type(Type::Object(t)) => {
                r.min_properties = t.min_properties;
                r.max_properties = t.max_properties;
                r.each = self.values(t.additional_properties.as_ref(), pointer, depth);
            }
            SchemaKind::Any(a) => {
                r.min_length = a.min_length;
                r.max_length = a.max_length;
                r.pattern = self.pattern(a.pattern.as_deref(), pointer);
                r.minimum = a
                    .minimum
                    .map(|m| bound(m, a.exclusive_minimum.unwrap_or(false)));
                r.maximum = a
                    .maximum
                    .map(|m| bound(m, a.exclusive_maximum.unwrap_or(false)));
                r.min_items = a.min_items;
                r.max_items = a.max_items;
                r.unique_items = a.unique_items.unwrap_or(false);
                r.min_properties = a.min_properties;
                r.max_properties = a.max_properties;
                r.each = match &a.items {
                    Some(items) => self.each(Some(items), &join(pointer, "items"), depth),
                    None => self.values(a.additional_properties.as_ref(), pointer, depth),
                };
                if let Some(inner) = self.single_branch(a, pointer, depth) {
                    r = r.under(inner);
                }
            }
            SchemaKind::AllOf { all_of: parts }
            | SchemaKind::OneOf { one_of: parts }
            | SchemaKind::AnyOf { any_of: parts } => {
                if let [one] = parts.as_slice() {
                    let at = join(&join(pointer, kind_key(&s.schema_kind)), "0");
                    r = self.read(one, &at, depth + 1);
                }
            }
            _ => {}
        }
        r
    }

    /// A `{type?, allOf|oneOf|anyOf: [one]}` wrapper reads as its branch.
    fn single_branch(
        &mut self,
        a: &'a openapiv3::AnySchema,
        pointer: &str,
        depth: usize,
    ) -> Option<Rules> {
        let lists = [
            ("allOf", &a.all_of),
            ("oneOf", &a.one_of),
            ("anyOf", &a.any_of),
        ];
        let mut found = lists.iter().filter(|(_, list)| !list.is_empty());
        let (key, list) = found.next()?;
        if found.next().is_some() || !a.properties.is_empty() {
            return None;
        }
        match list.as_slice() {
            [one] => Some(self.read(one, &join(&join(pointer, key), "0"), depth + 1)),
            _ => None,
        }
    }

    fn each(
        &mut self,
        items: Option<&'a ReferenceOr<Box<Schema>>>,
        pointer: &str,
        depth: usize,
    ) -> Option<Box<Rules>> {
        let r = self.read(items?, pointer, depth + 1);
        (!r.is_empty()).then(|| Box::new(r))
    }

    fn values(
        &mut self,
        extra: Option<&'a AdditionalProperties>,
        pointer: &str,
        depth: usize,
    ) -> Option<Box<Rules>> {
        match extra? {
            AdditionalProperties::Schema(s) => {
                let at = join(pointer, "additionalProperties");
                let r = self.read(s.as_ref(), &at, depth + 1);
                (!r.is_empty()).then(|| Box::new(r))
            }
            AdditionalProperties::Any(_) => None,
        }
    }

    /// The pattern when the client can check it as the spec means it.
    fn pattern(&mut self, pattern: Option<&str>, pointer: &str) -> Option<String> {
        let pattern = pattern?;
        match checkable(pattern) {
            Ok(()) => Some(pattern.to_string()),
            Err(why) => {
                self.findings.push(Finding {
                    pointer: join(pointer, "pattern"),
                    message: format!("pattern {pattern:?} is not checked by `validate()`: {why}"),
                });
                None
            }
        }
    }
}

fn bound(value: f64, exclusive: bool) -> Bound {
    Bound { value, exclusive }
}

fn kind_key(kind: &SchemaKind) -> &'static str {
    match kind {
        SchemaKind::AllOf { .. } => "allOf",
        SchemaKind::OneOf { .. } => "oneOf",
        _ => "anyOf",
    }
}

/// Whether the runtime's regex engine (regex-lite) reads `pattern` as the
/// ECMA-262 pattern the spec means. Lookaround and backreferences are
/// ECMA-only; a class that excludes a backslash-escaped `\x00`, `\d`, ...
/// is a pattern escaped twice (`"[^\\\\x00]"` in JSON), which would refuse
/// every string containing an `x` or a `0`.
pub fn checkable(pattern: &str) -> Result<(), String> {
    if let Some(escape) = double_escaped(pattern) {
        return Err(format!(
            "it holds `\\\\{escape}`, an escape written twice (a literal backslash and `{escape}`), so it would refuse values the API means to accept"
        ));
    }
    regex_lite::Regex::new(pattern).map(|_| ()).map_err(|e| {
        let why = e.to_string();
        let why = why.lines().last().unwrap_or_default().trim();
        if why.contains("look-around") {
            "lookaround is not supported by the client's regex engine".to_string()
        } else {
            format!("it is not a valid regular expression ({why})")
        }
    })
}

/// The first `\\` followed by an escape letter, when the pattern holds one.
fn double_escaped(pattern: &str) -> Option<char> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i + 2 < chars.len() {
        if chars[i] == '\\' && chars[i + 1] == '\\' {
            if matches!(chars[i + 2], 'x' | 'u' | 'd' | 'w' | 's' | 'n' | 't' | 'r') {
                return Some(chars[i + 2]);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_the_client_cannot_check_say_why() {
        assert!(checkable("^[a-z]([a-z0-9_-]{0,98}[a-z0-9])?$").is_ok());
        assert!(checkable(r"^[^\x00]{1,255}$").is_ok());
        let twice = checkable(r"^[^\\x00]{1,256}$").unwrap_err();
        assert!(twice.contains("written twice"), "{twice}");
        let look = checkable("(?!^(space|cdf)$)(^[a-z]+$)").unwrap_err();
        assert!(look.contains("lookaround"), "{look}");
        let bad = checkable("(GMT|UTC)(+|-)hh:mm").unwrap_err();
        assert!(bad.contains("not a valid regular expression"), "{bad}");
        // A literal backslash before anything else is a real pattern.
        assert!(checkable(r"^[\\/a-z]+$").is_ok());
    }
}
