//! IR type definitions → Rust items (token streams).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::construct::{self, Member};
use super::rust_type::RustType;
use crate::ir::{Field, Ir, Kinds, StringEnum, Struct, Ty, TypeDef, TypeKind, Union};
use crate::naming;

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "..."]` lines; quote escapes the text, so nothing in a
/// description can leave the attribute.
pub fn doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else { return quote!() };
    let lines = doc_lines(doc).into_iter().map(|l| quote!(#[doc = #l]));
    quote!(#(#lines)*)
}

/// Spec Markdown made safe for rustdoc: rustdoc compiles every untagged
/// fenced block and every indented block as a Rust doctest, and spec
/// examples are JSON or prose. Untagged fences become `text`; indented
/// lines outside fences lose the indent that would make them code. Tabs
/// become four spaces (clippy refuses tabs in docs). Prose outside fences
/// goes through [`super::prose`] for rustdoc's link and HTML lints.
pub fn doc_lines(doc: &str) -> Vec<String> {
    let mut in_fence = false;
    let doc = doc.replace('\t', "    ");
    let tags = super::prose::Tags::of(prose_lines(&doc));
    let mut out: Vec<String> = doc
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let fence = fence_info(line);
            let text = if let Some(info) = fence {
                let opening = !in_fence;
                in_fence = !in_fence;
                if opening && !info.trim().is_empty() && !is_rust_fence(info) {
                    trimmed.to_string()
                } else if opening {
                    "```text".to_string()
                } else {
                    "```".to_string()
                }
            } else if in_fence {
                line.trim_end().to_string()
            } else if line.starts_with("    ") {
                format!("  {}", tags.tidy(trimmed))
            } else {
                tags.tidy(line.trim_end())
            };
            format!(" {text}")
        })
        .collect();
    if in_fence {
        out.push(" ```".to_string());
    }
    out
}

/// The lines of `doc` outside fenced blocks.
fn prose_lines(doc: &str) -> impl Iterator<Item = &str> {
    let mut in_fence = false;
    doc.lines().filter(move |line| {
        if is_fence(line) {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
    })
}

/// A fence is a run of 3+ backticks whose info string has none
/// (CommonMark); "```sources``` field" is inline code, not a fence.
fn fence_info(line: &str) -> Option<&str> {
    line.trim_start()
        .strip_prefix("```")
        .map(|rest| rest.trim_start_matches('`'))
        .filter(|info| !info.contains('`'))
}

fn is_fence(line: &str) -> bool {
    fence_info(line).is_some()
}

fn is_rust_fence(info: &str) -> bool {
    info.split(',').any(|t| {
        matches!(
            t.trim(),
            "rust"
                | "ignore"
                | "should_panic"
                | "no_run"
                | "compile_fail"
                | "edition2015"
                | "edition2018"
                | "edition2021"
                | "edition2024"
        )
    })
}

pub struct TypeEmitter<'a> {
    pub(super) ir: &'a Ir,
    pub(super) recursive_alias: Vec<bool>,
    /// Types that get `impl Validate` (see [`super::validate`]).
    pub(super) needs_validate: Vec<bool>,
    /// Structs that get `new` and setters (see [`construct`]): those a
    /// caller builds. A type only read from answers gets none.
    pub(super) buildable: Vec<bool>,
}

impl<'a> TypeEmitter<'a> {
    pub fn new(ir: &'a Ir) -> Self {
        let mut emitter = TypeEmitter {
            ir,
            recursive_alias: crate::ir::cycles::recursive_aliases(ir),
            needs_validate: Vec::new(),
            buildable: crate::ir::access::buildable(ir),
        };
        emitter.needs_validate = emitter.validate_needs();
        emitter
    }

    pub fn ty(&self, ty: &Ty) -> TokenStream {
        RustType::of(self.ir, ty).tokens()
    }

    fn field_ty(&self, ty: &Ty, boxed: bool) -> TokenStream {
        RustType::member(self.ir, ty, boxed, 0).tokens()
    }

