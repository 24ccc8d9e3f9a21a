//! Validation of the input's shape, and the generated impls.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Path};

use crate::attr::{Errors, StructAttrs};
use crate::header::header_field;
use crate::ops::ops_impls;

/// Expands the derive for `input`, with `::default_crate` as the library's
/// path unless `#[referent(crate = "...")]` says otherwise.
///
/// On a mistake, the output is the errors plus stub impls, so the user sees
/// the real error and not a cascade of "trait not implemented" ones.
pub(crate) fn derive(input: &DeriveInput, default_crate: &str) -> TokenStream {
    try_expand(input, default_crate).unwrap_or_else(|error| {
        // Lenient re-read: keeps whatever parsed, so the stub has the right kind.
        let attrs = StructAttrs::parse(&input.attrs, &mut Errors::default());
        let krate = attrs.krate.unwrap_or_else(|| default_path(default_crate));
        let body = quote!(::core::unreachable!());
        let referent = referent_impl(input, &krate, &body);
        let kind = proxy_kind_impl(input, &krate, attrs.callable.is_some());
        let ops = ops_impls(input, &krate);
        let error = error.into_compile_error();
        quote!(#error #referent #kind #ops)
    })
}

/// Validates `input` and generates the impls, or returns every mistake.
fn try_expand(input: &DeriveInput, default_crate: &str) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let attrs = StructAttrs::parse(&input.attrs, &mut errors);
    let header = header_field(input, attrs.krate.as_ref(), &mut errors);
    let (member, ty) = errors.finish(header)?;

    let krate = attrs.krate.unwrap_or_else(|| default_path(default_crate));
    // A qualified trait call, not `&self.field`: deref coercion would let
    // `Box<Header>` or `Arc<Header>` through, and `HeaderField` is
    // implemented for `Header` alone. Resolved as the caller's code, but a
    // wrong type is reported on the field's type.
    let span = Span::call_site().located_at(ty.span());
    let body = quote_spanned!(span=>
        <#ty as #krate::__private::HeaderField>::header(&self.#member)
    );
    let referent = referent_impl(input, &krate, &body);
    let kind = proxy_kind_impl(input, &krate, attrs.callable.is_some());
    let ops = ops_impls(input, &krate);
    let assert_callable = attrs
        .callable
        .map(|callable| assert_callable(input, &krate, &callable));
    Ok(quote!(#referent #kind #ops #assert_callable))
}

/// The check that a `#[referent(callable)]` type implements `Callable`.
///
/// A missing impl is reported on `callable` in the attribute, with this
/// derive's own message: the local trait `IsCallable` has a blanket impl for
/// the library's `Callable` marked `#[diagnostic::do_not_recommend]`, so
/// rustc reports `IsCallable` (and its `on_unimplemented` message) rather
/// than `Callable` with a list of the types that happen to implement it.
fn assert_callable(input: &DeriveInput, krate: &Path, callable: &Ident) -> TokenStream {
    let span = Span::call_site().located_at(callable.span());
    let mut ident = input.ident.clone();
    ident.set_span(span);
    // The crate path too, so the "required by a bound" note points at
    // `callable` alone, not from `derive(Referent)` to `callable`.
    let krate = respan(krate, span);
    // Local names that cannot shadow the user's type inside the block.
    let [local, assert] = [
        ("IsCallable", "CallableCheck"),
        ("AssertCallable", "AssertIsCallable"),
    ]
    .map(|(name, other)| {
        let name = if input.ident == name { other } else { name };
        Ident::new(name, span)
    });
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote_spanned! {span=>
        const _: () = {
            #[diagnostic::on_unimplemented(
                message = "`{Self}` is marked `#[referent(callable)]` but does not implement `Callable`",
                label = "`{Self}` does not implement `Callable`",
                note = "implement `Callable` for `{Self}`, or remove `callable` if it cannot be called"
            )]
            trait #local {}
            #[diagnostic::do_not_recommend]
            impl<T: ?::core::marker::Sized + #krate::__private::Callable> #local for T {}
            trait #assert: #local {}
            impl #impl_generics #assert for #ident #ty_generics #where_clause {}
        };
    }
}

