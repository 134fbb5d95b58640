//! Checks of the spec's validation keywords (`maxLength`, `pattern`,
//! `minimum`, `maxItems`, ...) made before a request is sent, so that a
//! value the server would refuse with a bare 400 is refused here with the
//! path of the field that breaks the rule. The generated types that
//! requests carry and that have rules implement [`Validate`]; operations
//! run it unless the client was built with
//! `ClientBuilder::validate_requests(false)`. Answers are not checked.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// A value that can check itself against the spec's rules.
pub trait Validate {
    /// Records every rule the value breaks into `v`, at `v`'s current path.
    fn check(&self, v: &mut Validator);

    /// Every rule the value breaks, or `Ok` when it breaks none.
    fn validate(&self) -> Result<(), Invalid> {
        let mut v = Validator::default();
        self.check(&mut v);
        v.finish()
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn check(&self, v: &mut Validator) {
        (**self).check(v)
    }
}

impl<T: Validate + ?Sized> Validate for &T {
    fn check(&self, v: &mut Validator) {
        (**self).check(v)
    }
}

impl<T: Validate> Validate for Option<T> {
    fn check(&self, v: &mut Validator) {
        if let Some(x) = self {
            x.check(v)
        }
    }
}

impl<T: Validate> Validate for [T] {
    fn check(&self, v: &mut Validator) {
        for (i, x) in self.iter().enumerate() {
            v.at(i, |v| x.check(v));
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn check(&self, v: &mut Validator) {
        self.as_slice().check(v)
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn check(&self, v: &mut Validator) {
        for (k, x) in self {
            v.at(k.as_str(), |v| x.check(v));
        }
    }
}

/// Most violations kept: a bulk call of a million bad items must not
/// build a million messages. The count goes on.
const KEPT: usize = 1000;

/// Collects violations while a value is walked; the path grows and shrinks
/// with [`Validator::at`].
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<Segment>,
    found: Vec<Violation>,
    total: usize,
}

/// One step of a path: a JSON key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl From<&str> for Segment {
    fn from(key: &str) -> Self {
        Segment::Key(key.to_string())
    }
}

impl From<usize> for Segment {
    fn from(index: usize) -> Self {
        Segment::Index(index)
    }
}

/// Numbers the range rules compare; `f64` holds every value the spec's
/// bounds can name.
pub trait Number: Copy {
    fn as_f64(self) -> f64;
}

impl Number for i32 {
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Number for i64 {
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Number for f64 {
    fn as_f64(self) -> f64 {
        self
    }
}

impl Validator {
    /// Runs `f` one step deeper in the value: under a key or an index.
    pub fn at(&mut self, segment: impl Into<Segment>, f: impl FnOnce(&mut Self)) {
        self.path.push(segment.into());
        f(self);
        self.path.pop();
    }

    /// The rules of a nested value, at the current path.
    pub fn nested<T: Validate + ?Sized>(&mut self, value: &T) {
        value.check(self)
    }

    /// The rules of a nested value, under `key`.
    pub fn nested_at<T: Validate + ?Sized>(&mut self, key: &str, value: &T) {
        self.at(key, |v| value.check(v))
    }

    /// `check` on a field that is always there, under its JSON name.
    pub fn field<T: ?Sized>(&mut self, key: &str, value: &T, check: impl FnOnce(&mut Self, &T)) {
        self.at(key, |v| check(v, value))
    }

    /// `check` on an optional field, when it is set.
    pub fn optional<T>(&mut self, key: &str, value: &Option<T>, check: impl FnOnce(&mut Self, &T)) {
        if let Some(x) = value {
            self.at(key, |v| check(v, x))
        }
    }

    /// `check` on every element, under its index.
    pub fn each<T>(&mut self, items: &[T], check: impl Fn(&mut Self, &T)) {
        for (i, x) in items.iter().enumerate() {
            self.at(i, |v| check(v, x));
        }
    }

    /// `check` on every value of a map, under its key.
    pub fn each_value<T>(&mut self, map: &BTreeMap<String, T>, check: impl Fn(&mut Self, &T)) {
        for (k, x) in map {
            self.at(k.as_str(), |v| check(v, x));
        }
    }

    /// JSON Schema counts characters (code points), not bytes.
    pub fn min_length(&mut self, s: &str, min: usize) {
        let actual = s.chars().count();
        if actual < min {
            self.broke(Rule::MinLength { min, actual });
        }
    }

    pub fn max_length(&mut self, s: &str, max: usize) {
        // Bytes bound characters from above: most strings stop here.
        if s.len() <= max {
            return;
        }
        let actual = s.chars().count();
        if actual > max {
            self.broke(Rule::MaxLength { max, actual });
        }
    }

    /// `pattern` matches anywhere in the string unless it is anchored, as in
    /// JSON Schema. Each pattern is compiled once per process; the generator
    /// emits only patterns that compile.
    pub fn pattern(&mut self, s: &str, pattern: &'static str) {
        if compiled(pattern).is_some_and(|re| !re.is_match(s)) {
            self.broke(Rule::Pattern { pattern });
        }
    }

    /// `minLength` and `maxLength` together.
    pub fn length_between(&mut self, s: &str, min: usize, max: usize) {
        self.min_length(s, min);
        self.max_length(s, max);
    }

    /// Inclusive `minimum` and `maximum` together.
    pub fn between<N: Number>(&mut self, x: N, min: f64, max: f64) {
        self.minimum(x, min, false);
        self.maximum(x, max, false);
    }

    /// `minItems` and `maxItems` together.
    pub fn items_between(&mut self, actual: usize, min: usize, max: usize) {
        self.min_items(actual, min);
        self.max_items(actual, max);
    }

    pub fn minimum<N: Number>(&mut self, x: N, min: f64, exclusive: bool) {
        let actual = x.as_f64();
        if actual < min || (exclusive && actual == min) {
            self.broke(Rule::Minimum {
                min,
                exclusive,
                actual,
            });
        }
    }

    pub fn maximum<N: Number>(&mut self, x: N, max: f64, exclusive: bool) {
        let actual = x.as_f64();
        if actual > max || (exclusive && actual == max) {
            self.broke(Rule::Maximum {
                max,
                exclusive,
                actual,
            });
        }
    }

    pub fn min_items(&mut self, actual: usize, min: usize) {
        if actual < min {
            self.broke(Rule::MinItems { min, actual });
        }
    }

    pub fn max_items(&mut self, actual: usize, max: usize) {
        if actual > max {
            self.broke(Rule::MaxItems { max, actual });
        }
    }

    /// Items are compared as the JSON they are sent as.
    pub fn unique_items<T: serde::Serialize>(&mut self, items: &[T]) {
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Ok(text) = serde_json::to_string(item) else {
                continue;
            };
            if let Some(&first) = seen.get(&text) {
                self.broke(Rule::UniqueItems { first, second: i });
                return;
            }
            seen.insert(text, i);
        }
    }

    pub fn min_properties(&mut self, actual: usize, min: usize) {
        if actual < min {
            self.broke(Rule::MinProperties { min, actual });
        }
    }

    pub fn max_properties(&mut self, actual: usize, max: usize) {
        if actual > max {
            self.broke(Rule::MaxProperties { max, actual });
        }
    }

    /// How many rules were broken so far.
    pub fn broken(&self) -> usize {
        self.total
    }

    fn broke(&mut self, rule: Rule) {
        self.total += 1;
        if self.found.len() < KEPT {
            self.found.push(Violation {
                path: render(&self.path),
                rule,
            });
        }
    }

    /// `Ok` when nothing was broken.
    pub fn finish(self) -> Result<(), Invalid> {
        if self.total == 0 {
            Ok(())
        } else {
            Err(Invalid {
                violations: self.found,
                total: self.total,
            })
        }
    }
}

/// `items[3].externalId`; keys that are not plain words are quoted.
fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Key(k) if is_plain(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Key(k) => out.push_str(&format!("[{k:?}]")),
        }
    }
    if out.is_empty() {
        out.push_str("(the value)");
    }
    out
}

fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

fn compiled(pattern: &'static str) -> Option<regex_lite::Regex> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex_lite::Regex>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A poisoned lock only means another thread panicked mid-insert; the
    // map is still a valid cache.
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(pattern)
        .or_insert_with(|| regex_lite::Regex::new(pattern).ok())
        .clone()
}

/// One broken rule and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where in the request, in its JSON names: `items[3].externalId`.
    pub path: String,
    pub rule: Rule,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

/// A validation keyword of the spec, with what the value had instead.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Rule {
    MinLength {
        min: usize,
        actual: usize,
    },
    MaxLength {
        max: usize,
        actual: usize,
    },
    Pattern {
        pattern: &'static str,
    },
    Minimum {
        min: f64,
        exclusive: bool,
        actual: f64,
    },
    Maximum {
        max: f64,
        exclusive: bool,
        actual: f64,
    },
    MinItems {
        min: usize,
        actual: usize,
    },
    MaxItems {
        max: usize,
        actual: usize,
    },
    UniqueItems {
        first: usize,
        second: usize,
    },
    MinProperties {
        min: usize,
        actual: usize,
    },
    MaxProperties {
        max: usize,
        actual: usize,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let than = |exclusive: &bool| if *exclusive { "" } else { " or equal to" };
        match self {
            Rule::MinLength { min, actual } => {
                write!(
                    f,
                    "{}, at least {min} needed (minLength)",
                    count(*actual, "character")
                )
            }
            Rule::MaxLength { max, actual } => {
                write!(
                    f,
                    "{}, at most {max} allowed (maxLength)",
                    count(*actual, "character")
                )
            }
            Rule::Pattern { pattern } => write!(f, "does not match the pattern {pattern:?}"),
            Rule::Minimum {
                min,
                exclusive,
                actual,
            } => write!(
                f,
                "{actual} is below the minimum: must be greater than{} {min}",
                than(exclusive)
            ),
            Rule::Maximum {
                max,
                exclusive,
                actual,
            } => write!(
                f,
                "{actual} is above the maximum: must be less than{} {max}",
                than(exclusive)
            ),
            Rule::MinItems { min, actual } => {
                write!(
                    f,
                    "{}, at least {min} needed (minItems)",
                    count(*actual, "item")
                )
            }
            Rule::MaxItems { max, actual } => {
                write!(
                    f,
                    "{}, at most {max} allowed (maxItems)",
                    count(*actual, "item")
                )
            }
            Rule::UniqueItems { first, second } => {
                write!(f, "items {first} and {second} are equal (uniqueItems)")
            }
            Rule::MinProperties { min, actual } => {
                write!(
                    f,
                    "{}, at least {min} needed (minProperties)",
                    count(*actual, "entry")
                )
            }
            Rule::MaxProperties { max, actual } => {
                write!(
                    f,
                    "{}, at most {max} allowed (maxProperties)",
                    count(*actual, "entry")
                )
            }
        }
    }
}

