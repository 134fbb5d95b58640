//! The `From` impls of a generated union: one for each variant's type and
//! for each shortcut its constructors take (`Identity::from(42)`). Hundreds
//! of unions have them, every impl alike, so a union's are one call.

/// `impl From<Ty> for Name` for each `ctor(Ty)`, which converts through
/// `Name::ctor`, a variant or a constructor:
/// `conversions!(Identity { Id(i64), external_id(String) });`.
// Exported so that a crate of types split off the client can expand it;
// its home is this module (below).
#[doc(hidden)]
#[macro_export]
macro_rules! conversions {
    ($name:ident { $($ctor:ident($ty:ty)),* $(,)? }) => {
        $(
            impl From<$ty> for $name {
                fn from(value: $ty) -> Self {
                    Self::$ctor(value)
                }
            }
        )*
    };
}

#[allow(unused_imports)]
#[doc(hidden)]
pub use crate::conversions;

#[cfg(test)]
mod tests {
    // `conversions!` is in scope by its place in this file.
    #[derive(Debug, PartialEq)]
    enum Identity {
        Id(i64),
        ExternalId(String),
        Many(Vec<i64>),
    }

    impl Identity {
        fn external_id(value: String) -> Self {
            Self::ExternalId(value)
        }
    }

    conversions!(Identity { Id(i64), external_id(String), Many(Vec<i64>) });

    #[test]
    fn each_entry_is_one_from() {
        assert_eq!(Identity::from(7), Identity::Id(7));
        let named = Identity::from(String::from("pump"));
        assert_eq!(named, Identity::ExternalId("pump".into()));
        assert_eq!(Identity::from(vec![1, 2]), Identity::Many(vec![1, 2]));
    }
}