/// `tokens` with every span moved to `span`.
pub(crate) fn respan(tokens: &impl ToTokens, span: Span) -> TokenStream {
    tokens
        .to_token_stream()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// `impl Referent`, with `body` as the body of `weakref_header`.
///
/// Like the `ProxyKind` impl, it is `#[diagnostic::do_not_recommend]`: when a
/// type lacks the derive, the error says how to add it, and does not list
/// every type in the dependency graph that has one (a list that would change
/// with each new referent type).
fn referent_impl(input: &DeriveInput, krate: &Path, body: &TokenStream) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        #[diagnostic::do_not_recommend]
        impl #impl_generics #krate::__private::Referent for #ident #ty_generics #where_clause {
            #[inline]
            fn weakref_header(&self) -> &#krate::__private::Header {
                #body
            }
        }
    }
}

/// `impl ProxyKind`: which proxy `proxy()` makes for this type.
fn proxy_kind_impl(input: &DeriveInput, krate: &Path, callable: bool) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let kind = if callable {
        quote!(CallableKind)
    } else {
        quote!(PlainKind)
    };
    quote! {
        #[automatically_derived]
        #[diagnostic::do_not_recommend]
        impl #impl_generics #krate::__private::ProxyKind for #ident #ty_generics #where_clause {
            type Kind = #krate::__private::#kind;
        }
    }
}

