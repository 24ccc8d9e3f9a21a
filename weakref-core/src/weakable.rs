//! [`Weakable`]: a value of any type, made weakly referenceable.
//!
//! Python's `list` and `dict` cannot be weakly referenced, but a subclass of
//! them can (`class Dict(dict): pass`). Rust has no subclassing, and a type
//! you do not own cannot get a header field or `#[derive(Referent)]`; the
//! wrapper plays the subclass's part: `Weakable<Vec<u8>>` is a `Vec<u8>` with
//! a header beside it.

use core::borrow::{Borrow, BorrowMut};
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Deref, DerefMut};

use crate::header::{Header, Referent};
use crate::kind::{Callable, PlainKind, ProxyKind};
use crate::ops::{Forward, Operator, Reflected};

/// A value of any type, made weakly referenceable: `T` beside a [`Header`].
///
/// For types you do not own (`Vec<u8>`, a `String`, a handle from another
/// crate), which cannot hold a header or derive [`Referent`]. It derefs to
/// the value, and compares, orders, hashes, displays and clones as the
/// value does: the header takes no part (a clone gets a fresh header with no
/// weak references). `T` may be unsized, as the last field of a struct can
/// be: `Arc<Weakable<[u8]>>`, `Arc<Weakable<dyn Fn() + Send + Sync>>`.
///
/// Weak references, proxies and weak dictionaries take it like any derived
/// referent: `WeakValueDictionary<String, Weakable<Vec<u8>>>` is a cache of
/// byte buffers (see the `weakref` crate's docs).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use weakref_core::{getweakrefcount, Ref, Weakable};
///
/// let bytes = Arc::new(Weakable::new(vec![1_u8, 2, 3]));
/// assert_eq!(bytes.len(), 3); // a `Vec<u8>` through `Deref`
///
/// let died = Arc::new(Mutex::new(false));
/// let flag = died.clone();
/// let r = Ref::with_callback(&bytes, move |_: &Ref<Weakable<Vec<u8>>>| {
///     *flag.lock().unwrap() = true;
/// });
/// assert_eq!(r.get().unwrap()[..], [1, 2, 3]);
/// assert_eq!(getweakrefcount(&bytes), 1);
/// drop(bytes);
/// assert!(r.get().is_none() && *died.lock().unwrap());
///
/// // Unsized values: a slice, coerced from an array.
/// let slice: Arc<Weakable<[u8]>> = Arc::new(Weakable::new([4, 5]));
/// assert_eq!(Ref::new(&slice).get().unwrap()[1], 5);
/// ```
pub struct Weakable<T: ?Sized> {
    /// The value's weak references. Before `value`, which may be unsized.
    header: Header,
    value: T,
}

impl<T> Weakable<T> {
    /// `value`, weakly referenceable once in an `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_core::{Ref, Weakable};
    ///
    /// let name = Arc::new(Weakable::new(String::from("ada")));
    /// assert_eq!(Ref::new(&name).get().as_deref().map(|s| s.as_str()), Some("ada"));
    ///
    /// const EMPTY: Weakable<Vec<u8>> = Weakable::new(Vec::new());
    /// assert!(EMPTY.is_empty());
    /// ```
    #[cfg(not(loom))]
    #[must_use]
    pub const fn new(value: T) -> Self {
        Weakable {
            header: Header::new(),
            value,
        }
    }

    /// `value`, weakly referenceable once in an `Arc`.
    #[cfg(loom)]
    #[must_use]
    pub fn new(value: T) -> Self {
        Weakable {
            header: Header::new(),
            value,
        }
    }

    /// The value, without its header.
    ///
    /// Dropping the header is the object's death for weak references: if
    /// this `Weakable` was moved out of its `Arc` (`Arc::into_inner`,
    /// `Arc::try_unwrap`), the weak references it left behind are already
    /// dead, and their callbacks run here at the latest.
    ///
    /// It is a method, so it hides an `into_inner` of `T` (`Mutex`, `Cell`):
    /// write `Weakable::into_inner(w).into_inner()` for that one.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_core::{Ref, Weakable};
    ///
    /// let w = Arc::new(Weakable::new(vec![1, 2]));
    /// let r = Ref::new(&w);
    /// let w = Arc::into_inner(w).unwrap();
    /// assert!(r.get().is_none()); // the value left its `Arc`
    /// assert_eq!(w.into_inner(), [1, 2]);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        let Weakable { header, value } = self;
        drop(header);
        value
    }
}

/// The value's header, which belongs to this `Weakable` alone.
///
/// ```
/// use weakref_core::{Referent, Weakable};
///
/// let w = Weakable::new(0_u8);
/// assert!(!w.weakref_header().is_referenced());
/// ```
#[diagnostic::do_not_recommend]
impl<T: ?Sized> Referent for Weakable<T> {
    #[inline]
    fn weakref_header(&self) -> &Header {
        &self.header
    }
}

