//! serde's `Serialize` and `Deserialize` for the generated structs,
//! written once.
//!
//! serde's derives write, for every struct, a field enum, a visitor for
//! its names as text, bytes and numbers, readers for the struct as an
//! array and as a map, and a writer, each with one block per field. For
//! thousands of structs that was most of the crate's build time and
//! memory. `serde_struct!` writes only the map reader and the writer, and
//! their per-field work calls the generic helpers below, which the
//! compiler checks once. What it reads and writes is what the derives
//! did: unknown keys are skipped, a key given twice is an error, a missing
//! required field is the error "missing field" (or `None`, for a nullable
//! one), a missing or `null` optional field is `None`, and an optional
//! field that is `None` is not written. Keys are written in declaration
//! order.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct};

/// `Serialize` and `Deserialize` for a struct from its fields in
/// declaration order, each marked `req` (always written) or `opt` (an
/// `Option` left out when `None`) and given its wire name:
/// `serde_struct!(Sequence, [req id = "id", opt name = "name"]);`.
/// Expanded where `serde_struct` names both this module and the macro.
// Exported so that a crate of types split off the client can expand it;
// its home is this module (below).
#[doc(hidden)]
#[macro_export]
macro_rules! serde_struct {
    ($name:ident, [$($kind:ident $field:ident = $wire:literal),* $(,)?]) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let len = 0 $(+ serde_struct!(@len $kind self.$field))*;
                let mut out = s.serialize_struct(stringify!($name), len)?;
                $(serde_struct!(@put $kind out, self.$field, $wire);)*
                out.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Fields;

                impl<'de> serde::de::Visitor<'de> for Fields {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $(let mut $field = None;)*
                        while let Some(key) = map.next_key::<serde_struct::Key<'de>>()? {
                            match key.as_str() {
                                $($wire => serde_struct::slot(&mut $field, &mut map, $wire)?,)*
                                _ => serde_struct::skip(&mut map)?,
                            }
                        }
                        Ok($name {
                            $($field: serde_struct!(@take $kind $field, $wire),)*
                        })
                    }
                }

                d.deserialize_map(Fields)
            }
        }
    };
    (@len req $value:expr) => {
        1
    };
    (@len opt $value:expr) => {
        usize::from($value.is_some())
    };
    (@put req $out:ident, $value:expr, $wire:literal) => {
        $out.serialize_field($wire, &$value)?
    };
    (@put opt $out:ident, $value:expr, $wire:literal) => {
        serde_struct::put_optional(&mut $out, $wire, &$value)?
    };
    (@take req $slot:ident, $wire:literal) => {
        serde_struct::required($slot, $wire)?
    };
    (@take opt $slot:ident, $wire:literal) => {
        serde_struct::optional($slot)
    };
}

#[allow(unused_imports)]
#[doc(hidden)]
pub use crate::serde_struct;

/// Writes an optional field when it holds a value, and skips it when it
/// is `None`.
pub fn put_optional<S: SerializeStruct, T: Serialize>(
    out: &mut S,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(_) => out.serialize_field(name, value),
        None => out.skip_field(name),
    }
}

/// A key of an object, borrowed from the input when it can be (serde_json
/// lends unescaped keys of a slice), so reading one costs no allocation.
pub enum Key<'de> {
    /// Lent by the input.
    Borrowed(&'de str),
    /// Copied, or handed over by an input that owns its keys.
    Owned(String),
}

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(text) => text,
            Key::Owned(text) => text,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }

        d.deserialize_str(KeyVisitor)
    }
}

/// Reads the value of the field `name` into its slot; a second value for
/// the same field is an error.
pub fn slot<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key no field declares.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// A required field's value. One the input lacks reads as `None` when the
/// field takes `null`, and is the error "missing field" otherwise.
pub fn required<'de, T: Deserialize<'de>, E: de::Error>(
    slot: Option<T>,
    name: &'static str,
) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Missing(name)).map_err(|_| E::missing_field(name)),
    }
}

/// An optional field's value: absent and `null` are both `None`. This is
/// `Option::flatten`, named so that the macro's slot gets its type from
/// the field it fills (a method call on the slot would need it earlier).
pub fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// What a missing field reads as: nothing to an `Option`, an error to
/// anything else.
struct Missing(&'static str);

impl<'de> Deserializer<'de> for Missing {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    // The module as the macro names it, here and in a generated crate. (The macro
    // itself is in scope by its place in this file.)
    use super::super::serde_struct;

    #[derive(Debug, PartialEq)]
    struct Row {
        id: i64,
        name: Option<String>,
        parent: Option<i64>,
        tags: Option<Vec<String>>,
    }

    serde_struct!(
        Row,
        [req id = "id", opt name = "name", req parent = "parentId", opt tags = "tags"]
    );

    fn row(text: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn reads_fields_by_wire_name_and_skips_unknown_keys() {
        let read = row(r#"{"id": 1, "parentId": 2, "name": "pump", "x": {"y": [1]}}"#).unwrap();
        let expected = Row {
            id: 1,
            parent: Some(2),
            name: Some("pump".into()),
            tags: None,
        };
        assert_eq!(read, expected);
        // The same through `serde_json::Value`, whose keys are owned, and escaped keys.
        let value = serde_json::json!({"id": 1, "parentId": 2, "name": "pump"});
        assert_eq!(serde_json::from_value::<Row>(value).unwrap(), expected);
        let escaped = row(r#"{"\u0069d": 1, "parentId": 2, "name": "pump"}"#).unwrap();
        assert_eq!(escaped, expected);
    }

    #[test]
    fn reads_missing_and_null_as_the_derive_did() {
        // A nullable required field may be missing; a plain one may not.
        let read = row(r#"{"id": 1, "name": null}"#).unwrap();
        assert_eq!((read.parent, read.name), (None, None));
        let missing = row(r#"{"parentId": 2}"#).unwrap_err().to_string();
        assert!(missing.contains("missing field `id`"), "{missing}");
        let twice = row(r#"{"id": 1, "id": 2}"#).unwrap_err().to_string();
        assert!(twice.contains("duplicate field `id`"), "{twice}");
        let wrong = row(r#"{"id": "1"}"#).unwrap_err().to_string();
        assert!(wrong.contains("invalid type: string"), "{wrong}");
        let array = row("[1]").unwrap_err().to_string();
        assert!(array.contains("expected struct Row"), "{array}");
    }

    #[test]
    fn writes_in_declaration_order_leaving_out_unset_optional_fields() {
        let full = Row {
            id: 1,
            name: Some("pump".into()),
            parent: Some(2),
            tags: Some(vec!["a".into()]),
        };
        let text = serde_json::to_string(&full).unwrap();
        assert_eq!(text, r#"{"id":1,"name":"pump","parentId":2,"tags":["a"]}"#);
        assert_eq!(row(&text).unwrap(), full);
        // A required field that is `None` is sent as `null`; an optional one is left out.
        let bare = Row {
            id: 1,
            name: None,
            parent: None,
            tags: None,
        };
        let text = serde_json::to_string(&bare).unwrap();
        assert_eq!(text, r#"{"id":1,"parentId":null}"#);
        assert_eq!(row(&text).unwrap(), bare);
    }
}
