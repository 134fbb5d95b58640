//! `impl Validate` for the generated types, and the checks an operation
//! makes before sending: the IR's [`Rules`] turned into calls on the
//! runtime's `Validator`, walking the value's Rust type (`Option`, `Vec`,
//! maps, aliases) down to the strings and numbers the rules are about.
//!
//! Only types that requests carry and that have something to check get an
//! impl: a struct whose fields have rules, or that holds (at any depth)
//! such a type. Answers are not validated (the server wrote them), so
//! types only answers carry cost nothing at compile time.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use super::types::{ident, TypeEmitter};
use crate::ir::rules::{Bound, Rules};
use crate::ir::{Field, Ty, TypeDef, TypeKind};

impl TypeEmitter<'_> {
    /// Which types need an impl: those requests carry with rules of their
    /// own, and those that reach one (a fixpoint over the type graph, so
    /// cycles are fine).
    pub(super) fn validate_needs(&self) -> Vec<bool> {
        let ir = self.ir;
        let sent = crate::ir::access::sent(ir);
        let mut needs: Vec<bool> = ir
            .types
            .iter()
            .zip(&sent)
            .map(|(def, sent)| *sent && self.own_rules(def))
            .collect();
        let edges: Vec<Vec<usize>> = ir
            .types
            .iter()
            .map(|def| {
                let mut out = Vec::new();
                def.kind.named(&mut out);
                out.into_iter().map(|id| id.0).collect()
            })
            .collect();
        loop {
            let mut changed = false;
            for (i, targets) in edges.iter().enumerate() {
                if !needs[i]
                    && sent[i]
                    && !matches!(ir.types[i].kind, TypeKind::Enum(_))
                    && targets.iter().any(|t| needs[*t])
                {
                    needs[i] = true;
                    changed = true;
                }
            }
            if !changed {
                return needs;
            }
        }
    }

    /// A struct or union with a rule that applies to its Rust type.
    fn own_rules(&self, def: &TypeDef) -> bool {
        match &def.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .any(|f| !self.own_checks(&field_ty(f), &f.rules, f.boxed).is_empty()),
            TypeKind::Union(u) => u
                .variants
                .iter()
                .any(|v| !self.own_checks(&v.ty, &v.rules, v.boxed).is_empty()),
            TypeKind::Enum(_) | TypeKind::Alias(_) => false,
        }
    }
}

/// The type of a field's Rust value: optional fields are `Option<T>`
/// however the spec spells their nullability.
fn field_ty(f: &Field) -> Ty {
    if f.required || f.flatten {
        f.ty.clone()
    } else {
        match &f.ty {
            Ty::Nullable(_) => f.ty.clone(),
            other => Ty::Nullable(Box::new(other.clone())),
        }
    }
}

