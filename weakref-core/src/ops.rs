//! How a referent type lends its operators to its proxies.
//!
//! A proxy forwards the arithmetic and bit operators of its referent:
//! `&proxy * rhs` is `&*referent * rhs`, and for the primitive number types
//! `lhs * &proxy` is `lhs * &*referent` (Python's `__rmul__`). The proxies
//! do not ask for `&T: Mul<Rhs>` directly: a blanket impl whose bound names
//! an operator trait on its own type parameter sends the trait solver into
//! a loop on ordinary arithmetic while a type is still being inferred (to
//! prove `&?T: Mul<..>` it tries `&Proxy<?U>`, which needs `&?U: Mul<..>`,
//! which tries `&Proxy<?V>`... until E0275), in every crate that uses
//! `weakref`. They ask the referent type for [`Forward`] and [`Reflected`]
//! instead: per-type traits, whose impls are for one named type each, so
//! the solver stops at an unknown type instead of guessing a proxy.
//!
//! `#[derive(Referent)]` implements both for the struct, forwarding to the
//! operators of `&Struct` (with the struct's own generics and where-clause);
//! [`Weakable<T>`](crate::Weakable) implements both by forwarding to the
//! operators of `&T`. Nothing else is needed for those: implement
//! `Mul<i64> for &Struct` and `&proxy * 2_i64` works; implement
//! `Mul<&Struct> for i64` and `2_i64 * &proxy` works.
//!
//! One operator trait serves all the operators: each operator is a marker
//! type ([`AddOp`], [`MulOp`], [`NegOp`]...) that implements [`Operator`]
//! by calling the std trait, and `Forward<MulOp, Rhs>` means "`&Self *
//! Rhs`". The unary operators take `()` as their right-hand side.
//!
//! # Trait objects and other hand-written referents
//! A `dyn Trait` referent (or any type with a hand-written `Referent` impl)
//! gets operators on its proxies by implementing the two traits the way the
//! derive does, in the crate that owns the trait:
//!
//! ```
//! use std::ops::{Add, Mul};
//! use std::sync::Arc;
//! use weakref_core::ops::{Forward, Operator, Reflected};
//! use weakref_core::{Header, Referent};
//!
//! trait Quantity: Referent {
//!     fn amount(&self) -> f64;
//! }
//!
//! // The operators themselves, on `&dyn Quantity`.
//! impl Add<f64> for &dyn Quantity {
//!     type Output = f64;
//!     fn add(self, rhs: f64) -> f64 { self.amount() + rhs }
//! }
//! impl Mul<&dyn Quantity> for f64 {
//!     type Output = f64;
//!     fn mul(self, rhs: &dyn Quantity) -> f64 { self * rhs.amount() }
//! }
//!
//! // Lend them to the proxies: `&proxy op rhs` and `lhs op &proxy`.
//! impl<Op, Rhs, O> Forward<Op, Rhs> for dyn Quantity
//! where
//!     for<'b> Op: Operator<&'b dyn Quantity, Rhs, Output = O>,
//! {
//!     type Output = O;
//!     fn forward(&self, rhs: Rhs) -> O { Op::apply(self, rhs) }
//! }
//! impl<Op, Lhs, O> Reflected<Op, Lhs> for dyn Quantity
//! where
//!     for<'b> Op: Operator<Lhs, &'b dyn Quantity, Output = O>,
//! {
//!     type Output = O;
//!     fn reflected(lhs: Lhs, rhs: &Self) -> O { Op::apply(lhs, rhs) }
//! }
//!
//! #[derive(Referent)]
//! struct Litres { value: f64, header: Header }
//! impl Quantity for Litres {
//!     fn amount(&self) -> f64 { self.value }
//! }
//!
//! let q: Arc<dyn Quantity> = Arc::new(Litres { value: 1.5, header: Header::new() });
//! // What a `Proxy<dyn Quantity>` does with them (see `weakref::Proxy`):
//! assert_eq!(Forward::<weakref_core::ops::AddOp, f64>::forward(&*q, 1.0), 2.5);
//! assert_eq!(<dyn Quantity as Reflected<weakref_core::ops::MulOp, f64>>::reflected(2.0, &*q), 3.0);
//! ```
//!
//! Name the operand in the bounds as the operator impls name it: `&'b dyn
//! Quantity` is `&'b (dyn Quantity + 'b)`, the type an `impl Add<f64> for
//! &dyn Quantity` is for, whereas `&'b Self` would be `&'b (dyn Quantity +
//! 'static)`, which that impl does not cover.
//!
//! Do not implement the std operator traits with a bound on another
//! operator trait of an unnamed type (`impl<T> Add<Rhs> for &Wrapper<T>
//! where for<'b> &'b T: Add<Rhs>`) for a type the proxies forward to: that
//! is the shape that loops. [`Weakable`](crate::Weakable) has no operators
//! of its own for that reason; its proxies have them.