/// A `Weakable` is proxied by a plain `Proxy`, even when `T` is callable:
/// `proxy()` cannot ask whether `T` implements [`Callable`]. Make a
/// `CallableProxy` with `CallableProxy::new` for a `Weakable` of a callable.
///
/// ```
/// use weakref_core::{PlainKind, ProxyKind, Weakable};
///
/// fn kind<T: ProxyKind<Kind = PlainKind>>() {}
/// kind::<Weakable<Vec<u8>>>();
/// ```
#[diagnostic::do_not_recommend]
impl<T: ?Sized> ProxyKind for Weakable<T> {
    type Kind = PlainKind;
}

/// Calls the value.
///
/// ```
/// use weakref_core::{Callable, Weakable};
///
/// struct Double;
/// impl Callable for Double {
///     type Args = i32;
///     type Output = i32;
///     fn call(&self, x: i32) -> i32 { 2 * x }
/// }
/// assert_eq!(Weakable::new(Double).call(21), 42);
/// ```
impl<T: ?Sized + Callable> Callable for Weakable<T> {
    type Args = T::Args;
    type Output = T::Output;

    #[inline]
    fn call(&self, args: T::Args) -> T::Output {
        self.value.call(args)
    }
}

/// The proxies of a `Weakable<T>` forward the operators of `&T`:
/// `&proxy * 2` is `&value * 2` (see [`ops`](crate::ops)). `&Weakable<T>`
/// itself has no operators, so that no blanket operator impl sends the trait
/// solver into a loop: write `&*w * 2` (or `**w * 2`) on the wrapper itself.
///
/// ```
/// use weakref_core::ops::{Forward, MulOp, NegOp};
/// use weakref_core::Weakable;
///
/// let w = Weakable::new(21_i64);
/// assert_eq!(Forward::<MulOp, i64>::forward(&w, 2), 42);
/// assert_eq!(Forward::<NegOp>::forward(&w, ()), -21);
/// assert_eq!(&*w * 2, 42);
/// ```
impl<T: ?Sized, Op, Rhs, O> Forward<Op, Rhs> for Weakable<T>
where
    for<'b> Op: Operator<&'b T, Rhs, Output = O>,
{
    type Output = O;

    #[inline]
    fn forward(&self, rhs: Rhs) -> O {
        Op::apply(&self.value, rhs)
    }
}

/// The proxies of a `Weakable<T>` take part in `lhs op &proxy` as `lhs op
/// &value`, for the primitive number types on the left (see
/// [`ops`](crate::ops)).
///
/// ```
/// use weakref_core::ops::{Reflected, SubOp};
/// use weakref_core::Weakable;
///
/// let w = Weakable::new(1.5_f64);
/// assert_eq!(<Weakable<f64> as Reflected<SubOp, f64>>::reflected(4.0, &w), 2.5);
/// ```
impl<T: ?Sized, Op, Lhs, O> Reflected<Op, Lhs> for Weakable<T>
where
    for<'b> Op: Operator<Lhs, &'b T, Output = O>,
{
    type Output = O;

    #[inline]
    fn reflected(lhs: Lhs, rhs: &Self) -> O {
        Op::apply(lhs, &rhs.value)
    }
}

/// The value, as with a `Box`.
///
/// ```
/// use weakref_core::Weakable;
///
/// let w = Weakable::new(String::from("abc"));
/// assert_eq!(w.to_uppercase(), "ABC");
/// ```
impl<T: ?Sized> Deref for Weakable<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.value
    }
}

/// The value, mutably (in an `Arc`: through `Arc::get_mut` or `make_mut`).
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::Weakable;
///
/// let mut w = Arc::new(Weakable::new(vec![1]));
/// Arc::get_mut(&mut w).unwrap().push(2);
/// assert_eq!(w[..], [1, 2]);
/// ```
impl<T: ?Sized> DerefMut for Weakable<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// ```
/// use weakref_core::Weakable;
///
/// fn len(s: impl AsRef<String>) -> usize { s.as_ref().len() }
/// assert_eq!(len(Weakable::new(String::from("abc"))), 3);
/// ```
impl<T: ?Sized> AsRef<T> for Weakable<T> {
    #[inline]
    fn as_ref(&self) -> &T {
        &self.value
    }
}

