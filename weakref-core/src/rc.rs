//! The single-threaded flavour: the same weak references for `std::rc::Rc`
//! objects, as `std::rc` stands beside `std::sync`.
//!
//! Most programs with weak pointers are single-threaded: trees with parent
//! pointers, scene graphs, interpreters and editors built on
//! `Rc<RefCell<_>>`. Here the names of the crate root serve `Rc` objects:
//! [`Ref::new(&rc)`](crate::Ref::new) gives an [`rc::Ref`](Ref), whose
//! callbacks need not be `Send` (they may capture `Rc`s), and which is
//! neither `Send` nor `Sync`. Everything else behaves as for `Arc` objects:
//! the same [`Header`](crate::Header) and `#[derive(Referent)]` serve both,
//! so one type can live in an `Arc` in one place and an `Rc` in another.
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use weakref_core::{rc, Header, Referent};
//!
//! #[derive(Referent)]
//! struct TreeNode {
//!     name: String,
//!     parent: RefCell<rc::Ref<TreeNode>>, // starts empty: `Ref::default()`
//!     children: RefCell<Vec<Rc<TreeNode>>>,
//!     header: Header,
//! }
//!
//! fn node(name: &str) -> Rc<TreeNode> {
//!     Rc::new(TreeNode {
//!         name: name.into(),
//!         parent: RefCell::default(),
//!         children: RefCell::default(),
//!         header: Header::new(),
//!     })
//! }
//!
//! let log = Rc::new(RefCell::new(Vec::new()));
//! let root = node("root");
//! let leaf = node("leaf");
//! *leaf.parent.borrow_mut() = rc::Ref::new(&root);
//! root.children.borrow_mut().push(Rc::clone(&leaf));
//! assert_eq!(leaf.parent.borrow().get().unwrap().name, "root");
//!
//! // A callback capturing an `Rc<RefCell<_>>`: no `Send` needed.
//! let sink = Rc::clone(&log);
//! let _watch = rc::Ref::with_callback(&root, move |_| sink.borrow_mut().push("root gone"));
//! drop(root);
//! assert!(leaf.parent.borrow().get().is_none());
//! assert_eq!(*log.borrow(), ["root gone"]);
//! ```

use std::rc::Rc;

use crate::family::RcFamily;
use crate::finalize::finalize_rc;
use crate::header::Referent;
use crate::introspection::{weak_refs, weakref_count};

/// A weak reference to an `Rc<T>`: the single-threaded [`crate::Ref`].
///
/// `get()` gives an `Rc<T>`; callbacks are `FnOnce(&rc::Ref<T>) + 'static`,
/// with no `Send`; the ref is neither `Send` nor `Sync`. Everything else —
/// shared callback-less refs, callbacks newest first after clearing, Python's
/// hashing and equality, [`coerce`](crate::Ref::coerce) to a trait object,
/// `Ref::default()` — is as for the `Arc` flavour, by the same code.
///
/// ```
/// use std::rc::Rc;
/// use weakref_core::{rc, Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Rc::new(Obj { header: Header::new() });
/// let r = rc::Ref::new(&obj);
/// assert!(rc::Ref::ptr_eq(&r, &rc::Ref::new(&obj)));
/// assert!(Rc::ptr_eq(&r.get().unwrap(), &obj));
/// drop(obj);
/// assert!(r.get().is_none());
/// ```
pub type Ref<T> = crate::Ref<T, RcFamily>;

/// Python's name for the weak reference type, for `Rc` objects.
pub type ReferenceType<T> = Ref<T>;

/// The number of live weak references and proxies to `obj` (0 for an object
/// never weakly referenced): [`crate::getweakrefcount`] for `Rc` objects.
///
/// ```
/// use std::rc::Rc;
/// use weakref_core::{rc, Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Rc::new(Obj { header: Header::new() });
/// let a = rc::Ref::new(&obj);
/// let b = rc::Ref::with_callback(&obj, |_| ());
/// assert_eq!(rc::getweakrefcount(&obj), 2);
/// drop((a, b));
/// assert_eq!(rc::getweakrefcount(&obj), 0);
/// ```
#[must_use]
pub fn getweakrefcount<T: ?Sized + Referent>(obj: &Rc<T>) -> usize {
    weakref_count(&**obj)
}

/// Every live weak reference object of `obj`, in the order of
/// [`crate::getweakrefs`]: for `Rc` objects.
///
/// ```
/// use std::rc::Rc;
/// use weakref_core::{rc, Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Rc::new(Obj { header: Header::new() });
/// let cb = rc::Ref::with_callback(&obj, |_| ());
/// let shared = rc::Ref::new(&obj);
/// let refs = rc::getweakrefs(&obj);
/// assert!(rc::Ref::ptr_eq(&refs[0], &shared));
/// assert!(rc::Ref::ptr_eq(&refs[1], &cb));
/// ```
#[must_use]
pub fn getweakrefs<T: ?Sized + Referent>(obj: &Rc<T>) -> Vec<Ref<T>> {
    weak_refs::<T, RcFamily>(obj)
}

/// Python 3's `weakref.finalize` for an `Rc` object: `func` (which need not
/// be `Send`) runs exactly once when `obj` dies, whether or not anyone keeps
/// the returned [`Finalize`]. See [`crate::finalize`].
///
/// At process exit, the live finalizers made on the thread that calls `exit`
/// (normally the main thread, when `main` returns) run as the `Arc`
/// flavour's do; those made on other threads cannot run or be dropped on the
/// exiting thread (their functions are not `Send`) and are leaked.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use weakref_core::{rc, Header, Referent};
///
/// #[derive(Referent)]
/// struct Window { title: String, header: Header }
///
/// let closed = Rc::new(RefCell::new(Vec::new()));
/// let w = Rc::new(Window { title: "editor".into(), header: Header::new() });
/// let (log, title) = (Rc::clone(&closed), w.title.clone());
/// rc::finalize(&w, move || log.borrow_mut().push(title));
/// drop(w);
/// assert_eq!(*closed.borrow(), ["editor"]);
/// ```
pub fn finalize<T, F>(obj: &Rc<T>, func: F) -> Finalize<T>
where
    T: ?Sized + Referent,
    F: FnOnce() + 'static,
{
    finalize_rc(obj, func)
}

/// A finalizer of an `Rc` object, made by [`finalize`]: the single-threaded
/// [`crate::Finalize`].
///
/// ```
/// use std::rc::Rc;
/// use weakref_core::{rc, Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Rc::new(Obj { header: Header::new() });
/// let f: rc::Finalize<Obj> = rc::finalize(&obj, || ());
/// assert!(f.alive() && f.clone().alive());
/// assert!(f.call());
/// assert!(!f.alive());
/// ```
pub type Finalize<T> = crate::Finalize<T, RcFamily>;

/// A method bound weakly to an `Rc` object: the single-threaded
/// [`crate::WeakMethod`], whose callback need not be `Send`.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use weakref_core::{rc, Header, Referent};
///
/// #[derive(Referent)]
/// struct Label { text: String, header: Header }
/// impl Label { fn len(&self, (): ()) -> usize { self.text.len() } }
///
/// let gone = Rc::new(Cell::new(false));
/// let label = Rc::new(Label { text: "hi".into(), header: Header::new() });
/// let flag = Rc::clone(&gone);
/// let m = rc::WeakMethod::with_callback(&label, Label::len, move |_| flag.set(true));
/// assert_eq!(m.call(()), Ok(2));
/// drop(label);
/// assert!(gone.get() && m.call(()).is_err());
/// ```
pub type WeakMethod<T, A, R> = crate::WeakMethod<T, A, R, RcFamily>;