/// `::name`, the library's default path.
fn default_path(name: &str) -> Path {
    let ident = Ident::new(name, Span::call_site());
    syn::parse_quote!(::#ident)
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Delimiter, Group, TokenStream};
    use quote::quote;
    use syn::{DeriveInput, parse_quote};

    use super::{derive, try_expand};

    /// The expansion as text, for the core crate's default path.
    fn expand(input: &DeriveInput) -> String {
        derive(input, "weakref_core").to_string()
    }

    /// Every error message the input produces.
    fn errors(input: &DeriveInput) -> Vec<String> {
        let Err(error) = try_expand(input, "weakref_core") else {
            panic!("expected an error for `{}`", quote!(#input));
        };
        error.into_iter().map(|error| error.to_string()).collect()
    }

    fn contains(haystack: &str, needle: &TokenStream) -> bool {
        haystack.contains(&needle.to_string())
    }

    #[test]
    fn named_callable_expands_to_the_impls_and_the_assertion() {
        let input = parse_quote! {
            #[referent(callable)]
            struct Node { name: String, header: Header }
        };
        let expected = quote! {
            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl ::weakref_core::__private::Referent for Node {
                #[inline]
                fn weakref_header(&self) -> &::weakref_core::__private::Header {
                    <Header as ::weakref_core::__private::HeaderField>::header(&self.header)
                }
            }
            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl ::weakref_core::__private::ProxyKind for Node {
                type Kind = ::weakref_core::__private::CallableKind;
            }
            #[automatically_derived]
            impl<Op, Rhs, Output>
                ::weakref_core::__private::Forward<Op, Rhs> for Node
            where
                for<'a> Op: ::weakref_core::__private::Operator<
                    &'a Self, Rhs, Output = Output
                >
            {
                type Output = Output;
                #[inline]
                fn forward(&self, rhs: Rhs) -> Output {
                    <Op as ::weakref_core::__private::Operator<&Self, Rhs>>::apply(self, rhs)
                }
            }
            #[automatically_derived]
            impl<Op, Lhs, Output>
                ::weakref_core::__private::Reflected<Op, Lhs> for Node
            where
                for<'a> Op: ::weakref_core::__private::Operator<
                    Lhs, &'a Self, Output = Output
                >
            {
                type Output = Output;
                #[inline]
                fn reflected(lhs: Lhs, rhs: &Self) -> Output {
                    <Op as ::weakref_core::__private::Operator<Lhs, &Self>>::apply(lhs, rhs)
                }
            }
            const _: () = {
                #[diagnostic::on_unimplemented(
                    message = "`{Self}` is marked `#[referent(callable)]` but does not implement `Callable`",
                    label = "`{Self}` does not implement `Callable`",
                    note = "implement `Callable` for `{Self}`, or remove `callable` if it cannot be called"
                )]
                trait IsCallable {}
                #[diagnostic::do_not_recommend]
                impl<T: ?::core::marker::Sized + ::weakref_core::__private::Callable> IsCallable for T {}
                trait AssertCallable: IsCallable {}
                impl AssertCallable for Node {}
            };
        };
        assert_eq!(expand(&input), expected.to_string());
    }

    #[test]
    fn callable_assertion_names_never_shadow_the_type() {
        let output = expand(&parse_quote! {
            #[referent(callable)]
            struct IsCallable { header: Header }
        });
        assert!(contains(
            &output,
            &quote!(
                trait CallableCheck {}
            )
        ));
        assert!(contains(
            &output,
            &quote!(impl AssertCallable for IsCallable {})
        ));
        let output = expand(&parse_quote! {
            #[referent(callable)]
            struct AssertCallable { header: Header }
        });
        assert!(contains(
            &output,
            &quote!(
                trait IsCallable {}
            )
        ));
        assert!(contains(
            &output,
            &quote!(impl AssertIsCallable for AssertCallable {})
        ));
    }

    #[test]
    fn plain_kind_without_callable() {
        let output = expand(&parse_quote!(
            struct S {
                header: Header,
            }
        ));
        assert!(contains(
            &output,
            &quote!(
                type Kind = ::weakref_core::__private::PlainKind;
            )
        ));
        assert!(!output.contains("AssertCallable"));
    }

    #[test]
    fn tuple_struct_header_by_index() {
        let output = expand(&parse_quote!(
            struct S(u8, weakref::Header);
        ));
        assert!(contains(&output, &quote!(&self.1)));
    }

    #[test]
    fn qualified_header_paths_are_found() {
        let output = expand(&parse_quote!(
            struct S {
                a: u8,
                h: ::weakref_core::Header,
            }
        ));
        assert!(contains(&output, &quote!(&self.h)));
        let output = expand(&parse_quote!(
            struct S {
                h: weakref::__private::Header,
            }
        ));
        assert!(contains(&output, &quote!(&self.h)));
    }

    #[test]
    fn header_from_macro_rules_is_found() {
        // `$ty:ty` arrives as a type in an invisible group.
        let ty = Group::new(Delimiter::None, quote!(Header));
        let input = syn::parse2(quote!(struct S { h: #ty })).unwrap();
        assert!(contains(&expand(&input), &quote!(&self.h)));
    }

    #[test]
    fn marked_field_wins_over_type() {
        let output = expand(&parse_quote! {
            struct S { other: Header, #[referent(header)] h: MyAlias }
        });
        assert!(contains(&output, &quote!(&self.h)));
        let output = expand(&parse_quote!(
            struct S(Header, #[referent(header)] weakref::Header);
        ));
        assert!(contains(&output, &quote!(&self.1)));
    }

    #[test]
    fn the_header_type_is_checked_without_deref_coercion() {
        let output = expand(&parse_quote! {
            struct S { #[referent(header)] h: Slot }
        });
        assert!(contains(
            &output,
            &quote!(<Slot as ::weakref_core::__private::HeaderField>::header(
                &self.h
            ))
        ));
        let output = expand(&parse_quote!(
            #[referent(crate = "wr")]
            struct S(u8, wr::Header);
        ));
        assert!(contains(
            &output,
            &quote!(<wr::Header as wr::__private::HeaderField>::header(&self.1))
        ));
    }

    #[test]
    fn generics_and_where_clause_are_kept() {
        let output = expand(&parse_quote! {
            #[referent(callable)]
            struct G<'a, T: Clone + 'a, const N: usize, U = u8> where U: Copy {
                header: Header,
                items: [&'a T; N],
                u: U,
            }
        });
        let impl_header = quote! {
            impl<'a, T: Clone + 'a, const N: usize, U> ::weakref_core::__private::Referent
                for G<'a, T, N, U> where U: Copy
        };
        assert!(contains(&output, &impl_header));
        let assertion = quote! {
            impl<'a, T: Clone + 'a, const N: usize, U> AssertCallable for G<'a, T, N, U>
                where U: Copy {}
        };
        assert!(contains(&output, &assertion));
        // The operator impls: the struct's generics and where-clause, then
        // the operator's parameters and bound.
        let forward = quote! {
            impl<'a, T: Clone + 'a, const N: usize, U, Op, Rhs, Output>
                ::weakref_core::__private::Forward<Op, Rhs> for G<'a, T, N, U>
            where
                U: Copy,
                for<'a_> Op: ::weakref_core::__private::Operator<
                    &'a_ Self, Rhs, Output = Output
                >
        };
        assert!(contains(&output, &forward));
        let reflected = quote! {
            impl<'a, T: Clone + 'a, const N: usize, U, Op, Lhs, Output>
                ::weakref_core::__private::Reflected<Op, Lhs> for G<'a, T, N, U>
            where
                U: Copy,
                for<'a_> Op: ::weakref_core::__private::Operator<
                    Lhs, &'a_ Self, Output = Output
                >
        };
        assert!(contains(&output, &reflected));
    }

    #[test]
    fn added_parameters_never_shadow_the_struct_or_its_bounds() {
        let output = expand(&parse_quote! {
            struct Op<'a, T: Into<Output> + 'a, Rhs> where Rhs: Lhs { header: Header, t: &'a T }
        });
        let forward = quote! {
            impl<'a, T: Into<Output> + 'a, Rhs, Op_, Rhs_, Output_>
                ::weakref_core::__private::Forward<Op_, Rhs_> for Op<'a, T, Rhs>
            where
                Rhs: Lhs,
                for<'a_> Op_: ::weakref_core::__private::Operator<&'a_ Self, Rhs_, Output = Output_>
        };
        assert!(contains(&output, &forward), "{output}");
        let reflected = quote! {
            impl<'a, T: Into<Output> + 'a, Rhs, Op_, Lhs_, Output_>
                ::weakref_core::__private::Reflected<Op_, Lhs_> for Op<'a, T, Rhs>
        };
        assert!(contains(&output, &reflected), "{output}");
    }

    #[test]
    fn crate_attribute_overrides_the_default_path() {
        let input = parse_quote! {
            #[referent(crate = "::my::weakref")]
            struct S { header: Header }
        };
        let output = expand(&input);
        assert!(contains(
            &output,
            &quote!(impl ::my::weakref::__private::Referent for S)
        ));
        assert!(!output.contains("weakref_core"));
        let facade = derive(
            &parse_quote!(
                struct S(Header);
            ),
            "weakref",
        )
        .to_string();
        assert!(contains(
            &facade,
            &quote!(impl ::weakref::__private::Referent for S)
        ));
    }

    #[test]
    fn unknown_and_misplaced_attributes_are_rejected() {
        let unknown = |name: &str| {
            format!(
                "unknown referent attribute `{name}`: expected `callable`, \
                 `crate = \"path\"` (on the struct) or `header` (on a field)"
            )
        };
        let input = parse_quote! {
            #[referent(foo, callable = 1, header)]
            #[referent(callable, callable, a::b(c))]
            struct S { #[referent(header, bar = 2, callable, crate = "x", header)] h: Header }
        };
        assert_eq!(
            errors(&input),
            [
                unknown("foo"),
                "`callable` takes no value: write `#[referent(callable)]`".to_owned(),
                "`header` is a field attribute: put `#[referent(header)]` on the header \
                 field, not on the struct"
                    .to_owned(),
                "duplicate `callable` attribute: remove this one".to_owned(),
                "duplicate `callable` attribute: remove this one".to_owned(),
                unknown("a::b"),
                unknown("bar"),
                "`callable` is a struct attribute: put it in a `#[referent(...)]` on the \
                 struct, not on a field"
                    .to_owned(),
                "`crate` is a struct attribute: put it in a `#[referent(...)]` on the \
                 struct, not on a field"
                    .to_owned(),
                "duplicate `header` attribute: remove this one".to_owned(),
            ]
        );
    }

    #[test]
    fn malformed_crate_paths_are_rejected() {
        let input = parse_quote! {
            #[referent(crate = "a b", crate, crate = "weakref", crate = "weakref")]
            struct S { h: Header }
        };
        assert_eq!(
            errors(&input),
            [
                "malformed crate path `a b`: write a path such as \"::weakref\" or \
                 \"my_crate::weakref\"",
                "`crate` takes a path in a string: write `#[referent(crate = \"path\")]`",
                "duplicate `crate` attribute: remove this one",
            ]
        );
    }

    #[test]
    fn all_errors_are_reported_together() {
        let input = parse_quote!(
            #[referent(foo)]
            struct S {
                #[referent(bar)]
                a: u8,
            }
        );
        assert_eq!(errors(&input).len(), 3);
    }

    #[test]
    fn errors_come_with_a_stub_impl() {
        let output = expand(&parse_quote!(
            #[referent(callable)]
            enum E<T> {
                A(T),
            }
        ));
        assert!(output.contains("compile_error"));
        assert!(contains(
            &output,
            &quote!(impl<T> ::weakref_core::__private::Referent for E<T>)
        ));
        assert!(contains(&output, &quote!(::core::unreachable!())));
        assert!(contains(
            &output,
            &quote!(
                type Kind = ::weakref_core::__private::CallableKind;
            )
        ));
        assert!(!output.contains("AssertCallable"));
    }
}
