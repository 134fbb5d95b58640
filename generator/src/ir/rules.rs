//! What the generated `validate()` checks: a schema's validation keywords
//! (`maxLength`, `pattern`, `minimum`, `maxItems`, ...), read through
//! `$ref`s and single-branch wrappers, and shaped like the value's type:
//! an array's or map's own rules, then those of each element in `each`.
//! Object schemas stop the walk: their struct checks its own fields.
//!
//! The one model of what a value may be: `validate()` checks it, the test
//! synthesiser builds values that meet it, and bulk calls take their batch
//! size from its `maxItems`. Read from the spec by [`super::build`];
//! [`super::Hints`] keeps what is not a rule (format, example).

/// What `validate()` checks on one value: its schema's validation keywords.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// `minLength`.
    pub min_length: Option<usize>,
    /// `maxLength`.
    pub max_length: Option<usize>,
    /// `pattern`, when the crate can check it (others are reported as findings).
    pub pattern: Option<String>,
    /// `minimum`, with `exclusiveMinimum`.
    pub minimum: Option<Bound>,
    /// `maximum`, with `exclusiveMaximum`.
    pub maximum: Option<Bound>,
    /// `minItems`.
    pub min_items: Option<usize>,
    /// `maxItems`.
    pub max_items: Option<usize>,
    /// `uniqueItems`.
    pub unique_items: bool,
    /// `minProperties`.
    pub min_properties: Option<usize>,
    /// `maxProperties`.
    pub max_properties: Option<usize>,
    /// The rules of every array element or map value.
    pub each: Option<Box<Rules>>,
}

/// A `minimum` or `maximum`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The bound.
    pub value: f64,
    /// The bound itself is out of range (`exclusiveMinimum` / `exclusiveMaximum`).
    pub exclusive: bool,
}

impl Rules {
    /// Checks nothing: no keyword is set, nested ones included.
    pub fn is_empty(&self) -> bool {
        *self == Rules::default()
    }

    /// How many keywords these rules check, nested ones included.
    pub fn count(&self) -> usize {
        let own = [
            self.min_length.is_some(),
            self.max_length.is_some(),
            self.pattern.is_some(),
            self.minimum.is_some(),
            self.maximum.is_some(),
            self.min_items.is_some(),
            self.max_items.is_some(),
            self.unique_items,
            self.min_properties.is_some(),
            self.max_properties.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        own + self.each.as_ref().map_or(0, |e| e.count())
    }

    /// Fills what `self` leaves open from `other` (a wrapped schema's rules
    /// under the wrapper's own).
    pub fn under(mut self, other: Rules) -> Rules {
        self.min_length = self.min_length.or(other.min_length);
        self.max_length = self.max_length.or(other.max_length);
        self.pattern = self.pattern.or(other.pattern);
        self.minimum = self.minimum.or(other.minimum);
        self.maximum = self.maximum.or(other.maximum);
        self.min_items = self.min_items.or(other.min_items);
        self.max_items = self.max_items.or(other.max_items);
        self.unique_items |= other.unique_items;
        self.min_properties = self.min_properties.or(other.min_properties);
        self.max_properties = self.max_properties.or(other.max_properties);
        self.each = match (self.each, other.each) {
            (Some(a), Some(b)) => Some(Box::new(a.under(*b))),
            (a, b) => a.or(b),
        };
        self
    }
}
