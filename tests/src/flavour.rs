//! One test body, every flavour: the `Arc` flavour (`weakref::Ref`,
//! `std::sync::Arc`) and the `Rc` flavour (`weakref::rc::Ref`,
//! `std::rc::Rc`) run the same generic functions (STYLE: "Tests run the same
//! bodies against every surface, never pasted copies").
//!
//! - [`Flavour`]: implemented by the two pointer families themselves
//!   ([`ArcFamily`], [`RcFamily`]), so a body generic over `Fl: Flavour`
//!   names the library's types as they are, `Ref<Obj, Fl>`, `Proxy<Obj, Fl>`
//!   (as proxy_forwarding.rs's `forwarding_tests!` does with its `$Family`).
//!   The strong pointer is [`Flavour::Ptr`], which generic code can pass to
//!   every constructor that takes a `StrongRef` (`Ref::new(&o)`,
//!   `Proxy::new(&o)`, `WeakMethod::new(&o, m)`, `Ref::with_death_hook`).
//!   What a generic body cannot call by itself has a twin here: the free
//!   functions of `weakref` and `weakref::rc` (`getweakrefcount`, `proxy`,
//!   `finalize`, ...), std's `Arc`/`Rc` functions (`try_unwrap`, `make_mut`,
//!   ...) and everything taking a callback.
//! - Callbacks: `Fl::with_callback(&o, cb)` and its siblings take
//!   `FnOnce(..) + Send + 'static`, which both families accept (a generic
//!   body cannot prove `Fl: Accepts<C>` for its closure's type, so the
//!   per-family impls do). A closure that must capture something of the
//!   flavour (an `Rc`, an `rc::Ref`: not `Send`) captures it in a [`Local`].
//!   That `Rc` callbacks need no `Send` at all is the `Rc` flavour's own
//!   test: `ui/pass/rc-callback-captures-rc-refcell.rs` and the `rc`-only
//!   tests beside the generic ones.
//! - [`flavour_tests!`](crate::flavour_tests): `flavour_tests!(name);` under
//!   `fn name<Fl: Flavour>()` makes the tests `name::arc` and `name::rc`.
//!
//! ```
//! use weakref::Ref;
//! use weakref_tests::flavour::{Flavour, ptr_eq};
//!
//! fn basic<Fl: Flavour>() {
//!     let o = Fl::obj(1);
//!     let r = Ref::new(&o); // a `Ref<Obj, Fl>`
//!     assert!(ptr_eq(&r.get().unwrap(), &o));
//!     assert_eq!(Fl::getweakrefcount(&o), 1);
//!     drop(o);
//!     assert!(!r.is_alive());
//! }
//! basic::<weakref::ArcFamily>();
//! basic::<weakref::RcFamily>();
//! ```
//!
//! Thread tests stay `Arc`-only: `Rc` objects never leave their thread.
//!
//! Other surfaces extend the same trait rather than adding a second one: a
//! dictionary suite adds its types as associated types (say
//! `type WeakKeyDictionary<K, V>`, `weakref::WeakKeyDictionary<K, V>` or
//! `weakref::rc::WeakKeyDictionary<K, V>`) and twins for what a generic body
//! cannot call; keys made with `Fl::obj`/`Fl::new` are `Fl::Ptr`s, which any
//! constructor taking a `StrongRef` accepts.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::{self, ThreadId};

pub use weakref::{ArcFamily, Family, RcFamily};
use weakref::{
    Finalize, Header, ProxyKind, ProxyOf, Ref, Referent, SelectProxy, StrongRef, WeakMethod,
};

use crate::{Counter, Obj};

/// A flavour of the library: a pointer family with the functions a generic
/// test body needs from it. Implemented by [`ArcFamily`] and [`RcFamily`].
pub trait Flavour: Family {
    /// `"arc"` or `"rc"`, for messages.
    const NAME: &'static str;

    /// The strong pointer, `Arc<T>` or `Rc<T>`: the family's
    /// [`Strong`](Family::Strong) with the bounds generic code needs (it is
    /// the same type, and converts with `From`/`Into`: `r.get()` gives a
    /// `Strong`, `Fl::Ptr::from(r.get().unwrap())` the `Ptr`).
    type Ptr<T: ?Sized>: StrongRef<T, Family = Self>
        + Deref<Target = T>
        + Clone
        + From<Self::Strong<T>>
        + Into<Self::Strong<T>>;

    /// `Arc::new` / `Rc::new`.
    fn new<T>(value: T) -> Self::Ptr<T>;

