//! Whether a referent is callable: chosen at compile time, read by `proxy()`.
//!
//! `proxy(&obj)` returns a `CallableProxy` exactly when the referent's type is
//! callable (Python's `CallableProxyType`). The choice is a type, written by
//! `#[derive(Referent)]` (with `#[referent(callable)]` for callable types),
//! so it is free at run time and cannot be wrong.

/// A referent that can be called (Python's `__call__`), so its proxies can
/// forward calls.
///
/// ```
/// use weakref_core::Callable;
///
/// struct Doubler;
/// impl Callable for Doubler {
///     type Args = i32;
///     type Output = i32;
///     fn call(&self, x: i32) -> i32 { x * 2 }
/// }
/// assert_eq!(Doubler.call(21), 42);
/// ```
pub trait Callable {
    /// The arguments, as one value (use a tuple for several).
    type Args;
    /// What a call returns.
    type Output;
    /// Calls the object.
    fn call(&self, args: Self::Args) -> Self::Output;
}

/// Says whether a referent type is callable: [`PlainKind`] or [`CallableKind`].
/// Implemented by `#[derive(Referent)]`.
///
/// ```
/// use weakref_core::{CallableKind, Header, PlainKind, ProxyKind, Referent};
///
/// #[derive(Referent)]
/// struct Plain { header: Header }
///
/// fn kind<T: ProxyKind>() -> &'static str { std::any::type_name::<T::Kind>() }
/// assert!(kind::<Plain>().ends_with("PlainKind"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be weakly proxied",
    label = "`{Self}` does not derive `Referent`",
    note = "for a struct you own: add a `weakref::Header` field to it and `#[derive(Referent)]` on it",
    note = "for a trait object (`dyn Trait`): `proxy()` takes derived types only; use `Proxy::new` or `CallableProxy::new`, and declare the trait with `Referent` as a supertrait, `trait Trait: Referent`",
    note = "for a type you do not own (such as `Vec<u8>`): wrap the value in `weakref::Weakable<{Self}>`"
)]
pub trait ProxyKind {
    /// [`PlainKind`] or [`CallableKind`].
    type Kind;
}

/// The [`ProxyKind`] of referents that cannot be called.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PlainKind;

/// The [`ProxyKind`] of referents that implement [`Callable`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallableKind;
