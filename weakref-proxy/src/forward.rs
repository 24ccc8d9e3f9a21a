//! What both proxy types share, generated for each by `forward_proxy!`:
//! access to the referent (`get`, `with`, `is_alive`, `weakref`, `ptr_eq`),
//! `Clone`, `Debug`, and the forwarding of comparisons, `Display` and the
//! operators, each with its `try_` form (the reflected operators are in
//! `reflected.rs`).
//!
//! Every forwarded operation upgrades the proxy to a strong `Arc` first and
//! holds it for the whole operation (CPython's `UNWRAP`), so the referent
//! cannot die in the middle of it, whatever the forwarded code drops.

/// Hidden lines opening every generated doc example: `Num`, a callable
/// referent (so the examples work for both proxy types), and `num(v)`.
macro_rules! doc_prelude {
    () => {
        "# use std::sync::Arc;\n\
         # use weakref_core::{Callable, Header, ReferenceError, Referent};\n\
         # use weakref_proxy::{CallableProxy, Proxy};\n\
         # #[derive(Referent, Debug, PartialEq, PartialOrd)]\n\
         # #[referent(callable)]\n\
         # struct Num { v: i32, header: Header }\n\
         # fn num(v: i32) -> Arc<Num> { Arc::new(Num { v, header: Header::new() }) }\n\
         # impl Callable for Num {\n\
         #     type Args = i32;\n\
         #     type Output = i32;\n\
         #     fn call(&self, x: i32) -> i32 { self.v * x }\n\
         # }\n\
         # impl std::fmt::Display for Num {\n\
         #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n\
         #         write!(f, \"{}\", self.v)\n\
         #     }\n\
         # }"
    };
}
pub(crate) use doc_prelude;

/// A binary operator of `&T` forwarded by `&Proxy<T>` and `Proxy<T>`, with
/// its `try_` method.
macro_rules! binary_op {
    ($Ty:ident, $Trait:ident, $Op:ident, $method:ident, $try:ident, $sym:tt) => {
        impl<T: ?Sized + Referent, F: Family> $Ty<T, F> {
            #[doc = concat!(
                "`referent ", stringify!($sym), " rhs` (`&T: ", stringify!($Trait),
                "<Rhs>`, lent to the proxies through [`Forward`](weakref_core::ops::Forward)), \
                 or `Err(ReferenceError)` if the referent is gone: the \
                 form of `&proxy ", stringify!($sym), " rhs` that does not panic."
            )]
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "impl std::ops::", stringify!($Trait), "<i32> for &Num {\n",
                "    type Output = i32;\n",
                "    fn ", stringify!($method), "(self, rhs: i32) -> i32 { self.v ",
                stringify!($sym), " rhs }\n",
                "}\n",
                "let n = num(12);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert_eq!(p.", stringify!($try), "(3), Ok(12 ", stringify!($sym), " 3));\n",
                "assert_eq!(&p ", stringify!($sym), " 3, 12 ", stringify!($sym), " 3);\n",
                "drop(n);\n",
                "assert_eq!(p.", stringify!($try), "(3), Err(ReferenceError));",
            )]
            /// ```
            pub fn $try<Rhs, O>(&self, rhs: Rhs) -> Result<O, ReferenceError>
            where
                T: ::weakref_core::ops::Forward<::weakref_core::ops::$Op, Rhs, Output = O>,
            {
                let referent = self.get()?;
                Ok(::weakref_core::ops::Forward::<::weakref_core::ops::$Op, Rhs>::forward(
                    &*referent, rhs,
                ))
            }
        }

        #[doc = concat!(
            "`&proxy ", stringify!($sym), " rhs` is `referent ", stringify!($sym),
            " rhs`, for referent types that lend their operators to their proxies \
             ([`Forward`](weakref_core::ops::Forward): derived structs, `Weakable`).\n\n# Panics\nWith [`ReferenceError::MESSAGE`] if the referent is gone \
             (see [`", stringify!($Ty), "::", stringify!($try), "`])."
        )]
        impl<'a, T, F, Rhs> ::core::ops::$Trait<Rhs> for &'a $Ty<T, F>
        where
            T: ?Sized + Referent + ::weakref_core::ops::Forward<::weakref_core::ops::$Op, Rhs> + 'a,
            F: Family,
        {
            type Output = <T as ::weakref_core::ops::Forward<::weakref_core::ops::$Op, Rhs>>::Output;

            #[track_caller]
            fn $method(self, rhs: Rhs) -> Self::Output {
                match self.$try(rhs) {
                    Ok(output) => output,
                    Err(_) => $crate::dead(),
                }
            }
        }

        #[doc = concat!(
            "`proxy ", stringify!($sym), " rhs`, as `&proxy ", stringify!($sym), " rhs`."
        )]
        impl<T, F, Rhs> ::core::ops::$Trait<Rhs> for $Ty<T, F>
        where
            T: ?Sized + Referent + ::weakref_core::ops::Forward<::weakref_core::ops::$Op, Rhs>,
            F: Family,
        {
            type Output = <T as ::weakref_core::ops::Forward<::weakref_core::ops::$Op, Rhs>>::Output;

            #[track_caller]
            fn $method(self, rhs: Rhs) -> Self::Output {
                ::core::ops::$Trait::$method(&self, rhs)
            }
        }
    };
}
pub(crate) use binary_op;

