//! Reflected operators: a proxy on the right of a primitive number
//! (`2 * &proxy`, `1.0 + &proxy`), Python's `__rmul__`, `__radd__`...
//!
//! `lhs op &proxy` is `lhs op &*referent`. The orphan rule lets this crate
//! implement `Mul<&Proxy<T>>` for each primitive number type, not for every
//! `Lhs`; the `try_r*` methods serve any `Lhs`. Both go through
//! [`Reflected`](weakref_core::ops::Reflected), the per-type trait the
//! derive implements, never through a bound like `where i64: Mul<&T>` on an
//! unknown `T`, which would send the trait solver into a loop on plain
//! arithmetic (E0275).

/// The reflected form of one operator, for one proxy type: its `try_r*`
/// method, and the std operator for every primitive number type on the left.
macro_rules! reflected_op {
    ($Ty:ident, $Trait:ident, $Op:ident, $method:ident, $try:ident, $sym:tt, $python:literal) => {
        impl<T: ?Sized + Referent, F: Family> $Ty<T, F> {
            #[doc = concat!(
                "`lhs ", stringify!($sym), " referent` (`Lhs: ", stringify!($Trait),
                "<&T>`, lent to the proxies through \
                 [`Reflected`](weakref_core::ops::Reflected)), or `Err(ReferenceError)` if \
                 the referent is gone: Python's `", $python, "`, and the form of `lhs ",
                stringify!($sym), " &proxy` that does not panic.\n\n\
                 The operator itself exists for the primitive number types on the left \
                 (`i8`..`i128`, `u8`..`u128`, `isize`, `usize`, `f32`, `f64`); this method \
                 takes any `Lhs`."
            )]
            ///
            /// ```
            #[doc = $crate::forward::doc_prelude!()]
            #[doc = concat!(
                "impl std::ops::", stringify!($Trait), "<&Num> for i32 {\n",
                "    type Output = i32;\n",
                "    fn ", stringify!($method), "(self, rhs: &Num) -> i32 { self ",
                stringify!($sym), " rhs.v }\n",
                "}\n",
                "let n = num(12);\n",
                "let p = ", stringify!($Ty), "::new(&n);\n",
                "assert_eq!(p.", stringify!($try), "(3), Ok(3 ", stringify!($sym), " 12));\n",
                "assert_eq!(3 ", stringify!($sym), " &p, 3 ", stringify!($sym), " 12);\n",
                "drop(n);\n",
                "assert_eq!(p.", stringify!($try), "(3), Err(ReferenceError));",
            )]
            /// ```
            pub fn $try<Lhs, O>(&self, lhs: Lhs) -> Result<O, ReferenceError>
            where
                T: ::weakref_core::ops::Reflected<::weakref_core::ops::$Op, Lhs, Output = O>,
            {
                let referent = self.get()?;
                Ok(<T as ::weakref_core::ops::Reflected<
                    ::weakref_core::ops::$Op,
                    Lhs,
                >>::reflected(lhs, &referent))
            }
        }

        $crate::reflected::primitive_lhs!(
            $Ty, $Trait, $Op, $method, $try, $sym, $python;
            i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64
        );
    };
}
pub(crate) use reflected_op;

/// `prim op &proxy` and `prim op proxy`, for each primitive `prim`.
macro_rules! primitive_lhs {
    (
        $Ty:ident, $Trait:ident, $Op:ident, $method:ident, $try:ident, $sym:tt, $python:literal;
        $($prim:ident)*
    ) => {$(
        #[doc = concat!(
            "`lhs ", stringify!($sym), " &proxy` is `lhs ", stringify!($sym),
            " &*referent` (Python's `", $python, "`), for referent types that lend their \
             reflected operators to their proxies \
             ([`Reflected`](weakref_core::ops::Reflected): derived structs, `Weakable`).\
             \n\n# Panics\nWith [`ReferenceError::MESSAGE`] if the referent is gone (see [`",
            stringify!($Ty), "::", stringify!($try), "`])."
        )]
        impl<'a, T, F> ::core::ops::$Trait<&'a $Ty<T, F>> for $prim
        where
            T: ?Sized + Referent + ::weakref_core::ops::Reflected<::weakref_core::ops::$Op, $prim> + 'a,
            F: Family,
        {
            type Output = <T as ::weakref_core::ops::Reflected<::weakref_core::ops::$Op, $prim>>::Output;

            #[track_caller]
            fn $method(self, rhs: &'a $Ty<T, F>) -> Self::Output {
                match rhs.$try(self) {
                    Ok(output) => output,
                    Err(_) => $crate::dead(),
                }
            }
        }

        #[doc = concat!(
            "`lhs ", stringify!($sym), " proxy`, as `lhs ", stringify!($sym), " &proxy`."
        )]
        impl<T, F> ::core::ops::$Trait<$Ty<T, F>> for $prim
        where
            T: ?Sized + Referent + ::weakref_core::ops::Reflected<::weakref_core::ops::$Op, $prim>,
            F: Family,
        {
            type Output = <T as ::weakref_core::ops::Reflected<::weakref_core::ops::$Op, $prim>>::Output;

            #[track_caller]
            fn $method(self, rhs: $Ty<T, F>) -> Self::Output {
                ::core::ops::$Trait::$method(self, &rhs)
            }
        }
    )*};
}
pub(crate) use primitive_lhs;

/// Every reflected operator, for one proxy type.
macro_rules! reflected_ops {
    ($Ty:ident) => {
        $crate::reflected::reflected_op!($Ty, Add, AddOp, add, try_radd, +, "__radd__");
        $crate::reflected::reflected_op!($Ty, Sub, SubOp, sub, try_rsub, -, "__rsub__");
        $crate::reflected::reflected_op!($Ty, Mul, MulOp, mul, try_rmul, *, "__rmul__");
        $crate::reflected::reflected_op!($Ty, Div, DivOp, div, try_rdiv, /, "__rtruediv__");
        $crate::reflected::reflected_op!($Ty, Rem, RemOp, rem, try_rrem, %, "__rmod__");
        $crate::reflected::reflected_op!($Ty, BitAnd, BitAndOp, bitand, try_rbitand, &, "__rand__");
        $crate::reflected::reflected_op!($Ty, BitOr, BitOrOp, bitor, try_rbitor, |, "__ror__");
        $crate::reflected::reflected_op!($Ty, BitXor, BitXorOp, bitxor, try_rbitxor, ^, "__rxor__");
        $crate::reflected::reflected_op!($Ty, Shl, ShlOp, shl, try_rshl, <<, "__rlshift__");
        $crate::reflected::reflected_op!($Ty, Shr, ShrOp, shr, try_rshr, >>, "__rrshift__");
    };
}
pub(crate) use reflected_ops;
