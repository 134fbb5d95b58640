//! What every string enum of the crate shares. Each one is a plain enum
//! with an `Other(String)` catch-all for values newer than the spec; the
//! crate lists its wire values once, in a `string_enum!` beside it, and
//! the macro writes the rest.

/// The wire side of a string enum: `string_enum!(Unit { Meter = "m",
/// Second = "s" })` for `enum Unit { Meter, Second, Other(String) }`.
///
/// It writes `as_str`, serde's traits (a value this version does not know
/// decodes as `Other`, so a value a later spec adds still reads, and is
/// written back as it came), `From<&str>`, and `Ord`, `PartialOrd` and
/// `Display`. The order is by wire value, not by declaration, so a value a
/// later spec adds does not reorder the ones callers already sort; a known
/// value sorts before an unknown one with the same text. (Unused by a spec
/// without string enums.)
// Exported so that a crate of types split off the client can expand it;
// its home is this module (below).
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    ($name:ident { $($variant:ident = $wire:literal),* $(,)? }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(wire: &str) -> Self {
                match wire {
                    $($wire => $name::$variant,)*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let wire = <String as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(wire.as_str()))
            }
        }

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
#[doc(hidden)]
pub use crate::string_enum;

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Unit {
        Meter,
        Second,
        Other(String),
    }

    super::string_enum!(Unit { Meter = "m", Second = "s" });

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

    #[test]
    fn reads_and_writes_wire_values_and_keeps_unknown_ones() {
        let text = r#"["s", "ft", "m\u00b2"]"#;
        let units: Vec<Unit> = serde_json::from_str(text).unwrap();
        let known = [Unit::Second, Unit::Other("ft".into())];
        assert_eq!(units[..2], known);
        assert_eq!(units[2], Unit::Other("m\u{b2}".into()));
        let back = serde_json::to_string(&units).unwrap();
        assert_eq!(back, "[\"s\",\"ft\",\"m\u{b2}\"]");
        assert!(serde_json::from_str::<Unit>("1").is_err());
        assert_eq!(Unit::from("m"), Unit::Meter);
    }
}