impl TypeEmitter<'_> {
    /// Statements checking `rules` on `x` (an expression of type `&T`, `T`
    /// the Rust type of `ty`); empty when none applies to that type.
    fn rule_checks(&self, ty: &Ty, rules: &Rules, x: &TokenStream) -> TokenStream {
        match ty {
            Ty::Nullable(inner) => {
                let inner = self.rule_checks(inner, rules, &quote!(x));
                if inner.is_empty() {
                    inner
                } else {
                    quote!(if let Some(x) = #x { #inner })
                }
            }
            Ty::Named(id) => match &self.ir.types[id.0].kind {
                TypeKind::Alias(inner) if !self.recursive_alias[id.0] => {
                    self.rule_checks(inner, rules, x)
                }
                _ => quote!(),
            },
            Ty::String => {
                let mut out = Vec::new();
                match (rules.min_length.filter(|n| *n > 0), rules.max_length) {
                    (Some(min), Some(max)) => {
                        let (min, max) = (usize_lit(min), usize_lit(max));
                        out.push(quote!(v.length_between(#x, #min, #max);));
                    }
                    (min, max) => {
                        if let Some(n) = min {
                            let n = usize_lit(n);
                            out.push(quote!(v.min_length(#x, #n);));
                        }
                        if let Some(n) = max {
                            let n = usize_lit(n);
                            out.push(quote!(v.max_length(#x, #n);));
                        }
                    }
                }
                if let Some(p) = &rules.pattern {
                    out.push(quote!(v.pattern(#x, #p);));
                }
                quote!(#(#out)*)
            }
            Ty::Integer { .. } | Ty::Number => {
                let finite = |b: &Option<Bound>| b.filter(|b| b.value.is_finite());
                let lit = proc_macro2::Literal::f64_unsuffixed;
                match (finite(&rules.minimum), finite(&rules.maximum)) {
                    (Some(min), Some(max)) if !min.exclusive && !max.exclusive => {
                        let (min, max) = (lit(min.value), lit(max.value));
                        quote!(v.between(*#x, #min, #max);)
                    }
                    (min, max) => {
                        let bound = |b: Option<Bound>, method: TokenStream| {
                            b.map(|b| {
                                let value = lit(b.value);
                                let exclusive = b.exclusive;
                                quote!(v.#method(*#x, #value, #exclusive);)
                            })
                        };
                        let min = bound(min, quote!(minimum));
                        let max = bound(max, quote!(maximum));
                        quote!(#min #max)
                    }
                }
            }
            Ty::Array(inner) => {
                let mut out = counts(rules.min_items, rules.max_items, x, "items");
                if rules.unique_items {
                    out.extend(quote!(v.unique_items(#x);));
                }
                if let Some(each) = &rules.each {
                    let each = self.rule_checks(inner, each, &quote!(x));
                    if !each.is_empty() {
                        out.extend(quote!(v.each(#x, |v, x| { #each });));
                    }
                }
                out
            }
            Ty::Map(inner) => {
                let mut out = counts(rules.min_properties, rules.max_properties, x, "properties");
                if let Some(each) = &rules.each {
                    let each = self.rule_checks(inner, each, &quote!(x));
                    if !each.is_empty() {
                        out.extend(quote!(v.each_value(#x, |v, x| { #each });));
                    }
                }
                out
            }
            Ty::FreeObject => counts(rules.min_properties, rules.max_properties, x, "properties"),
            Ty::Boolean | Ty::Any => quote!(),
        }
    }
}

/// `v.min_items(x.len(), n)` and the like; a minimum of 0 checks nothing.
fn counts(min: Option<usize>, max: Option<usize>, x: &TokenStream, what: &str) -> TokenStream {
    if let (Some(min), Some(max), "items") = (min.filter(|n| *n > 0), max, what) {
        let (min, max) = (usize_lit(min), usize_lit(max));
        return quote!(v.items_between(#x.len(), #min, #max););
    }
    let min_fn = quote::format_ident!("min_{}", what);
    let max_fn = quote::format_ident!("max_{}", what);
    let min = min.filter(|n| *n > 0).map(|n| {
        let n = usize_lit(n);
        quote!(v.#min_fn(#x.len(), #n);)
    });
    let max = max.map(|n| {
        let n = usize_lit(n);
        quote!(v.#max_fn(#x.len(), #n);)
    });
    quote!(#min #max)
}

fn usize_lit(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

impl TypeEmitter<'_> {
    /// Whether a value of `ty` has anything to check (through its named types).
    pub fn checks_anything(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Named(id) => self.needs_validate[id.0],
            Ty::Array(inner) | Ty::Map(inner) | Ty::Nullable(inner) => self.checks_anything(inner),
            _ => false,
        }
    }

    /// Statements checking a value `x` of `ty` (a `&T`): its own rules,
    /// then the impls of the named types it holds.
    pub fn check_value(&self, ty: &Ty, rules: &Rules, boxed: bool) -> TokenStream {
        let own = self.own_checks(ty, rules, boxed);
        let nested = self.checks_anything(ty).then(|| quote!(v.nested(x);));
        quote!(#own #nested)
    }

    /// The rules' own checks on `x`; none behind a `Box` (a boxed field
    /// holds a struct or union, which checks itself).
    fn own_checks(&self, ty: &Ty, rules: &Rules, boxed: bool) -> TokenStream {
        if boxed {
            return quote!();
        }
        self.rule_checks(ty, rules, &quote!(x))
    }

    /// `impl Validate` for the type at `index`, or nothing when it has
    /// nothing to check.
    pub fn validate_impl(&self, index: usize, def: &TypeDef, cfg: &TokenStream) -> TokenStream {
        if !self.needs_validate[index] {
            return quote!();
        }
        let name = ident(&def.name);
        let body = match &def.kind {
            TypeKind::Struct(s) => {
                let fields = s.fields.iter().map(|f| self.field_check(f));
                let extra = s
                    .extra
                    .as_ref()
                    .filter(|ty| self.checks_anything(ty))
                    .map(|_| quote!(v.nested(&self.additional_properties);));
                quote!(#(#fields)* #extra)
            }
            TypeKind::Union(u) => {
                let mut all = u.other.is_none();
                let arms: Vec<(TokenStream, TokenStream)> = u
                    .variants
                    .iter()
                    .filter_map(|variant| {
                        let vname = ident(&variant.name);
                        // A nullable variant with rules only on its value
                        // matches `Some` in the pattern: one `if let`, not
                        // two nested ones (clippy's collapsible_match).
                        if let Ty::Nullable(inner) = &variant.ty {
                            let own = self.own_checks(inner, &variant.rules, variant.boxed);
                            if !own.is_empty() && !self.checks_anything(&variant.ty) {
                                all = false;
                                return Some((quote!(#name::#vname(Some(x))), own));
                            }
                        }
                        let body = self.check_value(&variant.ty, &variant.rules, variant.boxed);
                        if body.is_empty() {
                            all = false;
                            return None;
                        }
                        Some((quote!(#name::#vname(x)), body))
                    })
                    .collect();
                match arms.as_slice() {
                    [(pattern, body)] if !all => quote!(if let #pattern = self { #body }),
                    _ => {
                        let arms = arms.iter().map(|(p, b)| quote!(#p => { #b }));
                        let rest = (!all).then(|| quote!(_ => {}));
                        quote!(match self { #(#arms)* #rest })
                    }
                }
            }
            // A recursive alias is a newtype; any other alias is the
            // type it names, checked where it is used.
            TypeKind::Alias(_) if self.recursive_alias[index] => quote!(v.nested(&self.0);),
            TypeKind::Alias(_) | TypeKind::Enum(_) => return quote!(),
        };
        quote! {
            #cfg
            impl crate::runtime::validate::Validate for #name {
                fn check(&self, v: &mut crate::runtime::validate::Validator) {
                    #body
                }
            }
        }
    }

    /// The checks of one field, under its JSON name.
    fn field_check(&self, f: &Field) -> TokenStream {
        let name = ident(&f.name);
        let ty = field_ty(f);
        if f.flatten {
            if self.checks_anything(&ty) {
                return quote!(v.nested(&self.#name););
            }
            return quote!();
        }
        self.keyed_check(&f.wire, &ty, &f.rules, f.boxed, quote!(&self.#name))
    }

    /// `v.field(..)` / `v.optional(..)` / `v.nested_at(..)` checking `value`
    /// (a `&T`, `T` the Rust type of `ty`) under `key`; nothing when it
    /// has nothing to check.
    pub fn keyed_check(
        &self,
        key: &str,
        ty: &Ty,
        rules: &Rules,
        boxed: bool,
        value: TokenStream,
    ) -> TokenStream {
        let (method, inner) = match ty {
            Ty::Nullable(inner) => (quote!(optional), inner.as_ref()),
            other => (quote!(field), other),
        };
        let own = self.own_checks(inner, rules, boxed);
        match (own.is_empty(), self.checks_anything(ty)) {
            (true, false) => quote!(),
            (true, true) => quote!(v.nested_at(#key, #value);),
            (false, nested) => {
                let nested = nested.then(|| quote!(v.nested(x);));
                let body = closure_body(quote!(#own #nested));
                quote!(v.#method(#key, #value, |v, x| #body);)
            }
        }
    }
}

/// One statement as a bare expression, so the call stays on one line;
/// several as a block.
pub fn closure_body(statements: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = statements.clone().into_iter().collect();
    let is_semi = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == ';');
    match tokens.iter().filter(|t| is_semi(t)).count() {
        1 if tokens.last().is_some_and(is_semi) => {
            tokens[..tokens.len() - 1].iter().cloned().collect()
        }
        _ => quote!({ #statements }),
    }
}
