//! The `Deserialize` of a generated union. Every union reads the value once
//! and lets [`union`](super::union) pick the variant; only the list of
//! candidates differs, so a union's impl is one call.

/// `impl Deserialize for Name`, from its candidates in the spec's order.
///
/// Without a discriminator, each variant gives the JSON kinds it reads, its
/// node in the crate's `SHAPES` table and the keys it requires; the
/// union's own node comes first, then the catch-all variant for objects no
/// variant declares, if the union has one:
/// `union_de!(Selector, untagged(7, Other), [ById(OBJECT, 8, ["id"])]);`
///
/// With one, each variant gives its kinds, required keys and tag values:
/// `union_de!(Sink, tagged("type"), [Email(OBJECT, ["type"], ["email"])]);`
///
/// A variant marked `#[boxed]` holds its payload in a `Box`. The call site
/// has `union` (the runtime module) and, for untagged unions, `SHAPES` in
/// scope.
// Exported so that a crate of types split off the client can expand it;
// its home is this module (below).
#[doc(hidden)]
#[macro_export]
macro_rules! union_de {
    ($name:ident, untagged($node:literal $(, $other:ident)?), [$(
        $(#[$boxed:ident])? $variant:ident($kinds:expr, $shape:literal, [$($req:literal),*])
    ),* $(,)?]) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use union::{de, kinds::*, Candidate as C};
                let candidates = [$(
                    C::new(stringify!($variant), $kinds, $shape, |v| {
                        de(v).map(union_de!(@wrap $variant $($boxed)?))
                    })
                    .required(&[$($req),*]),
                )*];
                let name = stringify!($name);
                let other = union_de!(@other $($other)?);
                union::deserialize_untagged(d, name, &candidates, &SHAPES.view(), $node, other)
            }
        }
    };
    ($name:ident, tagged($tag:literal), [$(
        $(#[$boxed:ident])? $variant:ident($kinds:expr, [$($req:literal),*], [$($t:literal),*])
    ),* $(,)?]) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use union::{de, kinds::*, Candidate as C};
                let candidates = [$(
                    C::new(stringify!($variant), $kinds, 0, |v| {
                        de(v).map(union_de!(@wrap $variant $($boxed)?))
                    })
                    .required(&[$($req),*])
                    .tags(&[$($t),*]),
                )*];
                union::deserialize_tagged(d, stringify!($name), $tag, &candidates)
            }
        }
    };
    (@wrap $variant:ident) => {
        Self::$variant
    };
    (@wrap $variant:ident boxed) => {
        |x| Self::$variant(Box::new(x))
    };
    (@other) => {
        None
    };
    (@other $other:ident) => {
        Some(Self::$other as fn(_) -> Self)
    };
}

#[allow(unused_imports)]
#[doc(hidden)]
pub use crate::union_de;

#[cfg(test)]
mod tests {
    // `super::super`: the crate root here, `runtime` in a generated crate.
    use super::super::union::{self, Table};
    use serde_json::json;
    use std::sync::LazyLock;

    // One node: no variant declares a key, so the spec's order decides.
    static SHAPES: LazyLock<Table> = LazyLock::new(|| Table::read("1 L 0 0 0 0"));

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct ById {
        id: i64,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Named {
        name: String,
    }

    #[derive(Debug, PartialEq)]
    enum Selector {
        ById(ById),
        Named(Box<Named>),
        Text(String),
    }

    union_de!(
        Selector,
        untagged(0),
        [
            ById(OBJECT, 0, ["id"]),
            #[boxed]
            Named(OBJECT, 0, ["name"]),
            Text(STRING, 0, []),
        ]
    );

    /// With a catch-all: this table declares no key, so every object is
    /// one no variant knows.
    #[derive(Debug, PartialEq)]
    enum Loose {
        ById(ById),
        Other(serde_json::Map<String, serde_json::Value>),
    }

    union_de!(Loose, untagged(0, Other), [ById(OBJECT, 0, ["id"])]);

    #[derive(Debug, PartialEq)]
    enum Sink {
        Email(Named),
        User(ById),
    }

    union_de!(
        Sink,
        tagged("type"),
        [
            Email(OBJECT, ["type", "name"], ["email"]),
            User(OBJECT, ["type", "id"], ["user"]),
        ]
    );

    fn read<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn untagged_picks_by_required_keys_and_kind() {
        assert_eq!(read(json!({"id": 3})), Ok(Selector::ById(ById { id: 3 })));
        let named = Selector::Named(Box::new(Named {
            name: "pump".into(),
        }));
        assert_eq!(read(json!({"name": "pump"})), Ok(named));
        assert_eq!(read(json!("free")), Ok(Selector::Text("free".into())));
        let Ok(Loose::Other(kept)) = read(json!({"newer": true})) else {
            panic!("an unknown object is kept");
        };
        assert_eq!(kept["newer"], json!(true));
        let refused = read::<Selector>(json!(7)).unwrap_err();
        assert!(refused.contains("Selector"), "{refused}");
    }

    #[test]
    fn tagged_picks_by_the_discriminator() {
        let user = read(json!({"type": "user", "id": 9}));
        assert_eq!(user, Ok(Sink::User(ById { id: 9 })));
        let email = read(json!({"type": "email", "name": "ops"}));
        assert_eq!(email, Ok(Sink::Email(Named { name: "ops".into() })));
        let refused = read::<Sink>(json!({"type": "fax", "id": 1})).unwrap_err();
        assert!(refused.contains("fax"), "{refused}");
    }
}