    /// The plain test referent in this flavour's pointer.
    #[must_use]
    fn obj(id: u32) -> Self::Ptr<Obj> {
        Self::new(Obj {
            id,
            header: Header::new(),
        })
    }

    /// `getweakrefcount` / `rc::getweakrefcount`.
    fn getweakrefcount<T: ?Sized + Referent>(obj: &Self::Ptr<T>) -> usize;

    /// `getweakrefs` / `rc::getweakrefs`.
    fn getweakrefs<T: ?Sized + Referent>(obj: &Self::Ptr<T>) -> Vec<Ref<T, Self>>;

    /// `Ref::with_callback`, for a `Send` callback (which both families take).
    fn with_callback<T, C>(obj: &Self::Ptr<T>, callback: C) -> Ref<T, Self>
    where
        T: ?Sized + Referent,
        C: FnOnce(&Ref<T, Self>) + Send + 'static;

    /// `proxy` / `rc::proxy`: the shared proxy, callable when `T` is.
    fn proxy<T>(obj: &Self::Ptr<T>) -> ProxyOf<T, Self>
    where
        T: ?Sized + Referent + ProxyKind,
        T::Kind: SelectProxy<T, Self>;

    /// `proxy_with_callback` / `rc::proxy_with_callback`.
    fn proxy_with_callback<T, C>(obj: &Self::Ptr<T>, callback: C) -> ProxyOf<T, Self>
    where
        T: ?Sized + Referent + ProxyKind,
        T::Kind: SelectProxy<T, Self>,
        C: FnOnce(&ProxyOf<T, Self>) + Send + 'static;

    /// `finalize` / `rc::finalize`.
    fn finalize<T, C>(obj: &Self::Ptr<T>, func: C) -> Finalize<T, Self>
    where
        T: ?Sized + Referent,
        C: FnOnce() + Send + 'static;

    /// `Finalize::detach`, whose function is `Send` only for `Arc` objects.
    #[allow(clippy::type_complexity)] // std's `Box<dyn FnOnce()>`, named once
    fn detach<T: ?Sized + Referent>(
        finalizer: &Finalize<T, Self>,
    ) -> Option<(Self::Ptr<T>, Box<dyn FnOnce()>)>;

    /// `WeakMethod::with_callback`.
    fn weak_method_with_callback<T, A, R, C>(
        obj: &Self::Ptr<T>,
        method: fn(&T, A) -> R,
        callback: C,
    ) -> WeakMethod<T, A, R, Self>
    where
        T: ?Sized + Referent + 'static,
        A: 'static,
        R: 'static,
        C: FnOnce(&WeakMethod<T, A, R, Self>) + Send + 'static;

    /// `Arc::try_unwrap` / `Rc::try_unwrap`.
    fn try_unwrap<T>(this: Self::Ptr<T>) -> Result<T, Self::Ptr<T>>;

    /// `Arc::into_inner` / `Rc::into_inner`.
    fn into_inner<T>(this: Self::Ptr<T>) -> Option<T>;

    /// `Arc::unwrap_or_clone` / `Rc::unwrap_or_clone`.
    fn unwrap_or_clone<T: Clone>(this: Self::Ptr<T>) -> T;

    /// `Arc::make_mut` / `Rc::make_mut`.
    fn make_mut<T: Clone>(this: &mut Self::Ptr<T>) -> &mut T;
}

impl Flavour for ArcFamily {
    const NAME: &'static str = "arc";

    type Ptr<T: ?Sized> = Arc<T>;

    fn new<T>(value: T) -> Arc<T> {
        Arc::new(value)
    }

    fn getweakrefcount<T: ?Sized + Referent>(obj: &Arc<T>) -> usize {
        weakref::getweakrefcount(obj)
    }

    fn getweakrefs<T: ?Sized + Referent>(obj: &Arc<T>) -> Vec<Ref<T>> {
        weakref::getweakrefs(obj)
    }

    fn with_callback<T, C>(obj: &Arc<T>, callback: C) -> Ref<T>
    where
        T: ?Sized + Referent,
        C: FnOnce(&Ref<T>) + Send + 'static,
    {
        Ref::with_callback(obj, callback)
    }

    fn proxy<T>(obj: &Arc<T>) -> ProxyOf<T>
    where
        T: ?Sized + Referent + ProxyKind,
        T::Kind: SelectProxy<T>,
    {
        weakref::proxy(obj)
    }

