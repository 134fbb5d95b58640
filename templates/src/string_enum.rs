//! What every string enum of the crate shares. Each one has an `as_str`
//! and an `Other(String)` catch-all for values newer than the spec; the
//! traits below read only those two, so they are written once.

/// `Ord`, `PartialOrd` and `Display` for a string enum. It is ordered by
/// wire value, not by declaration, so a value a later spec adds does not
/// reorder the ones callers already sort; a known value sorts before an
/// unknown one with the same text. (Unused by a spec without string enums.)
#[allow(unused_macros)]
macro_rules! wire_traits {
    ($name:ident) => {
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                let unknown = |v: &Self| matches!(v, Self::Other(_));
                self.as_str()
                    .cmp(other.as_str())
                    .then_with(|| unknown(self).cmp(&unknown(other)))
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use wire_traits;

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, Eq)]
    enum Unit {
        Meter,
        Second,
        Other(String),
    }

    impl Unit {
        fn as_str(&self) -> &str {
            match self {
                Unit::Meter => "m",
                Unit::Second => "s",
                Unit::Other(other) => other,
            }
        }
    }

    super::wire_traits!(Unit);

    #[test]
    fn orders_by_wire_value_and_known_first() {
        let mut units = vec![
            Unit::Second,
            Unit::Other("m".into()),
            Unit::Other("k".into()),
            Unit::Meter,
        ];
        units.sort();
        assert_eq!(
            units,
            [
                Unit::Other("k".into()),
                Unit::Meter,
                Unit::Other("m".into()),
                Unit::Second
            ]
        );
        assert_eq!(Unit::Meter.to_string(), "m");
        assert_eq!(Unit::Other("ft".into()).to_string(), "ft");
    }
}
