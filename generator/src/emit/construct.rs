//! How a caller builds a value of a generated struct.
//!
//! Structs are `#[non_exhaustive]`, so that a spec update that adds an
//! optional field (or query parameter) does not break code that built the
//! old struct: a literal would have to name the new field. Instead each
//! struct has `new(..)` taking its required fields, in the spec's order,
//! and a chained setter per optional field (`Params::new().limit(100)`).
//! Fields stay public for reading and for assignment.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// One field as the constructor sees it: its name, its Rust type without
/// the `Option` of an optional field, and whether `new` takes it.
pub struct Member {
    pub name: Ident,
    pub ty: TokenStream,
    pub required: bool,
    /// Taken as `impl Into<ty>`: for `String` (so `"pump"` will do) and
    /// `Box<T>` (so a `T` will). Other types are taken as they are, so
    /// that `vec!["a".into()]` and `100` still infer.
    pub convert: bool,
}

impl Member {
    fn param_ty(&self) -> TokenStream {
        let ty = &self.ty;
        if self.convert {
            quote!(impl Into<#ty>)
        } else {
            quote!(#ty)
        }
    }
}

/// Setter names that would clash with `new` or with a trait method that
/// generated code calls by method syntax: such a setter is `with_<name>`.
const TAKEN: [&str; 8] = [
    "new", "check", "validate", "clone", "eq", "fmt", "default", "into",
];

/// `new(..)` and the setters, in one call of `runtime::constructor!`
/// (the macro writes the `impl`). `extra` adds the empty
/// `additional_properties` map. A struct without required members derives
/// `Default` (the emitters of structs and of `Params` see to it), so its
/// `new()` is the default.
pub fn constructors(name: &Ident, members: &[Member], extra: bool) -> TokenStream {
    let taken = members.iter().filter(|m| m.required).map(|m| {
        let (n, ty) = (&m.name, &m.ty);
        let into = m.convert.then(|| quote!(into));
        quote!(#n(#into #ty))
    });
    let unset = members.iter().filter(|m| !m.required).map(setter);
    let extra = extra.then(|| quote!(, extra));
    quote! {
        constructor!(#name, [#(#taken),*], [#(#unset),*] #extra);
    }
}

/// A union variant that holds an object of one field (`{"externalId": ..}`,
/// `{"set": ..}`): the union gets a constructor named after the field, so
/// a caller writes `Identity::external_id("pump-1")` instead of spelling
/// out the variant and its struct.
pub struct Selector {
    pub variant: Ident,
    /// The variant's struct.
    pub structure: Ident,
    pub member: Member,
    /// The field's type with aliases followed, when a plain value of it
    /// reads as this variant (a string, a number, a named type).
    pub from: Option<TokenStream>,
}

/// A way to make a union from a value of type `from`, named `value`.
pub struct Conversion {
    pub from: TokenStream,
    pub via: Converter,
}

/// How a conversion makes the union from `value`.
pub enum Converter {
    /// `Self::<name>(value)`: a variant, or a constructor of one.
    Call(Ident),
    /// Any other expression of `value`.
    Expr(TokenStream),
}

/// `impl Name { fn <field>(..) }` for each selector whose field name is
/// its own; returns it with the conversions those constructors offer.
pub fn selectors(
    name: &Ident,
    cfg: &TokenStream,
    list: &[Selector],
) -> (TokenStream, Vec<Conversion>) {
    let usable: Vec<&Selector> = list
        .iter()
        .filter(|s| {
            let method = s.member.name.to_string();
            let same = list
                .iter()
                .filter(|o| o.member.name == s.member.name)
                .count();
            !TAKEN.contains(&method.as_str()) && same == 1
        })
        .collect();
    if usable.is_empty() {
        return (TokenStream::new(), Vec::new());
    }
    let methods = usable.iter().map(|s| selector(s));
    let conversions = usable
        .iter()
        .filter_map(|s| {
            let method = &s.member.name;
            Some(Conversion {
                from: s.from.clone()?,
                via: Converter::Call(method.clone()),
            })
        })
        .collect();
    let item = quote! {
        #cfg
        impl #name {
            #(#methods)*
        }
    };
    (item, conversions)
}

/// Built through the struct's own `new` and setter, which take the value
/// as this method does: a literal could not name a struct that a crate of
/// other types defines (it is `#[non_exhaustive]`).
fn selector(s: &Selector) -> TokenStream {
    let (m, variant, structure) = (&s.member, &s.variant, &s.structure);
    let (field, ty) = (&m.name, m.param_ty());
    let value = if m.required {
        quote!(#structure::new(value))
    } else {
        let setter = setter_name(field);
        quote!(#structure::new().#setter(value))
    };
    let doc = format!(" The `{variant}` variant, holding only `{field}`.");
    quote! {
        #[doc = #doc]
        pub fn #field(value: #ty) -> Self {
            Self::#variant(#value)
        }
    }
}

/// The setter of `field`: its own name, or `with_<name>` where that is
/// [`TAKEN`].
fn setter_name(field: &Ident) -> Ident {
    let plain = field.to_string();
    if TAKEN.contains(&plain.as_str()) {
        format_ident!("with_{}", plain)
    } else {
        field.clone()
    }
}

/// `impl From<T> for Name` for each type only one conversion takes (two
/// would leave the choice of variant to a guess), and `From<&str>` beside
/// `From<String>`. Those that call a variant or constructor are one
/// `runtime::conversions!` call (imported by every file of types).
pub fn conversions(name: &Ident, cfg: &TokenStream, list: &[Conversion]) -> TokenStream {
    let own = name.to_string();
    let (mut calls, mut impls) = (Vec::new(), Vec::new());
    for c in list {
        let from = c.from.to_string();
        let same = list.iter().filter(|o| o.from.to_string() == from).count();
        if same > 1 || from == own {
            continue;
        }
        let ty = &c.from;
        match &c.via {
            Converter::Call(ctor) => calls.push(quote!(#ctor(#ty))),
            Converter::Expr(value) => impls.push(from_impl(name, cfg, ty, value)),
        }
        if from == "String" {
            let value = quote!(Self::from(String::from(value)));
            impls.push(from_impl(name, cfg, &quote!(&str), &value));
        }
    }
    let calls = (!calls.is_empty()).then(|| quote!(#cfg conversions!(#name { #(#calls),* });));
    quote!(#calls #(#impls)*)
}

fn from_impl(
    name: &Ident,
    cfg: &TokenStream,
    ty: &TokenStream,
    value: &TokenStream,
) -> TokenStream {
    quote! {
        #cfg
        impl From<#ty> for #name {
            fn from(value: #ty) -> Self {
                #value
            }
        }
    }
}

/// A setter's entry in `constructor!`: `field(Ty)`, `field(into Ty)`, and
/// `field => method(..)` where the method cannot take the field's name.
fn setter(m: &Member) -> TokenStream {
    let (field, ty) = (&m.name, &m.ty);
    let method = setter_name(field);
    let renamed = (method != *field).then(|| quote!(=> #method));
    let into = m.convert.then(|| quote!(into));
    quote!(#field #renamed (#into #ty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::types::ident;

    fn member(name: &str, ty: TokenStream, required: bool, convert: bool) -> Member {
        Member {
            name: ident(name),
            ty,
            required,
            convert,
        }
    }

    #[test]
    fn selectors_construct_by_field_and_convert_from_unambiguous_types() {
        let select = |variant: &str, m: Member, from: Option<TokenStream>| Selector {
            variant: ident(variant),
            structure: ident(&format!("{variant}Struct")),
            member: m,
            from,
        };
        let list = [
            select(
                "ById",
                member("id", quote!(i64), true, false),
                Some(quote!(i64)),
            ),
            select(
                "ByExternalId",
                member("external_id", quote!(String), false, true),
                Some(quote!(String)),
            ),
            // Two variants hold a `name`: neither gets a constructor.
            select("A", member("name", quote!(String), true, true), None),
            select("B", member("name", quote!(String), true, true), None),
        ];
        let (item, conversions) = selectors(&ident("Identity"), &quote!(), &list);
        let text = item.to_string();
        assert!(
            text.contains(
                "pub fn id (value : i64) -> Self { Self :: ById (ByIdStruct :: new (value))"
            ),
            "{text}"
        );
        assert!(
            text.contains("pub fn external_id (value : impl Into < String >) -> Self { Self :: ByExternalId (ByExternalIdStruct :: new () . external_id (value))"),
            "{text}"
        );
        assert!(!text.contains("fn name"), "{text}");
        let variant = Conversion {
            from: quote!(ByIdStruct),
            via: Converter::Call(ident("ById")),
        };
        let nested = Conversion {
            from: quote!(Inner),
            via: Converter::Expr(quote!(Self::Outer(Box::new(value)))),
        };
        let twice = Conversion {
            from: quote!(i64),
            via: Converter::Call(ident("Other")),
        };
        let all: Vec<Conversion> = conversions.into_iter().chain([variant, nested]).collect();
        let text = super::conversions(&ident("Identity"), &quote!(), &all).to_string();
        assert!(
            text.starts_with("conversions ! (Identity { id (i64) , external_id (String) , ById (ByIdStruct) }) ;"),
            "{text}"
        );
        assert!(text.contains("impl From < & str > for Identity"), "{text}");
        assert!(
            text.contains("impl From < Inner > for Identity { fn from (value : Inner) -> Self { Self :: Outer (Box :: new (value)) } }"),
            "{text}"
        );
        // A type two conversions take gets none.
        let all: Vec<Conversion> = [twice].into_iter().chain(all).collect();
        let text = super::conversions(&ident("Identity"), &quote!(), &all).to_string();
        assert!(!text.contains("(i64)"), "{text}");
    }

    #[test]
    fn a_setter_that_would_shadow_a_method_is_prefixed() {
        let members = [
            Member {
                name: ident("id"),
                ty: quote!(i64),
                required: true,
                convert: false,
            },
            Member {
                name: ident("new"),
                ty: quote!(String),
                required: false,
                convert: true,
            },
            Member {
                name: ident("type_"),
                ty: quote!(String),
                required: false,
                convert: true,
            },
        ];
        let text = constructors(&ident("Thing"), &members, false).to_string();
        assert_eq!(
            text,
            "constructor ! (Thing , [id (i64)] , [new => with_new (into String) , type_ (into String)]) ;"
        );
    }
}
