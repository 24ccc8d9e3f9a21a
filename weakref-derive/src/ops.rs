//! The operator impls: what lends a struct's operators to its proxies.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{DeriveInput, Ident, Path};

use crate::expand::respan;

/// `impl Forward` and `impl Reflected`: the operators of `&Self` lent to
/// the proxies, for every operator at once (`Op` is a marker such as
/// `MulOp`). Each impl is for this one type, with the struct's generics and
/// where-clause plus the operator bound, so the trait solver never tries it
/// for a type it has not inferred yet (which a blanket impl over proxies
/// would make it do, in a loop: E0275 on plain arithmetic).
///
/// The impl headers' own tokens resolve at the struct's name, not inside the
/// derive: otherwise rustc takes the operator bound for a derive's bound on
/// a type parameter, and a missing operator ("cannot multiply `i32` by
/// `&'a Num`", "required for `Num` to implement `Reflected<MulOp, i32>`")
/// comes with the advice to implement `Reflected` by hand, which would
/// conflict.
pub(crate) fn ops_impls(input: &DeriveInput, krate: &Path) -> TokenStream {
    let ident = &input.ident;
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let at = Span::call_site().resolved_at(ident.span());
    let fresh = FreshNames::new(input, at);
    let (op, output, lifetime) = (
        fresh.ident("Op"),
        fresh.ident("Output"),
        fresh.lifetime("a"),
    );
    let private = respan(&quote!(#krate::__private), at);
    let operator = quote_spanned!(at=> #private::Operator);
    // The struct's generics, then `Op, operand, Output` and the bound.
    let generics = |operand: &Ident, bound: TokenStream| {
        // A copy (syn's `Clone` impls are not enabled): re-parsed from tokens.
        let written = &input.generics;
        let mut generics: syn::Generics = syn::parse_quote!(#written);
        generics.where_clause = Some(match &written.where_clause {
            Some(clause) => syn::parse_quote!(#clause),
            None => syn::WhereClause {
                where_token: syn::Token![where](at),
                predicates: syn::punctuated::Punctuated::new(),
            },
        });
        generics.params.extend::<[syn::GenericParam; 3]>([
            syn::parse_quote!(#op),
            syn::parse_quote!(#operand),
            syn::parse_quote!(#output),
        ]);
        generics
            .make_where_clause()
            .predicates
            .push(syn::parse_quote_spanned!(at=> for<#lifetime> #op: #bound));
        generics
    };
    let rhs = fresh.ident("Rhs");
    let forward = generics(
        &rhs,
        quote_spanned!(at=> #operator<&#lifetime Self, #rhs, Output = #output>),
    );
    let (forward_generics, _, forward_where) = forward.split_for_impl();
    let lhs = fresh.ident("Lhs");
    let reflected = generics(
        &lhs,
        quote_spanned!(at=> #operator<#lhs, &#lifetime Self, Output = #output>),
    );
    let (reflected_generics, _, reflected_where) = reflected.split_for_impl();
    let forward_header = quote_spanned! {at=>
        impl #forward_generics #private::Forward<#op, #rhs> for #ident #ty_generics #forward_where
    };
    let reflected_header = quote_spanned! {at=>
        impl #reflected_generics #private::Reflected<#op, #lhs> for #ident #ty_generics
            #reflected_where
    };
    quote! {
        #[automatically_derived]
        #forward_header {
            type Output = #output;
            #[inline]
            fn forward(&self, rhs: #rhs) -> #output {
                <#op as #operator<&Self, #rhs>>::apply(self, rhs)
            }
        }
        #[automatically_derived]
        #reflected_header {
            type Output = #output;
            #[inline]
            fn reflected(lhs: #lhs, rhs: &Self) -> #output {
                <#op as #operator<#lhs, &Self>>::apply(lhs, rhs)
            }
        }
    }
}

/// Names for the generic parameters the derive adds to an impl: the
/// readable one (`Op`, `'a`) unless the struct's generics or where-clause
/// already use it (as a parameter, or as a type they name: `T: Into<Output>`),
/// or it is the struct's own name; then with underscores appended.
struct FreshNames {
    taken: Vec<String>,
    /// The span of the names.
    span: Span,
}

impl FreshNames {
    fn new(input: &DeriveInput, span: Span) -> Self {
        fn collect(tokens: TokenStream, taken: &mut Vec<String>) {
            for token in tokens {
                match token {
                    proc_macro2::TokenTree::Ident(ident) => taken.push(ident.to_string()),
                    proc_macro2::TokenTree::Group(group) => collect(group.stream(), taken),
                    proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Literal(_) => {}
                }
            }
        }
        let mut taken = vec![input.ident.to_string()];
        let generics = &input.generics;
        let where_clause = &generics.where_clause;
        collect(quote!(#generics #where_clause), &mut taken);
        FreshNames { taken, span }
    }

    fn name(&self, base: &str) -> String {
        let mut name = base.to_owned();
        while self.taken.contains(&name) {
            name.push('_');
        }
        name
    }

    fn ident(&self, base: &str) -> Ident {
        Ident::new(&self.name(base), self.span)
    }

    fn lifetime(&self, base: &str) -> syn::Lifetime {
        syn::Lifetime::new(&format!("'{}", self.name(base)), self.span)
    }
}