    fn proxy_with_callback<T, C>(obj: &Arc<T>, callback: C) -> ProxyOf<T>
    where
        T: ?Sized + Referent + ProxyKind,
        T::Kind: SelectProxy<T>,
        C: FnOnce(&ProxyOf<T>) + Send + 'static,
    {
        weakref::proxy_with_callback(obj, callback)
    }

    fn finalize<T, C>(obj: &Arc<T>, func: C) -> Finalize<T>
    where
        T: ?Sized + Referent,
        C: FnOnce() + Send + 'static,
    {
        weakref::finalize(obj, func)
    }

    fn detach<T: ?Sized + Referent>(
        finalizer: &Finalize<T>,
    ) -> Option<(Arc<T>, Box<dyn FnOnce()>)> {
        let (obj, func) = finalizer.detach()?;
        Some((obj, func))
    }

    fn weak_method_with_callback<T, A, R, C>(
        obj: &Arc<T>,
        method: fn(&T, A) -> R,
        callback: C,
    ) -> WeakMethod<T, A, R>
    where
        T: ?Sized + Referent + 'static,
        A: 'static,
        R: 'static,
        C: FnOnce(&WeakMethod<T, A, R>) + Send + 'static,
    {
        WeakMethod::with_callback(obj, method, callback)
    }

    fn try_unwrap<T>(this: Arc<T>) -> Result<T, Arc<T>> {
        Arc::try_unwrap(this)
    }

    fn into_inner<T>(this: Arc<T>) -> Option<T> {
        Arc::into_inner(this)
    }

    fn unwrap_or_clone<T: Clone>(this: Arc<T>) -> T {
        Arc::unwrap_or_clone(this)
    }

    fn make_mut<T: Clone>(this: &mut Arc<T>) -> &mut T {
        Arc::make_mut(this)
    }
}

impl Flavour for RcFamily {
    const NAME: &'static str = "rc";

    type Ptr<T: ?Sized> = Rc<T>;

    fn new<T>(value: T) -> Rc<T> {
        Rc::new(value)
    }

    fn getweakrefcount<T: ?Sized + Referent>(obj: &Rc<T>) -> usize {
        weakref::rc::getweakrefcount(obj)
    }

    fn getweakrefs<T: ?Sized + Referent>(obj: &Rc<T>) -> Vec<weakref::rc::Ref<T>> {
        weakref::rc::getweakrefs(obj)
    }

    fn with_callback<T, C>(obj: &Rc<T>, callback: C) -> weakref::rc::Ref<T>
    where
        T: ?Sized + Referent,
        C: FnOnce(&weakref::rc::Ref<T>) + Send + 'static,
    {
        weakref::rc::Ref::with_callback(obj, callback)
    }

    fn proxy<T>(obj: &Rc<T>) -> weakref::rc::ProxyOf<T>
    where
        T: ?Sized + Referent + ProxyKind,
        T::Kind: SelectProxy<T, RcFamily>,
    {
        weakref::rc::proxy(obj)
    }

    fn proxy_with_callback<T, C>(obj: &Rc<T>, callback: C) -> weakref::rc::ProxyOf<T>
    where
        T: ?Sized + Referent + ProxyKind,
        T::Kind: SelectProxy<T, RcFamily>,
        C: FnOnce(&weakref::rc::ProxyOf<T>) + Send + 'static,
    {
        weakref::rc::proxy_with_callback(obj, callback)
    }

    fn finalize<T, C>(obj: &Rc<T>, func: C) -> weakref::rc::Finalize<T>
    where
        T: ?Sized + Referent,
        C: FnOnce() + Send + 'static,
    {
        weakref::rc::finalize(obj, func)
    }

    fn detach<T: ?Sized + Referent>(
        finalizer: &weakref::rc::Finalize<T>,
    ) -> Option<(Rc<T>, Box<dyn FnOnce()>)> {
        finalizer.detach()
    }

    fn weak_method_with_callback<T, A, R, C>(
        obj: &Rc<T>,
        method: fn(&T, A) -> R,
        callback: C,
    ) -> weakref::rc::WeakMethod<T, A, R>
    where
        T: ?Sized + Referent + 'static,
        A: 'static,
        R: 'static,
        C: FnOnce(&weakref::rc::WeakMethod<T, A, R>) + Send + 'static,
    {
        weakref::rc::WeakMethod::with_callback(obj, method, callback)
    }

    fn try_unwrap<T>(this: Rc<T>) -> Result<T, Rc<T>> {
        Rc::try_unwrap(this)
    }

    fn into_inner<T>(this: Rc<T>) -> Option<T> {
        Rc::into_inner(this)
    }

