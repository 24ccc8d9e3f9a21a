//! `WeakMethod`: Python 3's `weakref.WeakMethod`, a method bound weakly to
//! its object.
//!
//! Python needs it because a bound method (`obj.method`) is a new object each
//! time, so a plain weak reference to one dies at once. In Rust a method is
//! a `fn(&T, A) -> R`; a `WeakMethod` pairs one with a weak reference to the
//! object, so a signal can hold its slots without keeping their owners alive.

use core::fmt;
use core::hash::{Hash, Hasher};

use crate::error::ReferenceError;
use crate::family::{Accepts, ArcFamily, Family, StrongRef};
use crate::header::Referent;
use crate::node::{Handle, Kind, Payload};
use crate::reference::Ref;

/// The payload of a weak method object without a callback: nothing to run,
/// but a node of its own (a registered one), so each `WeakMethod::new` is a
/// new weak reference object, as in Python.
struct Unshared;

impl Payload for Unshared {
    const KIND: Kind = Kind::Callback;
    fn run(self, _: Handle) {}
}

/// A method bound weakly to its object (Python's `weakref.WeakMethod`):
/// [`call`](WeakMethod::call) runs `method(&obj, args)` while the object
/// lives, and fails with [`ReferenceError`] once it is gone.
///
/// `A` is the method's argument (a tuple for several, `()` for none) and `R`
/// its result. Each [`new`](WeakMethod::new) or
/// [`with_callback`](WeakMethod::with_callback) makes a new weak method
/// object (a weak reference object of its own, counted by
/// `getweakrefcount`); clones are the same one. Equality is Python's: two
/// weak methods whose objects are both alive are equal when their methods are
/// the same function and their objects are equal; otherwise only a weak
/// method object equals itself. "The same function" is the same function
/// pointer ([`core::ptr::fn_addr_eq`]), which Rust makes no promise about:
/// one function can have several addresses (across codegen units; always
/// under Miri), and the linker may merge identical ones. One hashes as its object (cached on first
/// use, so a dead one keeps its hash).
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Header, ReferenceError, Referent, WeakMethod};
///
/// #[derive(Referent)]
/// struct Counter { step: u32, header: Header }
///
/// impl Counter {
///     fn next(&self, n: u32) -> u32 { n + self.step }
/// }
///
/// let c = Arc::new(Counter { step: 2, header: Header::new() });
/// let slot = WeakMethod::new(&c, Counter::next);
/// assert_eq!(slot.call(40), Ok(42));
/// drop(c);
/// assert_eq!(slot.call(40), Err(ReferenceError));
/// ```
pub struct WeakMethod<T: ?Sized, A, R, F: Family = ArcFamily> {
    weak: Ref<T, F>,
    method: fn(&T, A) -> R,
}

impl<T: ?Sized + Referent, A, R, F: Family> WeakMethod<T, A, R, F> {
    /// A new weak method object: `method` bound weakly to `obj`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{getweakrefcount, Header, Referent, WeakMethod};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # impl Obj { fn name(&self, (): ()) -> &'static str { "obj" } }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let m = WeakMethod::new(&obj, Obj::name);
    /// assert_eq!(m.call(()), Ok("obj"));
    /// assert_eq!(getweakrefcount(&obj), 1);
    /// ```
    #[must_use]
    pub fn new<P>(obj: &P, method: fn(&T, A) -> R) -> Self
    where
        P: StrongRef<T, Family = F>,
    {
        // A weak reference object of its own (never the shared `Ref::new`).
        WeakMethod {
            weak: Ref::register(obj.as_family(), Unshared),
            method,
        }
    }

    /// A new weak method object whose `callback` runs once when `obj` dies,
    /// given this same weak method object (already dead), as
    /// [`Ref::with_callback`]'s callback runs.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use weakref_core::{Header, Referent, WeakMethod};
    ///
    /// #[derive(Referent)]
    /// struct Button { header: Header }
    /// impl Button { fn click(&self, (): ()) {} }
    ///
    /// let disconnected = Arc::new(Mutex::new(false));
    /// let b = Arc::new(Button { header: Header::new() });
    /// let flag = disconnected.clone();
    /// let slot = WeakMethod::with_callback(&b, Button::click, move |m: &WeakMethod<Button, (), ()>| {
    ///     assert!(!m.is_alive());
    ///     *flag.lock().unwrap() = true;
    /// });
    /// drop(b);
    /// assert!(*disconnected.lock().unwrap() && slot.call(()).is_err());
    /// ```
    #[must_use]
    pub fn with_callback<P, C>(obj: &P, method: fn(&T, A) -> R, callback: C) -> Self
    where
        P: StrongRef<T, Family = F>,
        C: FnOnce(&WeakMethod<T, A, R, F>) + 'static,
        F: Accepts<C>,
        T: 'static,
        A: 'static,
        R: 'static,
    {
        let callback = F::bind(callback);
        let weak = Ref::__with_owned_callback(obj.as_family(), move |weak| {
            if let Some(callback) = F::unbind(callback) {
                callback(&WeakMethod { weak, method });
            }
        });
        WeakMethod { weak, method }
    }