/// A unary operator of `&T` forwarded by `&Proxy<T>` and `Proxy<T>`, with
/// its `try_` method.
macro_rules! unary_op {
    ($Ty:ident, $Trait:ident, $Op:ident, $method:ident, $try:ident, $sym:tt) => {
        impl<T: ?Sized + Referent, F: Family> $Ty<T, F> {
            #[doc = concat!(
                "`", stringify!($sym), "referent` (`&T: ", stringify!($Trait),
                "`, lent to the proxies through [`Forward`](weakref_core::ops::Forward)), \
                 or `Err(ReferenceError)` if the referent is gone: the form of `",
                stringify!($sym), "&proxy` that does not panic."
            )]
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "impl std::ops::", stringify!($Trait), " for &Num {\n",
                "    type Output = i32;\n",
                "    fn ", stringify!($method), "(self) -> i32 { ", stringify!($sym), "self.v }\n",
                "}\n",
                "let n = num(12);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert_eq!(p.", stringify!($try), "(), Ok(", stringify!($sym), "12));\n",
                "assert_eq!(", stringify!($sym), "&p, ", stringify!($sym), "12);\n",
                "drop(n);\n",
                "assert_eq!(p.", stringify!($try), "(), Err(ReferenceError));",
            )]
            /// ```
            pub fn $try<O>(&self) -> Result<O, ReferenceError>
            where
                T: ::weakref_core::ops::Forward<::weakref_core::ops::$Op, Output = O>,
            {
                let referent = self.get()?;
                Ok(::weakref_core::ops::Forward::<::weakref_core::ops::$Op>::forward(
                    &*referent, (),
                ))
            }
        }

        #[doc = concat!(
            "`", stringify!($sym), "&proxy` is `", stringify!($sym),
            "referent`, for referent types that lend their operators to their proxies \
             ([`Forward`](weakref_core::ops::Forward): derived structs, `Weakable`).\n\n# Panics\nWith [`ReferenceError::MESSAGE`] if the referent is gone \
             (see [`", stringify!($Ty), "::", stringify!($try), "`])."
        )]
        impl<'a, T, F> ::core::ops::$Trait for &'a $Ty<T, F>
        where
            T: ?Sized + Referent + ::weakref_core::ops::Forward<::weakref_core::ops::$Op> + 'a,
            F: Family,
        {
            type Output = <T as ::weakref_core::ops::Forward<::weakref_core::ops::$Op>>::Output;

            #[track_caller]
            fn $method(self) -> Self::Output {
                match self.$try() {
                    Ok(output) => output,
                    Err(_) => $crate::dead(),
                }
            }
        }

        #[doc = concat!(
            "`", stringify!($sym), "proxy`, as `", stringify!($sym), "&proxy`."
        )]
        impl<T, F> ::core::ops::$Trait for $Ty<T, F>
        where
            T: ?Sized + Referent + ::weakref_core::ops::Forward<::weakref_core::ops::$Op>,
            F: Family,
        {
            type Output = <T as ::weakref_core::ops::Forward<::weakref_core::ops::$Op>>::Output;

            #[track_caller]
            fn $method(self) -> Self::Output {
                ::core::ops::$Trait::$method(&self)
            }
        }
    };
}
pub(crate) use unary_op;

