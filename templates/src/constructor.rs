//! The `new` and the setters of a generated struct: `new` takes the
//! required fields, in the spec's order, and leaves the optional ones
//! unset for the setters. Two thousand structs have them, all alike, so
//! each struct's are one call.

/// `impl Name { new(..) and a setter per optional field }`.
///
/// - `constructor!(Sequence, [id(i64), name(into String)], [limit(i64),
///   note(into String)])`: `new` takes `id` as it is and `name` as
///   `impl Into<String>` (so `"pump"` will do, and a `T` for a `Box<T>`),
///   and sets `limit` and `note` to `None`; their setters (`setter!`) take
///   an `i64` and an `impl Into<String>`;
/// - `new => with_new(i64)` names a setter apart from its field, where the
///   field's name is taken by another method;
/// - a trailing `extra` also starts the `additional_properties` map empty;
/// - with no required field, `new()` is `Self::default()`.
///
/// Inside an `impl`, `constructor!([..], [names], ..)` and
/// `constructor!()` write `new` alone.
// Exported so that a crate of types split off the client can expand it;
// its home is this module (below).
#[doc(hidden)]
#[macro_export]
macro_rules! constructor {
    ($name:ident, [$($req:tt)*], [$($f:ident $(=> $m:ident)? ($($ty:tt)*)),*] $(, $extra:ident)?) => {
        impl $name {
            constructor!(@new [$($req)*], [$($f),*] $(, $extra)?);
            $(constructor!(@set $f $(=> $m)?, $($ty)*);)*
        }
    };
    (@new [], [$($f:ident),*] $(, $extra:ident)?) => {
        constructor!();
    };
    (@new [$($req:tt)+], [$($f:ident),*]) => {
        constructor!([$($req)+], [$($f),*]);
    };
    (@new [$($req:tt)+], [$($f:ident),*], extra) => {
        constructor!([$($req)+], [$($f),*], extra);
    };
    (@set $f:ident => $m:ident, $($ty:tt)*) => {
        setter!($m($f), $($ty)*);
    };
    (@set $f:ident, $($ty:tt)*) => {
        setter!($f, $($ty)*);
    };
    () => {
        /// A value with every field unset; chain the setters to fill it in.
        pub fn new() -> Self {
            Self::default()
        }
    };
    ([$($req:tt)*], [$($opt:ident),*]) => {
        constructor!(@take [] [] [$($req)*] [$($opt),*] []);
    };
    ([$($req:tt)*], [$($opt:ident),*], extra) => {
        constructor!(@take [] [] [$($req)*] [$($opt),*] [additional_properties: Default::default(),]);
    };
    // One required field at a time, into the parameter list and the fields.
    (@take [$($param:tt)*] [$($init:tt)*] [$n:ident(into $ty:ty) $(, $($rest:tt)*)?] $opt:tt $extra:tt) => {
        constructor!(@take [$($param)* $n: impl Into<$ty>,] [$($init)* $n: $n.into(),] [$($($rest)*)?] $opt $extra);
    };
    (@take [$($param:tt)*] [$($init:tt)*] [$n:ident($ty:ty) $(, $($rest:tt)*)?] $opt:tt $extra:tt) => {
        constructor!(@take [$($param)* $n: $ty,] [$($init)* $n,] [$($($rest)*)?] $opt $extra);
    };
    (@take [$($param:tt)*] [$($init:tt)*] [] [$($opt:ident),*] [$($extra:tt)*]) => {
        /// A value with the required fields; chain the setters for the optional ones.
        // Clippy's limit; a schema with more required fields is the spec's call.
        #[allow(clippy::too_many_arguments)]
        pub fn new($($param)*) -> Self {
            Self {
                $($init)*
                $($opt: None,)*
                $($extra)*
            }
        }
    };
}

#[allow(unused_imports)]
#[doc(hidden)]
pub use crate::constructor;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    // `constructor!` is in scope by its place in this file.
    #[derive(Debug, PartialEq)]
    struct Sequence {
        id: i64,
        name: String,
        columns: Vec<String>,
        parent: Box<Option<i64>>,
        limit: Option<i32>,
        note: Option<String>,
    }

    // The setters' macro, by the name the generated modules import it
    // (`super::super`: the crate root here, `runtime` in a generated crate).
    use super::super::setter::setter;

    constructor!(
        Sequence,
        [id(i64), name(into String), columns(Vec<String>), parent(into Box<Option<i64>>)],
        [limit(i32), note => with_note(into String)]
    );

    #[derive(Debug, PartialEq, Default)]
    struct Loose {
        id: i64,
        additional_properties: BTreeMap<String, String>,
    }

    constructor!(Loose, [id(i64)], [], extra);

    #[derive(Debug, PartialEq, Default)]
    struct Params {
        limit: Option<i32>,
    }

    impl Params {
        constructor!();
    }

    #[derive(Debug, PartialEq, Default)]
    struct Quiet {
        limit: Option<i32>,
    }

    constructor!(Quiet, [], [limit(i32)]);

    #[test]
    fn required_fields_are_taken_in_order_and_optional_ones_unset() {
        let s = Sequence::new(7, "pump", vec!["a".into()], Some(1));
        let want = Sequence {
            id: 7,
            name: "pump".into(),
            columns: vec!["a".into()],
            parent: Box::new(Some(1)),
            limit: None,
            note: None,
        };
        assert_eq!(s, want);
        assert_eq!(
            Loose::new(3),
            Loose {
                id: 3,
                additional_properties: BTreeMap::new()
            }
        );
        assert_eq!(Params::new(), Params { limit: None });
        assert_eq!(Quiet::new().limit(5), Quiet { limit: Some(5) });
        let set = Sequence::new(1, "p", vec![], None).limit(3).with_note("n");
        assert_eq!((set.limit, set.note.as_deref()), (Some(3), Some("n")));
    }
}