/// `1 item`, `2 items`, `0 entries`.
fn count(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

/// Everything a value breaks. Kept: the first 1000 violations, in the
/// order the fields are declared; counted: all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub violations: Vec<Violation>,
    pub total: usize,
}

impl Invalid {
    /// Each distinct path with a broken rule.
    pub fn paths(&self) -> HashSet<&str> {
        self.violations.iter().map(|v| v.path.as_str()).collect()
    }
}

/// Shown in full up to this many; then a count of the rest.
const SHOWN: usize = 5;

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.violations.iter().take(SHOWN).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        if self.total > SHOWN {
            write!(f, "; and {} more", self.total - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair {
        name: String,
        tags: Vec<String>,
    }

    impl Validate for Pair {
        fn check(&self, v: &mut Validator) {
            v.at("name", |v| {
                v.min_length(&self.name, 2);
                v.max_length(&self.name, 4);
                v.pattern(&self.name, "^[a-zé]+$");
            });
            v.at("tags", |v| {
                v.unique_items(&self.tags);
                for (i, x) in self.tags.iter().enumerate() {
                    v.at(i, |v| v.max_length(x, 1));
                }
            });
        }
    }

    fn pair(name: &str, tags: &[&str]) -> Pair {
        Pair {
            name: name.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn messages(result: Result<(), Invalid>) -> Vec<String> {
        result
            .err()
            .map(|e| e.violations.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn lengths_count_characters_and_paths_use_json_names() {
        assert!(
            pair("éééé", &["a"]).validate().is_ok(),
            "4 characters in 8 bytes"
        );
        assert_eq!(
            messages(pair("ABCDE", &["a", "bb", "a"]).validate()),
            vec![
                "name: 5 characters, at most 4 allowed (maxLength)",
                "name: does not match the pattern \"^[a-zé]+$\"",
                "tags: items 0 and 2 are equal (uniqueItems)",
                "tags[1]: 2 characters, at most 1 allowed (maxLength)",
            ]
        );
        assert_eq!(
            messages(vec![pair("a", &[])].validate()),
            vec!["[0].name: 1 character, at least 2 needed (minLength)"]
        );
    }

    #[test]
    fn bounds_honour_exclusiveness() {
        let mut v = Validator::default();
        v.minimum(1_i64, 1.0, false);
        v.maximum(2.5_f64, 2.5, false);
        assert!(v.finish().is_ok());
        let mut v = Validator::default();
        v.minimum(1_i32, 1.0, true);
        v.maximum(2.5_f64, 2.5, true);
        assert_eq!(
            messages(v.finish()),
            vec![
                "(the value): 1 is below the minimum: must be greater than 1",
                "(the value): 2.5 is above the maximum: must be less than 2.5",
            ]
        );
    }

    #[test]
    fn odd_keys_are_quoted_and_long_lists_are_summed_up() {
        let mut map = BTreeMap::new();
        map.insert("a b".to_string(), pair("ok", &["toolong"]));
        assert_eq!(
            messages(map.validate()),
            vec!["[\"a b\"].tags[0]: 7 characters, at most 1 allowed (maxLength)"]
        );
        let many: Vec<Pair> = (0..1500).map(|_| pair("x", &[])).collect();
        let err = many.validate().unwrap_err();
        assert_eq!((err.violations.len(), err.total), (KEPT, 1500));
        assert!(err.to_string().ends_with("; and 1495 more"), "{err}");
    }
}