/// ```
/// use weakref_core::Weakable;
///
/// let mut w = Weakable::new(vec![1]);
/// AsMut::<Vec<i32>>::as_mut(&mut w).push(2);
/// assert_eq!(*w, [1, 2]);
/// ```
impl<T: ?Sized> AsMut<T> for Weakable<T> {
    #[inline]
    fn as_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// The value: `Weakable<T>` hashes and compares as `T` does, so a map keyed
/// by `Weakable<T>` can be searched with a `&T`.
///
/// ```
/// use std::borrow::Borrow;
/// use weakref_core::Weakable;
///
/// let w = Weakable::new(String::from("key"));
/// let s: &String = w.borrow();
/// assert_eq!(s, "key");
/// ```
impl<T: ?Sized> Borrow<T> for Weakable<T> {
    #[inline]
    fn borrow(&self) -> &T {
        &self.value
    }
}

/// ```
/// use std::borrow::BorrowMut;
/// use weakref_core::Weakable;
///
/// let mut w = Weakable::new(String::from("a"));
/// BorrowMut::<String>::borrow_mut(&mut w).push('b');
/// assert_eq!(*w, "ab");
/// ```
impl<T: ?Sized> BorrowMut<T> for Weakable<T> {
    #[inline]
    fn borrow_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// ```
/// use weakref_core::Weakable;
///
/// let w: Weakable<Vec<u8>> = vec![7].into();
/// assert_eq!(*w, [7]);
/// ```
impl<T> From<T> for Weakable<T> {
    #[inline]
    fn from(value: T) -> Self {
        Weakable::new(value)
    }
}

/// ```
/// use weakref_core::Weakable;
///
/// let w: Weakable<String> = Weakable::default();
/// assert!(w.is_empty());
/// ```
impl<T: Default> Default for Weakable<T> {
    fn default() -> Self {
        Weakable::new(T::default())
    }
}

/// A copy of the value with a fresh header: weak references belong to the
/// object, not to its value, and are never copied.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{getweakrefcount, Ref, Weakable};
///
/// let a = Arc::new(Weakable::new(vec![1, 2]));
/// let _r = Ref::new(&a);
/// let b = Arc::new((*a).clone());
/// assert_eq!(a, b);
/// assert_eq!((getweakrefcount(&a), getweakrefcount(&b)), (1, 0));
/// ```
impl<T: Clone> Clone for Weakable<T> {
    fn clone(&self) -> Self {
        Weakable::new(self.value.clone())
    }

    /// Copies the value only: `self` keeps its own header and weak references.
    fn clone_from(&mut self, source: &Self) {
        self.value.clone_from(&source.value);
    }
}

/// `Weakable(value)`, with the value's own `Debug`.
///
/// ```
/// use weakref_core::Weakable;
///
/// assert_eq!(format!("{:?}", Weakable::new(vec![1, 2])), "Weakable([1, 2])");
/// assert_eq!(format!("{:?}", Weakable::new("x")), "Weakable(\"x\")");
/// ```
impl<T: ?Sized + fmt::Debug> fmt::Debug for Weakable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Weakable").field(&&self.value).finish()
    }
}

/// The value's own `Display`, flags included.
///
/// ```
/// use weakref_core::Weakable;
///
/// assert_eq!(format!("[{:>4}]", Weakable::new(42)), "[  42]");
/// ```
impl<T: ?Sized + fmt::Display> fmt::Display for Weakable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

/// By value: the header takes no part in comparisons or hashing.
///
/// ```
/// use std::hash::{BuildHasher, RandomState};
/// use std::sync::Arc;
/// use weakref_core::{Ref, Weakable};
///
/// let a = Arc::new(Weakable::new(String::from("x")));
/// let _r = Ref::new(&a); // `a` has weak references, `b` none
/// let b = Weakable::new(String::from("x"));
/// assert!(*a == b && *a <= b);
/// assert!(Weakable::new(1) < Weakable::new(2));
/// let state = RandomState::new();
/// assert_eq!(state.hash_one(&*a), state.hash_one(&b));
/// assert_eq!(state.hash_one(&b), state.hash_one(String::from("x")));
/// ```
impl<T: ?Sized + PartialEq> PartialEq for Weakable<T> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: ?Sized + Eq> Eq for Weakable<T> {}

impl<T: ?Sized + PartialOrd> PartialOrd for Weakable<T> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<T: ?Sized + Ord> Ord for Weakable<T> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T: ?Sized + Hash> Hash for Weakable<T> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Weakable;
    use crate::{Ref, getweakrefcount};

    #[test]
    fn a_trait_object_can_be_wrapped() {
        let f: Arc<Weakable<dyn Fn() -> u8 + Send + Sync>> = Arc::new(Weakable::new(|| 7_u8));
        let r = Ref::new(&f);
        assert_eq!((r.get().unwrap())(), 7);
        assert_eq!(getweakrefcount(&f), 1);
        drop(f);
        assert!(r.get().is_none());
    }
}