    fn unwrap_or_clone<T: Clone>(this: Rc<T>) -> T {
        Rc::unwrap_or_clone(this)
    }

    fn make_mut<T: Clone>(this: &mut Rc<T>) -> &mut T {
        Rc::make_mut(this)
    }
}

/// Whether `a` and `b` point to the same object (`Arc::ptr_eq`/`Rc::ptr_eq`,
/// for any two pointers: a `Ptr` and the `Strong` that `get()` returns).
pub fn ptr_eq<T: ?Sized>(a: &impl Deref<Target = T>, b: &impl Deref<Target = T>) -> bool {
    std::ptr::addr_eq(std::ptr::from_ref::<T>(&**a), std::ptr::from_ref::<T>(&**b))
}

impl Counter {
    /// [`Counter::callback`] for a weak reference of any flavour: counts its
    /// call and checks that it is given a dead weak reference.
    pub fn callback_in<F: Family, T: ?Sized + Referent>(
        &self,
    ) -> impl FnOnce(&Ref<T, F>) + Send + 'static {
        let counter = self.clone();
        move |r: &Ref<T, F>| {
            assert!(
                r.get().is_none(),
                "a callback is given a dead weak reference"
            );
            counter.hit();
        }
    }
}

thread_local! {
    /// The values of this thread's [`Local`]s, by key.
    static LOCALS: RefCell<HashMap<u64, Rc<dyn Any>>> = RefCell::new(HashMap::new());
}

/// A value that stays on the thread that made it, behind a handle that is
/// `Send` and `Sync`: how a `Send` callback of a generic body captures what
/// the `Rc` flavour makes (an `Rc`, an `rc::Ref`, a `Ref<_, Fl>` in general),
/// which is not `Send`.
///
/// The value lives in a thread-local table; the handle is its key. It is
/// used ([`with`](Local::with)), taken back ([`into_inner`](Local::into_inner))
/// or dropped (dropping the handle drops the value, at once, as dropping the
/// captured value itself would) on its own thread; `with` and `into_inner`
/// panic on any other, and a handle dropped on another thread leaves its
/// value to its own thread's exit. No unsafe code: the handle holds no
/// pointer to the value.
///
/// ```
/// use std::rc::Rc;
/// use weakref_tests::flavour::Local;
///
/// let shared = Rc::new(5);
/// let captured = Local::new(Rc::clone(&shared));
/// let callback = move || *captured.into_inner() + 1; // a `Send` closure
/// fn check_send(_: &impl Send) {}
/// check_send(&callback);
/// assert_eq!(callback(), 6);
/// assert_eq!(Rc::strong_count(&shared), 1, "the captured clone is gone");
/// ```
pub struct Local<V: 'static> {
    key: u64,
    thread: ThreadId,
    /// `fn() -> V`: the handle owns a `V` but holds none, so it is `Send`
    /// and `Sync` whatever `V` is.
    value: PhantomData<fn() -> V>,
}

impl<V: 'static> Local<V> {
    /// Puts `value` in this thread's table.
    pub fn new(value: V) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // Relaxed: only uniqueness matters.
        let key = NEXT.fetch_add(1, Ordering::Relaxed);
        let value: Rc<dyn Any> = Rc::new(value);
        LOCALS.with(|locals| locals.borrow_mut().insert(key, value));
        Local {
            key,
            thread: thread::current().id(),
            value: PhantomData,
        }
    }

    /// The value, shared while `f` runs (which may make and drop other
    /// `Local`s).
    ///
    /// # Panics
    ///
    /// On another thread than the one that made it.
    pub fn with<R>(&self, f: impl FnOnce(&V) -> R) -> R {
        let value = self.value();
        f(&value)
    }

    /// Takes the value back.
    ///
    /// # Panics
    ///
    /// On another thread than the one that made it, or inside its own
    /// [`with`](Local::with).
    #[must_use]
    pub fn into_inner(self) -> V {
        let this = ManuallyDrop::new(self);
        this.check_thread();
        let value = LOCALS
            .with(|locals| locals.borrow_mut().remove(&this.key))
            .expect("a Local's value is in its thread's table");
        let value = Rc::downcast::<V>(value).expect("a Local's value has its type");
        Rc::into_inner(value).expect("into_inner outside of the Local's own `with`")
    }

    fn value(&self) -> Rc<V> {
        self.check_thread();
        let value = LOCALS
            .with(|locals| locals.borrow().get(&self.key).cloned())
            .expect("a Local's value is in its thread's table");
        Rc::downcast::<V>(value).expect("a Local's value has its type")
    }

    fn check_thread(&self) {
        assert_eq!(
            self.thread,
            thread::current().id(),
            "a Local used on another thread than its own"
        );
    }
}