use core::ops;

mod sealed {
    pub trait Sealed {}
}

/// An operator, as a type: a marker ([`AddOp`], [`NegOp`]...) that applies
/// its std operator trait to `Lhs` and `Rhs` (`()` for the unary ones).
///
/// [`Forward`] and [`Reflected`] are generic over it, so one impl of each
/// serves every operator. Sealed: the markers of this module are all its
/// implementations.
///
/// ```
/// use weakref_core::ops::{MulOp, NegOp, Operator};
///
/// assert_eq!(<MulOp as Operator<i32, i32>>::apply(6, 7), 42);
/// assert_eq!(<NegOp as Operator<&i32>>::apply(&5, ()), -5);
/// ```
pub trait Operator<Lhs, Rhs = ()>: sealed::Sealed {
    /// What the operator returns.
    type Output;
    /// `lhs op rhs` (or `op lhs`).
    fn apply(lhs: Lhs, rhs: Rhs) -> Self::Output;
}

/// A referent type whose proxies forward `&proxy op rhs` to `&*referent op
/// rhs` for the operator `Op` (a marker such as [`AddOp`]; `Rhs` is `()`
/// for [`NegOp`] and [`NotOp`]).
///
/// `#[derive(Referent)]` implements it for every operator the referent's
/// shared reference has: `&Struct: Add<Rhs>` gives `Struct: Forward<AddOp,
/// Rhs>`. Implement it by hand for a trait object (see the [module
/// docs](self)).
///
/// ```
/// use std::ops::Add;
/// use weakref_core::ops::{AddOp, Forward};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Count { n: u32, header: Header }
///
/// impl Add<u32> for &Count {
///     type Output = u32;
///     fn add(self, rhs: u32) -> u32 { self.n + rhs }
/// }
///
/// let c = Count { n: 2, header: Header::new() };
/// assert_eq!(Forward::<AddOp, u32>::forward(&c, 3), 5);
/// ```
#[diagnostic::on_unimplemented(
    message = "the proxies of `{Self}` cannot forward `{Op}` with `{Rhs}`",
    label = "`{Self}` does not lend its operators to its proxies",
    note = "`#[derive(Referent)]` lends a struct's operators (those of `&Struct`) to its proxies, and `Weakable<T>` lends those of `&T`",
    note = "for a trait object or another hand-written `Referent`, implement `weakref::ops::Forward` for it as the derive does (see the `weakref::ops` docs)"
)]
pub trait Forward<Op, Rhs = ()> {
    /// What `&self op rhs` returns.
    type Output;
    /// `&self op rhs` (or `op &self`).
    fn forward(&self, rhs: Rhs) -> Self::Output;
}

/// A referent type whose proxies take part in `lhs op &proxy` as `lhs op
/// &*referent` (Python's reflected operators, `__radd__`), for the operator
/// `Op` (a marker such as [`MulOp`]).
///
/// The proxies implement the std operators with themselves on the right for
/// the primitive number types (`i8`..`i128`, `u8`..`u128`, `isize`,
/// `usize`, `f32`, `f64`) when the referent type implements this trait.
/// `#[derive(Referent)]` implements it for every `Lhs` that has the
/// operator with `&Struct`: `i64: Mul<&Struct>` gives `Struct:
/// Reflected<MulOp, i64>`. Implement it by hand for a trait object (see the
/// [module docs](self)).
///
/// ```
/// use std::ops::Mul;
/// use weakref_core::ops::{MulOp, Reflected};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Count { n: i64, header: Header }
///
/// impl Mul<&Count> for i64 {
///     type Output = i64;
///     fn mul(self, rhs: &Count) -> i64 { self * rhs.n }
/// }
///
/// let c = Count { n: 4, header: Header::new() };
/// assert_eq!(<Count as Reflected<MulOp, i64>>::reflected(3, &c), 12);
/// ```
#[diagnostic::on_unimplemented(
    message = "the proxies of `{Self}` cannot take `{Lhs}` on the left of `{Op}`",
    label = "`{Self}` does not lend its reflected operators to its proxies",
    note = "`#[derive(Referent)]` lends a struct's reflected operators (`Lhs: Mul<&Struct>`) to its proxies, and `Weakable<T>` lends those of `&T`",
    note = "for a trait object or another hand-written `Referent`, implement `weakref::ops::Reflected` for it as the derive does (see the `weakref::ops` docs)"
)]
pub trait Reflected<Op, Lhs> {
    /// What `lhs op &rhs` returns.
    type Output;
    /// `lhs op &rhs`.
    fn reflected(lhs: Lhs, rhs: &Self) -> Self::Output;
}