    pub fn def(&self, index: usize, def: &TypeDef) -> TokenStream {
        let cfg = match super::crates::home(self.ir, def) {
            super::crates::Home::Group(_) => quote!(),
            _ => cfg_attr(&def.features),
        };
        let doc = doc_attrs(type_doc(def).as_deref());
        let doc = quote!(#cfg #doc);
        let name = ident(&def.name);
        let validate = self.validate_impl(index, def, &cfg);
        let item = match &def.kind {
            TypeKind::Struct(s) => {
                let built = self.buildable[index];
                self.structure(&doc, &cfg, &name, s, built)
            }
            TypeKind::Enum(e) => string_enum(&doc, &cfg, &name, e),
            TypeKind::Union(u) => self.union(&doc, &cfg, &name, index, u),
            TypeKind::Alias(ty) if self.recursive_alias[index] => {
                let ty = self.field_ty(ty, true);
                quote! {
                    #doc
                    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
                    #[serde(transparent)]
                    pub struct #name(pub #ty);
                }
            }
            TypeKind::Alias(ty) => {
                let ty = self.ty(ty);
                quote! {
                    #doc
                    pub type #name = #ty;
                }
            }
        };
        quote!(#item #validate)
    }

    fn structure(
        &self,
        doc: &TokenStream,
        cfg: &TokenStream,
        name: &Ident,
        s: &Struct,
        buildable: bool,
    ) -> TokenStream {
        let serde = serde_struct(name, s).map(|item| quote!(#cfg #item));
        let fields = s.fields.iter().map(|f| self.field(f, serde.is_none()));
        let extra = s.extra.as_ref().map(|ty| {
            let ty = self.ty(ty);
            quote! {
                /// Properties beyond the declared ones (`additionalProperties`).
                #[serde(flatten)]
                pub additional_properties: std::collections::BTreeMap<String, #ty>,
            }
        });
        let all_optional = s.fields.iter().all(|f| !f.required);
        let derive_default = all_optional.then(|| quote!(, Default));
        let derive_serde = serde.is_none().then(|| {
            let rename_all =
                (!s.fields.is_empty()).then(|| quote!(#[serde(rename_all = "camelCase")]));
            quote!(#[derive(serde::Serialize, serde::Deserialize)] #rename_all)
        });
        let constructors = buildable.then(|| {
            let members: Vec<Member> = s.fields.iter().map(|f| self.member(f)).collect();
            let item = construct::constructors(name, &members, s.extra.is_some());
            quote!(#cfg #item)
        });
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq #derive_default)]
            #derive_serde
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
                #extra
            }

            #serde

            #constructors
        }
    }

    /// `String`, or an alias of it (`CogniteExternalId`).
    pub(super) fn is_string(&self, ty: &Ty) -> bool {
        !matches!(ty, Ty::Nullable(_)) && self.ir.resolve(ty) == Ty::String
    }

    /// A field as [`construct`] sees it: the type `new` or the setter takes.
    fn member(&self, f: &Field) -> Member {
        let inner = match (&f.ty, f.required || f.flatten) {
            (Ty::Nullable(inner), false) => inner.as_ref(),
            (other, _) => other,
        };
        Member {
            name: ident(&f.name),
            ty: self.field_ty(inner, f.boxed),
            required: f.required || f.flatten,
            convert: f.boxed || self.is_string(inner),
        }
    }

    /// A field's declaration; `derived` when serde's derive reads its
    /// attributes (a struct `serde_struct!` serves has none).
    fn field(&self, f: &Field, derived: bool) -> TokenStream {
        let doc = doc_attrs(f.doc.as_deref());
        let name = ident(&f.name);
        if f.flatten {
            let ty = self.field_ty(&f.ty, f.boxed);
            return quote! { #doc #[serde(flatten)] pub #name: #ty, };
        }
        let ty = RustType::slot(self.ir, &f.ty, f.required, f.boxed, 0).tokens();
        if !derived {
            return quote! { #doc pub #name: #ty, };
        }
        let rename = (naming::serde_camel_case(&f.name) != f.wire).then(|| {
            let wire = &f.wire;
            quote!(#[serde(rename = #wire)])
        });
        // Absent and `null` both read as `None`; `None` is not sent.
        let optional = (!f.required)
            .then(|| quote!(#[serde(default, skip_serializing_if = "Option::is_none")]));
        quote! { #doc #rename #optional pub #name: #ty, }
    }

    fn union(
        &self,
        doc: &TokenStream,
        cfg: &TokenStream,
        name: &Ident,
        index: usize,
        u: &Union,
    ) -> TokenStream {
        let variants = u.variants.iter().map(|v| {
            let vname = ident(&v.name);
            let ty = self.field_ty(&v.ty, v.boxed);
            quote!(#vname(#ty),)
        });
        let other_variant = u.other.as_deref().map(|other| {
            let other = ident(other);
            quote! {
                /// An object none of whose keys a variant declares (one newer
                /// than the spec, say): kept as it came, and sent back unchanged.
                #other(serde_json::Map<String, serde_json::Value>),
            }
        });
        let entries = u.variants.iter().map(|v| {
            let vname = ident(&v.name);
            let kinds = kinds_tokens(v.kinds);
            let boxed = v.boxed.then(|| quote!(#[boxed]));
            let keys = &v.required;
            match &u.tag {
                Some(_) => {
                    let tags = &v.tags;
                    quote!(#boxed #vname(#kinds, [#(#keys),*], [#(#tags),*]))
                }
                None => {
                    let shape = number(self.ir.shapes.node_of(&v.ty));
                    quote!(#boxed #vname(#kinds, #shape, [#(#keys),*]))
                }
            }
        });
        let how = match &u.tag {
            Some(tag) => quote!(tagged(#tag)),
            None => {
                let node = number(self.ir.shapes.of_union(index));
                let other = u.other.as_deref().map(|o| {
                    let o = ident(o);
                    quote!(, #o)
                });
                quote!(untagged(#node #other))
            }
        };
        let selectors = self.buildable[index].then(|| {
            let (methods, mut conversions) =
                construct::selectors(name, cfg, &self.selectors(index, u));
            conversions.extend(self.variant_conversions(index, u));
            let froms = construct::conversions(name, cfg, &conversions);
            quote!(#methods #froms)
        });
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, serde::Serialize)]
            #[serde(untagged)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                #other_variant
            }

            #cfg
            union_de!(#name, #how, [#(#entries),*]);

            #selectors
        }
    }

    /// The variants that hold an object of exactly one field.
    fn selectors(&self, union: usize, u: &Union) -> Vec<construct::Selector> {
        u.variants
            .iter()
            .filter(|v| !v.boxed)
            .filter_map(|v| {
                let Some(Ty::Named(id)) = self.plain_ty(&v.ty) else {
                    return None;
                };
                let def = &self.ir.types[id.0];
                let TypeKind::Struct(s) = &def.kind else {
                    return None;
                };
                if !self.buildable[id.0] {
                    return None;
                }
                let [f] = s.fields.as_slice() else {
                    return None;
                };
                if s.extra.is_some() || f.flatten {
                    return None;
                }
                let member = self.member(f);
                let taken = match (&f.ty, f.required) {
                    (Ty::Nullable(inner), false) => inner.as_ref(),
                    (other, _) => other,
                };
                Some(construct::Selector {
                    variant: ident(&v.name),
                    structure: ident(&def.name),
                    from: self.convertible(taken, union),
                    member,
                })
            })
            .collect()
    }

    /// Conversions into the union from each variant's type, and from the
    /// variants of a union that one variant holds (a `SequencesPrefixFilter`
    /// is a `SequencesFilterLanguage` through `SequencesLeafFilter`).
    fn variant_conversions(&self, union: usize, u: &Union) -> Vec<construct::Conversion> {
        let wrap = |boxed: bool, value: TokenStream| {
            if boxed {
                quote!(Box::new(#value))
            } else {
                value
            }
        };
        let mut out = Vec::new();
        for v in &u.variants {
            let vname = ident(&v.name);
            let into_self = |inner: TokenStream| {
                let inner = wrap(v.boxed, inner);
                construct::Converter::Expr(quote!(Self::#vname(#inner)))
            };
            if let Some(from) = self.convertible(&v.ty, union) {
                let via = if v.boxed {
                    into_self(quote!(value))
                } else {
                    construct::Converter::Call(vname.clone())
                };
                out.push(construct::Conversion { from, via });
            }
            let Some(Ty::Named(id)) = self.plain_ty(&v.ty) else {
                continue;
            };
            let TypeKind::Union(nested) = &self.ir.types[id.0].kind else {
                continue;
            };
            let nested_name = ident(&self.ir.types[id.0].name);
            for w in &nested.variants {
                let Some(from) = self.convertible(&w.ty, union) else {
                    continue;
                };
                let (wname, value) = (ident(&w.name), wrap(w.boxed, quote!(value)));
                out.push(construct::Conversion {
                    from,
                    via: into_self(quote!(#nested_name::#wname(#value))),
                });
            }
        }
        out
    }

    /// `ty` with aliases followed while it stays the same Rust type: `None`
    /// through a nullable one (an `Option`).
    fn plain_ty(&self, ty: &Ty) -> Option<Ty> {
        let (ty, nullable) =
            ty.underneath(|id| (!self.recursive_alias[id.0]).then(|| &self.ir.types[id.0].kind));
        (!nullable).then_some(ty)
    }

    /// The Rust type a union converts from, when a plain value of it says
    /// which variant it is: a string, a number or a named type other than
    /// the union itself (not a `bool`, a list or free-form JSON).
    fn convertible(&self, ty: &Ty, union: usize) -> Option<TokenStream> {
        match self.plain_ty(ty)? {
            Ty::Boolean | Ty::Any | Ty::FreeObject | Ty::Array(_) | Ty::Map(_) => None,
            Ty::Named(id) if id.0 == union => None,
            other => Some(self.ty(&other)),
        }
    }
}

/// `src/types/shapes.rs`: the table that `runtime::union` ranks variants by.
/// `public` when the crates of other groups' types read it too (hidden:
/// it is data for the union macro, not API).
pub fn shapes_module(ir: &Ir, public: bool) -> TokenStream {
    let visibility = if public {
        quote!(#[doc(hidden)] pub)
    } else {
        quote!(pub(crate))
    };
    let table = table_literal(&ir.shapes.view().encode());
    quote! {
        //! What every type a union can hold declares: the keys, at every
        //! depth, that tell one variant from another (see
        //! [`runtime::union`](crate::runtime::union)).
        use std::sync::LazyLock;

        use crate::runtime::union::Table;

        /// Node 0 is the leaf that scalars share, node 1 free-form JSON.
        /// Kept as text (`TABLE`) and read on first use.
        #[allow(dead_code)]
        #visibility static SHAPES: LazyLock<Table> = LazyLock::new(|| Table::read(TABLE));

        /// [`SHAPES`] as [`Table::read`] reads it.
        const TABLE: &str = #table;
    }
}

/// One string literal of `tokens`, joined by spaces and continued on a new
/// line (`\` at the end of a line) about every 90 columns, between tokens:
/// a continuation drops the next line's leading spaces, and no token
/// starts with one.
fn table_literal(tokens: &[String]) -> proc_macro2::Literal {
    let mut source = String::from("\"");
    let mut width = 0;
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            source.push(' ');
            width += 1;
        }
        if width > 90 {
            source.push_str("\\\n");
            width = 0;
        }
        let escaped: String = token.escape_debug().collect();
        width += escaped.len();
        source.push_str(&escaped);
    }
    source.push('"');
    // A literal proc-macro2 lexes as one: if it did not, the same value
    // on one line.
    source
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::string(&tokens.join(" ")))
}

/// `12`, not quote's `12u32`: the table's type says what it is.
fn number(n: u32) -> proc_macro2::Literal {
    proc_macro2::Literal::u32_unsuffixed(n)
}

fn kinds_tokens(k: Kinds) -> TokenStream {
    if k == Kinds::ANY {
        return quote!(ANY);
    }
    let names = [
        (Kinds::NULL.0, "NULL"),
        (Kinds::BOOL.0, "BOOL"),
        (Kinds::NUMBER.0, "NUMBER"),
        (Kinds::INTEGER.0, "INTEGER"),
        (Kinds::STRING.0, "STRING"),
        (Kinds::ARRAY.0, "ARRAY"),
        (Kinds::OBJECT.0, "OBJECT"),
    ];
    let mut left = k.0;
    let mut parts = Vec::new();
    for (bits, name) in names {
        if left & bits == bits && bits != 0 {
            parts.push(format_ident!("{}", name));
            left &= !bits;
        }
    }
    if parts.is_empty() {
        return quote!(0);
    }
    quote!(#(#parts)|*)
}

/// A plain enum and, beside it, one `runtime::string_enum!` (imported
/// by every file of types) that holds the wire values and writes
/// `as_str`, serde's traits and the ones every string enum shares.
fn string_enum(doc: &TokenStream, cfg: &TokenStream, name: &Ident, e: &StringEnum) -> TokenStream {
    let variants = e.values.iter().map(|v| {
        let (vname, wire) = (ident(&v.name), format!(" `{}`", v.wire));
        quote!(#[doc = #wire] #vname,)
    });
    let wires = e.values.iter().map(|v| {
        let (vname, wire) = (ident(&v.name), &v.wire);
        quote!(#vname = #wire)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the crate does not know.
            Other(String),
        }

        #cfg
        string_enum!(#name { #(#wires),* });
    }
}

/// `Serialize` and `Deserialize` through `runtime::serde_struct!`
/// (imported by every file of types), which costs the compiler a fraction
/// of serde's derives: the fields in declaration order, each marked
/// required or optional and given its wire name. A struct that flattens a
/// part or keeps extra properties needs serde's buffering of the whole
/// object, so it keeps the derives (`None`).
fn serde_struct(name: &Ident, s: &Struct) -> Option<TokenStream> {
    if s.extra.is_some() || s.fields.iter().any(|f| f.flatten) {
        return None;
    }
    let fields = s.fields.iter().map(|f| {
        let (field, wire) = (ident(&f.name), &f.wire);
        let kind = if f.required { quote!(req) } else { quote!(opt) };
        quote!(#kind #field = #wire)
    });
    Some(quote!(serde_struct!(#name, [#(#fields),*]);))
}

/// `#[cfg(any(feature = "a", ...))]` for an item needed by those features;
/// nothing for an item every feature needs.
pub fn cfg_attr(features: &[String]) -> TokenStream {
    match features {
        [] => quote!(),
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// The rustdoc of a type: the spec's text, then where it comes from,
/// unless that is the component schema of the type's own name, which
/// the name already says (1929 of CDF's 3698 types).
fn type_doc(def: &TypeDef) -> Option<String> {
    let own = def.pointer.strip_prefix("/components/schemas/") == Some(def.name.as_str());
    let origin = (!own).then(|| format!("Generated from `{}`.", def.pointer));
    match (&def.doc, origin) {
        (Some(doc), Some(origin)) => Some(format!("{doc}\n\n{origin}")),
        (Some(doc), None) => Some(doc.clone()),
        (None, origin) => origin,
    }
}

#[cfg(test)]
mod tests {
    use super::doc_lines;

    #[test]
    fn spec_code_blocks_never_become_doctests() {
        let doc = "Intro\n```\n{\"a\": 1}\n```\nthe ```sources``` field\n```json\n{}\n```\n\n    indented\n```rust\nlet x = 1;\n```";
        let lines: Vec<String> = doc_lines(doc)
            .into_iter()
            .map(|l| l.trim().to_string())
            .collect();
        assert_eq!(
            lines,
            vec![
                "Intro",
                "```text",
                "{\"a\": 1}",
                "```",
                "the ```sources``` field",
                "```json",
                "{}",
                "```",
                "",
                "indented",
                "```text", // Rust from the spec is shown, not compiled.
                "let x = 1;",
                "```"
            ]
        );
    }

    #[test]
    fn an_unclosed_fence_is_closed() {
        let lines = doc_lines("```\nopen");
        assert_eq!(lines.last().map(String::as_str), Some(" ```"));
    }
}