    /// Python's `m()(args)`: calls the method on the object, holding a
    /// strong reference for the call's duration; `Err(ReferenceError)` once
    /// the object is gone.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Referent, WeakMethod};
    /// # #[derive(Referent)] struct Obj { v: i32, header: Header }
    /// # impl Obj { fn add(&self, (a, b): (i32, i32)) -> i32 { self.v + a + b } }
    /// let obj = Arc::new(Obj { v: 1, header: Header::new() });
    /// let m = WeakMethod::new(&obj, Obj::add);
    /// assert_eq!(m.call((2, 3)), Ok(6));
    /// ```
    pub fn call(&self, args: A) -> Result<R, ReferenceError> {
        let obj = self.weak.get().ok_or(ReferenceError)?;
        Ok((self.method)(&obj, args))
    }

    /// Whether the object is still alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Referent, WeakMethod};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # impl Obj { fn f(&self, (): ()) {} }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let m = WeakMethod::new(&obj, Obj::f);
    /// assert!(m.is_alive());
    /// drop(obj);
    /// assert!(!m.is_alive());
    /// ```
    #[must_use]
    pub fn is_alive(&self) -> bool {
        self.weak.is_alive()
    }

    /// The weak reference object under the weak method (what
    /// `getweakrefs` lists for it).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{getweakrefs, Header, Ref, Referent, WeakMethod};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # impl Obj { fn f(&self, (): ()) {} }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let m = WeakMethod::new(&obj, Obj::f);
    /// assert!(Ref::ptr_eq(m.weakref(), &getweakrefs(&obj)[0]));
    /// ```
    #[must_use]
    pub fn weakref(&self) -> &Ref<T, F> {
        &self.weak
    }

    /// The method.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Referent, WeakMethod};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # impl Obj { fn f(&self, x: u8) -> u8 { x } }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let m = WeakMethod::new(&obj, Obj::f);
    /// assert_eq!((m.method())(&obj, 7), 7);
    /// ```
    #[must_use]
    pub fn method(&self) -> fn(&T, A) -> R {
        self.method
    }

    /// Python's `is`: whether two handles are the same weak method object.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Referent, WeakMethod};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # impl Obj { fn f(&self, (): ()) {} }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let m = WeakMethod::new(&obj, Obj::f);
    /// assert!(WeakMethod::ptr_eq(&m, &m.clone()));
    /// assert!(!WeakMethod::ptr_eq(&m, &WeakMethod::new(&obj, Obj::f)));
    /// ```
    #[must_use]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        Ref::ptr_eq(&this.weak, &other.weak)
    }
}

impl<T: ?Sized + Referent, A, R, F: Family> Clone for WeakMethod<T, A, R, F> {
    /// Another handle to the same weak method object.
    fn clone(&self) -> Self {
        WeakMethod {
            weak: self.weak.clone(),
            method: self.method,
        }
    }
}

/// Python's `WeakMethod.__eq__`: both objects alive: the same method and
/// equal objects; otherwise the same weak method object.
impl<T: ?Sized + Referent + PartialEq, A, R, F: Family> PartialEq for WeakMethod<T, A, R, F> {
    fn eq(&self, other: &Self) -> bool {
        if let (Some(a), Some(b)) = (self.weak.get(), other.weak.get()) {
            return core::ptr::fn_addr_eq(self.method, other.method) && *a == *b;
        }
        WeakMethod::ptr_eq(self, other)
    }
}

impl<T: ?Sized + Referent + Eq, A, R, F: Family> Eq for WeakMethod<T, A, R, F> {}

/// Hashes as its weak reference: the object's hash, cached on first use.
///
/// # Panics
/// If hashed for the first time after the object died (Python's
/// `TypeError`), as [`Ref`]'s `Hash`.
impl<T: ?Sized + Referent + Hash, A, R, F: Family> Hash for WeakMethod<T, A, R, F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.weak.hash(state);
    }
}

/// `<WeakMethod at 0x..; to 'Type' at 0x..>`, or `<WeakMethod at 0x..; dead>`.
impl<T: ?Sized + Referent, A, R, F: Family> fmt::Debug for WeakMethod<T, A, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let object = Ref::__object_ptr(&self.weak);
        if self.weak.is_alive() {
            write!(
                f,
                "<WeakMethod at {object:p}; to '{}' at {:p}>",
                core::any::type_name::<T>(),
                Ref::as_ptr(&self.weak)
            )
        } else {
            write!(f, "<WeakMethod at {object:p}; dead>")
        }
    }
}