/// The markers, each applying its std trait.
macro_rules! binary_operators {
    ($($(#[$doc:meta])* $Marker:ident = $Trait:ident::$method:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $Marker;

        impl sealed::Sealed for $Marker {}

        impl<Lhs: ops::$Trait<Rhs>, Rhs> Operator<Lhs, Rhs> for $Marker {
            type Output = Lhs::Output;

            #[inline]
            fn apply(lhs: Lhs, rhs: Rhs) -> Lhs::Output {
                ops::$Trait::$method(lhs, rhs)
            }
        }
    )*};
}

macro_rules! unary_operators {
    ($($(#[$doc:meta])* $Marker:ident = $Trait:ident::$method:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $Marker;

        impl sealed::Sealed for $Marker {}

        impl<Lhs: ops::$Trait> Operator<Lhs> for $Marker {
            type Output = Lhs::Output;

            #[inline]
            fn apply(lhs: Lhs, (): ()) -> Lhs::Output {
                ops::$Trait::$method(lhs)
            }
        }
    )*};
}

binary_operators! {
    /// `+` ([`core::ops::Add`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{AddOp, Operator};
    /// assert_eq!(<AddOp as Operator<u8, u8>>::apply(2, 3), 5);
    /// ```
    AddOp = Add::add;
    /// `-` ([`core::ops::Sub`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{Operator, SubOp};
    /// assert_eq!(<SubOp as Operator<u8, u8>>::apply(5, 3), 2);
    /// ```
    SubOp = Sub::sub;
    /// `*` ([`core::ops::Mul`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{MulOp, Operator};
    /// assert_eq!(<MulOp as Operator<u8, u8>>::apply(2, 3), 6);
    /// ```
    MulOp = Mul::mul;
    /// `/` ([`core::ops::Div`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{DivOp, Operator};
    /// assert_eq!(<DivOp as Operator<u8, u8>>::apply(7, 2), 3);
    /// ```
    DivOp = Div::div;
    /// `%` ([`core::ops::Rem`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{Operator, RemOp};
    /// assert_eq!(<RemOp as Operator<u8, u8>>::apply(7, 2), 1);
    /// ```
    RemOp = Rem::rem;
    /// `&` ([`core::ops::BitAnd`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{BitAndOp, Operator};
    /// assert_eq!(<BitAndOp as Operator<u8, u8>>::apply(6, 3), 2);
    /// ```
    BitAndOp = BitAnd::bitand;
    /// `|` ([`core::ops::BitOr`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{BitOrOp, Operator};
    /// assert_eq!(<BitOrOp as Operator<u8, u8>>::apply(6, 3), 7);
    /// ```
    BitOrOp = BitOr::bitor;
    /// `^` ([`core::ops::BitXor`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{BitXorOp, Operator};
    /// assert_eq!(<BitXorOp as Operator<u8, u8>>::apply(6, 3), 5);
    /// ```
    BitXorOp = BitXor::bitxor;
    /// `<<` ([`core::ops::Shl`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{Operator, ShlOp};
    /// assert_eq!(<ShlOp as Operator<u8, u8>>::apply(3, 2), 12);
    /// ```
    ShlOp = Shl::shl;
    /// `>>` ([`core::ops::Shr`]) as an [`Operator`].
    ///
    /// ```
    /// use weakref_core::ops::{Operator, ShrOp};
    /// assert_eq!(<ShrOp as Operator<u8, u8>>::apply(12, 2), 3);
    /// ```
    ShrOp = Shr::shr;
}

unary_operators! {
    /// Unary `-` ([`core::ops::Neg`]) as an [`Operator`] (its right-hand
    /// side is `()`).
    ///
    /// ```
    /// use weakref_core::ops::{NegOp, Operator};
    /// assert_eq!(<NegOp as Operator<i8>>::apply(3, ()), -3);
    /// ```
    NegOp = Neg::neg;
    /// `!` ([`core::ops::Not`]) as an [`Operator`] (its right-hand side is
    /// `()`).
    ///
    /// ```
    /// use weakref_core::ops::{NotOp, Operator};
    /// assert_eq!(<NotOp as Operator<bool>>::apply(true, ()), false);
    /// ```
    NotOp = Not::not;
}