impl<V: 'static> Drop for Local<V> {
    fn drop(&mut self) {
        if self.thread != thread::current().id() {
            return; // left to its own thread's exit
        }
        // Taken out of the table first, dropped after: its drop may use
        // other `Local`s. `try_with`: at thread exit the table may be gone
        // (its own destructor drops what is left).
        let value = LOCALS
            .try_with(|locals| locals.borrow_mut().remove(&self.key))
            .ok()
            .flatten();
        drop(value);
    }
}

impl<V: 'static> fmt::Debug for Local<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local")
            .field("key", &self.key)
            .field("thread", &self.thread)
            .finish_non_exhaustive()
    }
}

/// Runs the generic test bodies named, each once per flavour: under
/// `fn name<Fl: Flavour>() { .. }`, `flavour_tests!(name);` makes the tests
/// `name::arc` and `name::rc`. Attributes go to both tests:
/// `flavour_tests!(#[cfg_attr(miri, ignore = "slow")] name);`.
///
/// ```
/// use weakref::Ref;
/// use weakref_tests::flavour::Flavour;
/// use weakref_tests::flavour_tests;
///
/// fn shared_ref_is_reused<Fl: Flavour>() {
///     let o = Fl::obj(1);
///     assert!(Ref::ptr_eq(&Ref::new(&o), &Ref::new(&o)));
/// }
/// flavour_tests!(shared_ref_is_reused);
/// ```
#[macro_export]
macro_rules! flavour_tests {
    ($($(#[$attr:meta])* $name:ident),+ $(,)?) => {$(
        mod $name {
            $(#[$attr])*
            #[test]
            fn arc() {
                super::$name::<$crate::flavour::ArcFamily>();
            }

            $(#[$attr])*
            #[test]
            fn rc() {
                super::$name::<$crate::flavour::RcFamily>();
            }
        }
    )+};
}

// ---------------------------------------------------------------------
// Namespaces for the dictionary and set suites: their cases are written once
// in a `cases.rs` mounted under each of these (`use weakref_tests::flavour::rc::*`),
// which name the collection types directly (no trait can name a type
// constructor such as `WeakKeyDictionary<K, V>` generically).
// The surfaces the dictionary and set tests run against: each test body is
// written once, in a module that imports one of these (`use
// weakref_tests::flavour::rc::*`) and names `Strong` (the strong pointer:
// `Arc` or `Rc`), `Ref`, `getweakrefcount`, `WeakKeyDictionary`,
// `WeakValueDictionary` and `WeakSet`. In the `*_identity` flavours,
// `WeakKeyDictionary` and `WeakSet` are the identity collections
// (`WeakKeyIdentityDictionary`, `WeakIdentitySet`): bodies that hold in
// both key modes run in all four flavours.
/// `Arc` objects, keys by value: the crate root's names.
pub mod arc {
    pub use std::sync::Arc as Strong;
    pub use weakref::{
        Ref, WeakIdentitySet, WeakKeyDictionary, WeakKeyIdentityDictionary, WeakSet,
        WeakValueDictionary, getweakrefcount, getweakrefs,
    };
    /// Whether keys compare by value.
    pub const BY_VALUE: bool = true;
}

/// `Arc` objects, keys by identity.
pub mod arc_identity {
    pub use super::arc::*;
    pub use weakref::{WeakIdentitySet as WeakSet, WeakKeyIdentityDictionary as WeakKeyDictionary};
    /// Whether keys compare by value.
    pub const BY_VALUE: bool = false;
}

/// `Rc` objects, keys by value: `weakref::rc`'s names.
pub mod rc {
    pub use std::rc::Rc as Strong;
    pub use weakref::rc::{
        Ref, WeakIdentitySet, WeakKeyDictionary, WeakKeyIdentityDictionary, WeakSet,
        WeakValueDictionary, getweakrefcount, getweakrefs,
    };
    /// Whether keys compare by value.
    pub const BY_VALUE: bool = true;
}

/// `Rc` objects, keys by identity.
pub mod rc_identity {
    pub use super::rc::*;
    pub use weakref::rc::{
        WeakIdentitySet as WeakSet, WeakKeyIdentityDictionary as WeakKeyDictionary,
    };
    /// Whether keys compare by value.
    pub const BY_VALUE: bool = false;
}