/// Everything `Proxy` and `CallableProxy` share. The type must be a struct
/// with one field, `weak: Ref<T, F>`, in scope with `Referent`, `Ref`,
/// `Family`, `ReferenceError`, `fmt` and `Ordering` imported.
macro_rules! forward_proxy {
    ($Ty:ident) => {
        impl<T: ?Sized + Referent, F: Family> $Ty<T, F> {
            /// `with_callback` from the family's own pointer type (for
            /// generic code: `SelectProxy`).
            pub(crate) fn __with_callback<C>(obj: &F::Strong<T>, callback: C) -> Self
            where
                C: FnOnce(&Self) + 'static,
                F: Accepts<C>,
            {
                let callback = F::bind(callback);
                let weak = Ref::__with_owned_callback(obj, move |weak| {
                    if let Some(callback) = F::unbind(callback) {
                        callback(&$Ty { weak });
                    }
                });
                $Ty { weak }
            }

            /// The proxy over `weak` (a proxy's weak reference object).
            pub(crate) fn __from_ref(weak: Ref<T, F>) -> Self {
                $Ty { weak }
            }

            /// The referent, or `Err(ReferenceError)` if it is gone.
            ///
            /// The `Arc` is a strong reference: if it turns out to be the last
            /// one, dropping it kills the referent and runs its callbacks there.
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "let n = num(7);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert!(Arc::ptr_eq(&p.get().unwrap(), &n));\n",
                "drop(n);\n",
                "assert_eq!(p.get().unwrap_err(), ReferenceError);",
            )]
            /// ```
            #[inline]
            pub fn get(&self) -> Result<F::Strong<T>, ReferenceError> {
                self.weak.get().ok_or(ReferenceError)
            }

            /// Runs `f` on the referent, or returns `Err(ReferenceError)` if
            /// it is gone: how to forward attribute access and method calls.
            ///
            /// The referent is kept alive (by a strong reference) until `f`
            /// returns, even if `f` drops every other reference to it; then,
            /// if that was the last one, it dies here.
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "let n = num(7);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert_eq!(p.with(|n| n.v + 1), Ok(8));\n",
                "drop(n);\n",
                "assert_eq!(p.with(|n| n.v + 1), Err(ReferenceError));",
            )]
            /// ```
            pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, ReferenceError> {
                let referent = self.get()?;
                Ok(f(&referent))
            }

            /// Whether the referent is still alive (no strong reference is taken).
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "let n = num(7);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert!(p.is_alive());\n",
                "drop(n);\n",
                "assert!(!p.is_alive());",
            )]
            /// ```
            #[must_use]
            #[inline]
            pub fn is_alive(&self) -> bool {
                self.weak.is_alive()
            }

            /// The weak reference object under the proxy: what
            /// [`getweakrefs`](weakref_core::getweakrefs) lists for it, and
            /// what tells proxies apart ([`ptr_eq`](Self::ptr_eq)).
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "use weakref_core::{getweakrefs, Ref};\n",
                "let n = num(7);\n",
                "let p = ", stringify!($Ty), "::with_callback(&n, |_| ());\n",
                "assert!(Ref::ptr_eq(&getweakrefs(&n)[0], p.weakref()));",
            )]
            /// ```
            #[must_use]
            #[inline]
            pub fn weakref(&self) -> &Ref<T, F> {
                &self.weak
            }

            /// Python's `is`: whether two proxies are the same weak reference
            /// object (clones are; `new` twice on one object is too).
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "let n = num(7);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert!(", stringify!($Ty), "::ptr_eq(&p, &", stringify!($Ty), "::new(&n)));\n",
                "let q = ", stringify!($Ty), "::with_callback(&n, |_| ());\n",
                "assert!(", stringify!($Ty), "::ptr_eq(&q, &q.clone()));\n",
                "assert!(!", stringify!($Ty), "::ptr_eq(&p, &q));",
            )]
            /// ```
            #[must_use]
            #[inline]
            pub fn ptr_eq(this: &Self, other: &Self) -> bool {
                Ref::ptr_eq(&this.weak, &other.weak)
            }

            /// The same proxy (the same weak reference object), seen as a
            /// proxy to `U`, typically a trait object the referent implements:
            /// [`Ref::coerce`] for proxies. A bare `|w| w` infers `U = T`.
            ///
            /// # Panics
            /// If `f` returns a `Weak` to another object than the one it was given.
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "trait Reading: Referent { fn value(&self) -> i32; }\n",
                "impl Reading for Num { fn value(&self) -> i32 { self.v } }\n",
                "let n = num(7);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "let q: ", stringify!($Ty), "<dyn Reading> = p.clone()",
                ".coerce(|w| w as std::sync::Weak<dyn Reading>);\n",
                "assert_eq!(q.with(|r| r.value()), Ok(7));\n",
                "let via_dyn = weakref_proxy::Proxy::new(&(n.clone() as Arc<dyn Reading>));\n",
                "assert!(weakref_core::Ref::ptr_eq(q.weakref(), via_dyn.weakref()));\n",
                "assert_eq!(weakref_core::getweakrefcount(&n), 1);",
            )]
            /// ```
            #[must_use]
            pub fn coerce<U>(self, f: impl FnOnce(F::Weak<T>) -> F::Weak<U>) -> $Ty<U, F>
            where
                U: ?Sized + Referent,
            {
                $Ty {
                    weak: self.weak.coerce(f),
                }
            }

            /// `referent == other`, or `Err(ReferenceError)` if the referent is
            /// gone: the form of `proxy == other` that does not panic.
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "let (n, seven) = (num(7), num(7));\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert_eq!(p.try_eq(&*seven), Ok(true));\n",
                "drop(n);\n",
                "assert_eq!(p.try_eq(&*seven), Err(ReferenceError));",
            )]
            /// ```
            pub fn try_eq<U: ?Sized>(&self, other: &U) -> Result<bool, ReferenceError>
            where
                T: PartialEq<U>,
            {
                let referent = self.get()?;
                Ok(*referent == *other)
            }

            /// `referent.partial_cmp(other)`, or `Err(ReferenceError)` if the
            /// referent is gone: the form of `proxy < other` (and the others)
            /// that does not panic.
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "use std::cmp::Ordering;\n",
                "let (n, eight) = (num(7), num(8));\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert_eq!(p.try_partial_cmp(&*eight), Ok(Some(Ordering::Less)));\n",
                "drop(n);\n",
                "assert_eq!(p.try_partial_cmp(&*eight), Err(ReferenceError));",
            )]
            /// ```
            pub fn try_partial_cmp<U: ?Sized>(
                &self,
                other: &U,
            ) -> Result<Option<Ordering>, ReferenceError>
            where
                T: PartialOrd<U>,
            {
                let referent = self.get()?;
                Ok((*referent).partial_cmp(other))
            }

            /// The referent's `to_string()`, or `Err(ReferenceError)` if it is
            /// gone: the form of `format!("{proxy}")` that does not panic.
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "let n = num(7);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert_eq!(p.try_to_string().as_deref(), Ok(\"7\"));\n",
                "assert_eq!(p.to_string(), \"7\");\n",
                "drop(n);\n",
                "assert_eq!(p.try_to_string(), Err(ReferenceError));",
            )]
            /// ```
            pub fn try_to_string(&self) -> Result<String, ReferenceError>
            where
                T: fmt::Display,
            {
                self.with(ToString::to_string)
            }
        }

        impl<T: ?Sized + Referent, F: Family> Clone for $Ty<T, F> {
            /// Another handle to the same proxy (the same weak reference object).
            fn clone(&self) -> Self {
                $Ty {
                    weak: self.weak.clone(),
                }
            }
        }

        /// `<weakproxy at 0x..; to 'Type' at 0x..>`, or `<weakproxy at 0x..; dead>`;
        /// never fails, and never keeps the referent alive.
        impl<T: ?Sized + Referent, F: Family> fmt::Debug for $Ty<T, F> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let object = Ref::__object_ptr(&self.weak);
                if self.weak.is_alive() {
                    write!(
                        f,
                        "<weakproxy at {object:p}; to '{}' at {:p}>",
                        ::core::any::type_name::<T>(),
                        Ref::as_ptr(&self.weak),
                    )
                } else {
                    write!(f, "<weakproxy at {object:p}; dead>")
                }
            }
        }

        /// `proxy == value` compares the referent with `value`.
        ///
        /// # Panics
        /// With [`ReferenceError::MESSAGE`] if the referent is gone (see
        #[doc = concat!("[`", stringify!($Ty), "::try_eq`]).")]
        impl<T: ?Sized + Referent + PartialEq, F: Family> PartialEq<T> for $Ty<T, F> {
            #[track_caller]
            fn eq(&self, other: &T) -> bool {
                match self.try_eq(other) {
                    Ok(equal) => equal,
                    Err(_) => $crate::dead(),
                }
            }

            // The default `ne` is not `#[track_caller]`: a dead proxy's panic
            // would point into `core::cmp` instead of at the caller's `!=`.
            #[allow(clippy::partialeq_ne_impl)]
            #[track_caller]
            fn ne(&self, other: &T) -> bool {
                !self.eq(other)
            }
        }

        /// `p == q` compares the two referents (as Python's proxies do).
        ///
        /// # Panics
        /// With [`ReferenceError::MESSAGE`] if either referent is gone.
        impl<T: ?Sized + Referent + PartialEq, F: Family> PartialEq for $Ty<T, F> {
            #[track_caller]
            fn eq(&self, other: &Self) -> bool {
                match (self.get(), other.get()) {
                    (Ok(a), Ok(b)) => *a == *b,
                    _ => $crate::dead(),
                }
            }

            #[allow(clippy::partialeq_ne_impl)] // as above: for `#[track_caller]`
            #[track_caller]
            fn ne(&self, other: &Self) -> bool {
                !self.eq(other)
            }
        }

        /// `proxy < value` (and the others) compares the referent with `value`.
        ///
        /// # Panics
        /// With [`ReferenceError::MESSAGE`] if the referent is gone (see
        #[doc = concat!("[`", stringify!($Ty), "::try_partial_cmp`]).")]
        impl<T: ?Sized + Referent + PartialOrd, F: Family> PartialOrd<T> for $Ty<T, F> {
            #[track_caller]
            fn partial_cmp(&self, other: &T) -> Option<Ordering> {
                match self.try_partial_cmp(other) {
                    Ok(ordering) => ordering,
                    Err(_) => $crate::dead(),
                }
            }

            // Not the default methods, which are not `#[track_caller]`.
            #[track_caller]
            fn lt(&self, other: &T) -> bool {
                matches!(self.partial_cmp(other), Some(Ordering::Less))
            }

            #[track_caller]
            fn le(&self, other: &T) -> bool {
                matches!(
                    self.partial_cmp(other),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }

            #[track_caller]
            fn gt(&self, other: &T) -> bool {
                matches!(self.partial_cmp(other), Some(Ordering::Greater))
            }

            #[track_caller]
            fn ge(&self, other: &T) -> bool {
                matches!(
                    self.partial_cmp(other),
                    Some(Ordering::Greater | Ordering::Equal)
                )
            }
        }

        /// `p < q` (and the others) compares the two referents: unlike weak
        /// references, proxies are ordered when their referents are.
        ///
        /// # Panics
        /// With [`ReferenceError::MESSAGE`] if either referent is gone.
        impl<T: ?Sized + Referent + PartialOrd, F: Family> PartialOrd for $Ty<T, F> {
            #[track_caller]
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                match (self.get(), other.get()) {
                    (Ok(a), Ok(b)) => (*a).partial_cmp(&*b),
                    _ => $crate::dead(),
                }
            }

            #[track_caller]
            fn lt(&self, other: &Self) -> bool {
                matches!(self.partial_cmp(other), Some(Ordering::Less))
            }

            #[track_caller]
            fn le(&self, other: &Self) -> bool {
                matches!(
                    self.partial_cmp(other),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }

            #[track_caller]
            fn gt(&self, other: &Self) -> bool {
                matches!(self.partial_cmp(other), Some(Ordering::Greater))
            }

            #[track_caller]
            fn ge(&self, other: &Self) -> bool {
                matches!(
                    self.partial_cmp(other),
                    Some(Ordering::Greater | Ordering::Equal)
                )
            }
        }

        /// Displays the referent (Python's `str(proxy)`).
        ///
        /// # Panics
        /// With [`ReferenceError::MESSAGE`] if the referent is gone (see
        #[doc = concat!("[`", stringify!($Ty), "::try_to_string`]).")]
        impl<T: ?Sized + Referent + fmt::Display, F: Family> fmt::Display for $Ty<T, F> {
            #[track_caller]
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.get() {
                    Ok(referent) => fmt::Display::fmt(&*referent, f),
                    Err(_) => $crate::dead(),
                }
            }
        }

        $crate::forward::binary_op!($Ty, Add, AddOp, add, try_add, +);
        $crate::forward::binary_op!($Ty, Sub, SubOp, sub, try_sub, -);
        $crate::forward::binary_op!($Ty, Mul, MulOp, mul, try_mul, *);
        $crate::forward::binary_op!($Ty, Div, DivOp, div, try_div, /);
        $crate::forward::binary_op!($Ty, Rem, RemOp, rem, try_rem, %);
        $crate::forward::binary_op!($Ty, BitAnd, BitAndOp, bitand, try_bitand, &);
        $crate::forward::binary_op!($Ty, BitOr, BitOrOp, bitor, try_bitor, |);
        $crate::forward::binary_op!($Ty, BitXor, BitXorOp, bitxor, try_bitxor, ^);
        $crate::forward::binary_op!($Ty, Shl, ShlOp, shl, try_shl, <<);
        $crate::forward::binary_op!($Ty, Shr, ShrOp, shr, try_shr, >>);
        $crate::forward::unary_op!($Ty, Neg, NegOp, neg, try_neg, -);
        $crate::forward::unary_op!($Ty, Not, NotOp, not, try_not, !);
        $crate::reflected::reflected_ops!($Ty);
    };
}
pub(crate) use forward_proxy;
