//! `#[derive(Referent)]`: makes a struct weakly referenceable.
//!
//! An `Arc<T>` can be weakly referenced when `T` carries a referent header
//! (`weakref::Header`, one machine word) and implements `Referent`, which
//! tells the library where that header is. This crate writes the impl: it
//! finds the header field (see [Finding the header](#finding-the-header)),
//! checks that it holds a `Header` inline, and reports every mistake as a
//! spanned compile error that says how to fix it.
//!
//! Use the derive through `weakref` (or `weakref-core`), not from this crate:
//!
//! ```ignore
//! use std::sync::Arc;
//! use weakref::{Header, Ref, Referent};
//!
//! #[derive(Referent)]
//! struct Node {
//!     header: Header,
//!     name: String,
//! }
//!
//! let node = Arc::new(Node { header: Header::new(), name: "a".into() });
//! let r = Ref::new(&node);
//! assert!(r.get().is_some());
//! ```
//!
//! Attributes, all inside `#[referent(...)]`:
//!
//! | where | attribute | meaning |
//! | --- | --- | --- |
//! | struct | `callable` | the type implements `Callable`, so `proxy` makes a `CallableProxy` |
//! | struct | `crate = "path"` | where the library is, when it is re-exported under another path |
//! | field | `header` | this field is the header (its type may have any name, e.g. an alias) |
//!
//! Beside `Referent`, the derive implements `ProxyKind` (which proxy type
//! `proxy()` makes) and the operator traits `ops::Forward` and
//! `ops::Reflected`, which lend the operators of `&Struct` to the struct's
//! proxies (`&proxy * 2` is `&*referent * 2`, and `2 * &proxy` is `2 *
//! &*referent`); each is one impl for every operator, with the struct's own
//! generics and where-clause.
//!
//! The derive accepts named and tuple structs, with any generics, bounds and
//! where-clauses. The generated code uses absolute paths only and compiles
//! without warnings under `#![deny(warnings, clippy::pedantic)]`.
//!
//! # Finding the header
//! 1. The field marked `#[referent(header)]`, if any (two marks are an error).
//! 2. Otherwise, among the fields whose type is a path ending in `Header`
//!    (with no generic arguments), the one that most surely names this
//!    library's header, ranked:
//!    1. a path that spells it: `weakref::Header` or `weakref_core::Header`
//!       (a leading `::` and a `__private::` before `Header` allowed), or the
//!       `#[referent(crate = "path")]` path followed by `::Header`;
//!    2. the bare name `Header`;
//!    3. any other path ending in `Header` (`proto::Header`).
//!
//!    So `proto::Header` beside `weakref::Header` (or beside a bare `Header`)
//!    needs no mark. Two fields of the best rank present are ambiguous: the
//!    error asks to mark the header with `#[referent(header)]`.
//!
//! The header must be a `Header` itself, stored inline: a field of type
//! `&Header`, `Box<Header>`, `Arc<Header>`, `Rc<Header>` or `Pin<..>` is
//! rejected by the derive, and any other type (an alias of `Box<Header>`, an
//! `Option<Header>`, a foreign `proto::Header`) by the generated code, with
//! the error on the field's type. Behind a pointer, clones would share one
//! list of weak references, and a value moved out of its `Arc` would keep
//! weak references that are not its own.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;

mod attr;
mod expand;
mod header;
mod ops;

/// Derives `weakref_core::Referent` (and its proxy kind and operator
/// forwarding) for a struct that holds a `weakref_core::Header`.
///
/// The header is the one field marked `#[referent(header)]`, or else the
/// field whose type is named `Header` (preferring `weakref_core::Header` to
/// a bare `Header`, and a bare `Header` to another path such as
/// `proto::Header`: see the crate docs). It must be a `Header` itself, not
/// behind a pointer. Add `#[referent(callable)]` to a type that implements
/// `Callable`, and `#[referent(crate = "path")]` when `weakref_core` is
/// reachable only under another path.
///
/// ```ignore
/// #[derive(weakref_core::Referent)]
/// struct Tuple(weakref_core::Header, u32);
/// ```
#[proc_macro_derive(Referent, attributes(referent))]
pub fn derive_referent(input: TokenStream) -> TokenStream {
    syn::parse(input)
        .map_or_else(syn::Error::into_compile_error, |input| {
            expand::derive(&input, "weakref_core")
        })
        .into()
}

/// Derives `weakref::Referent` (and its proxy kind and operator forwarding)
/// for a struct that holds a `weakref::Header`; `weakref` re-exports this as `weakref::Referent`.
///
/// The header is the one field marked `#[referent(header)]`, or else the
/// field whose type is named `Header` (preferring `weakref::Header` to a
/// bare `Header`, and a bare `Header` to another path such as
/// `proto::Header`: see the crate docs). It must be a `Header` itself, not
/// behind a pointer. Add `#[referent(callable)]` to a type that implements
/// `weakref::Callable`, and `#[referent(crate = "path")]` when `weakref` is
/// reachable only under another path.
///
/// ```ignore
/// #[derive(weakref::Referent)]
/// struct Named {
///     header: weakref::Header,
///     value: u32,
/// }
/// ```
#[doc(hidden)]
#[proc_macro_derive(FacadeReferent, attributes(referent))]
pub fn derive_facade_referent(input: TokenStream) -> TokenStream {
    syn::parse(input)
        .map_or_else(syn::Error::into_compile_error, |input| {
            expand::derive(&input, "weakref")
        })
        .into()
}
