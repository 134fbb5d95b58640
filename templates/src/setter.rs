//! The chained setter every optional field of a generated struct gets
//! (`Params::new().limit(100)`). There are thousands of them, all alike, so
//! the crate writes each as one line and this macro writes the method.

/// `pub fn field(mut self, value: Ty) -> Self`, which sets the `Option`
/// field to `Some(value)`. The short forms call the long ones through
/// the name `setter`, which the calling module imports.
///
/// - `setter!(field, Ty)` takes a `Ty`;
/// - `setter!(field, into Ty)` takes `impl Into<Ty>` (so `"pump"` will do for a
///   `String`, and a `T` for a `Box<T>`);
/// - `setter!(method(field), ..)` names the method apart from the field, where the
///   field's name is taken by another method (`with_default`).
// Exported so that a crate of types split off the client can expand it;
// its home is this module (below).
#[doc(hidden)]
#[macro_export]
macro_rules! setter {
    ($field:ident, into $ty:ty) => {
        setter!($field($field), into $ty);
    };
    ($field:ident, $ty:ty) => {
        setter!($field($field), $ty);
    };
    ($method:ident($field:ident), into $ty:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $method(mut self, value: impl Into<$ty>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    ($method:ident($field:ident), $ty:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $method(mut self, value: $ty) -> Self {
            self.$field = Some(value);
            self
        }
    };
}

#[allow(unused_imports)]
#[doc(hidden)]
pub use crate::setter;

#[cfg(test)]
mod tests {
    // `setter!` is in scope by its place in this file.
    #[derive(Debug, Clone, Default, PartialEq)]
    struct Params {
        limit: Option<i32>,
        name: Option<String>,
        default: Option<bool>,
        parent: Option<Box<Params>>,
    }

    impl Params {
        setter!(limit, i32);
        setter!(name, into String);
        setter!(with_default(default), bool);
        setter!(with_parent(parent), into Box<Params>);
    }

    #[test]
    fn each_form_sets_its_field() {
        let inner = Params::default().limit(1);
        let p = Params::default()
            .limit(100)
            .name("pump")
            .with_default(true)
            .with_parent(inner.clone());
        assert_eq!(p.limit, Some(100));
        assert_eq!(p.name.as_deref(), Some("pump"));
        assert_eq!(p.default, Some(true));
        assert_eq!(p.parent, Some(Box::new(inner)));
    }
}
