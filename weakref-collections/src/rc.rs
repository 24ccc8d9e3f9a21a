//! The weak collections for `std::rc::Rc` objects: the single-threaded
//! flavour, as `weakref_core::rc` is for refs. The same engines as the crate
//! root's, with the family pinned to [`RcFamily`]; the collections are
//! neither `Send` nor `Sync` (they hold `rc` weak references).
//!
//! Most programs with weak pointers are single-threaded trees and graphs of
//! `Rc<RefCell<_>>`; a side table keyed by their nodes is an
//! [`rc::WeakKeyIdentityDictionary`](WeakKeyIdentityDictionary):
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use weakref_collections::rc;
//! use weakref_core::{Header, Referent};
//!
//! #[derive(Referent)]
//! struct TreeNode { children: RefCell<Vec<Rc<TreeNode>>>, header: Header }
//!
//! fn node() -> Rc<TreeNode> {
//!     Rc::new(TreeNode { children: RefCell::default(), header: Header::new() })
//! }
//!
//! // Layout results computed for nodes owned by the tree, shared and mutable.
//! let mut layout: rc::WeakKeyIdentityDictionary<TreeNode, Rc<RefCell<(u32, u32)>>> =
//!     rc::WeakKeyIdentityDictionary::new();
//! let root = node();
//! let leaf = node();
//! root.children.borrow_mut().push(Rc::clone(&leaf));
//! layout.insert(&root, Rc::new(RefCell::new((0, 0))));
//! layout.insert(&leaf, Rc::new(RefCell::new((0, 10))));
//! layout[&*leaf].borrow_mut().1 += 5;
//! assert_eq!(*layout[&*leaf].borrow(), (0, 15));
//! drop(leaf);
//! assert_eq!(layout.len(), 2); // the root still owns the leaf
//! root.children.borrow_mut().clear();
//! assert_eq!(layout.len(), 1); // the leaf died: its layout went with it
//! ```

use std::hash::RandomState;

use weakref_core::RcFamily;

use crate::address_hasher::BuildAddressHasher;
use crate::key_mode::{ByIdentity, ByValue};

/// Python's `WeakKeyDictionary` for `Rc` keys, compared by value: the
/// single-threaded [`crate::WeakKeyDictionary`].
///
/// ```
/// use std::rc::Rc;
/// use weakref_collections::rc;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Widget { id: u32, header: Header }
///
/// let w = Rc::new(Widget { id: 1, header: Header::new() });
/// let mut tooltips = rc::WeakKeyDictionary::new();
/// tooltips.insert(&w, "click me");
/// assert_eq!(tooltips[&w], "click me");
/// drop(w);
/// assert!(tooltips.is_empty());
/// ```
pub type WeakKeyDictionary<K, V, S = RandomState> = crate::WeakKeyMap<K, V, S, RcFamily, ByValue>;

/// A weak-keyed map of `Rc` objects by identity: the single-threaded
/// [`crate::WeakKeyIdentityDictionary`] (any referent, `dyn Trait`
/// included; `Hash`/`Eq` never called).
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use weakref_collections::rc;
/// use weakref_core::{Header, Referent};
///
/// trait Node: Referent {}
/// #[derive(Referent)]
/// struct Leaf { header: Header }
/// impl Node for Leaf {}
///
/// let leaf: Rc<dyn Node> = Rc::new(Leaf { header: Header::new() });
/// let mut visits = rc::WeakKeyIdentityDictionary::new();
/// let counter = Rc::new(RefCell::new(0)); // values need not be `Send`
/// visits.insert(&leaf, Rc::clone(&counter));
/// *visits[&*leaf].borrow_mut() += 1;
/// assert_eq!(*counter.borrow(), 1);
/// drop(leaf);
/// assert!(visits.is_empty());
/// ```
pub type WeakKeyIdentityDictionary<K, V, S = BuildAddressHasher> =
    crate::WeakKeyMap<K, V, S, RcFamily, ByIdentity>;

/// Python's `WeakValueDictionary` for `Rc` values: the single-threaded
/// [`crate::WeakValueDictionary`].
///
/// ```
/// use std::rc::Rc;
/// use weakref_collections::rc;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Image { pixels: Vec<u8>, header: Header }
///
/// let mut cache = rc::WeakValueDictionary::new();
/// let img = Rc::new(Image { pixels: vec![0; 16], header: Header::new() });
/// cache.insert("logo".to_string(), &img);
/// assert_eq!(cache.get("logo").unwrap().pixels.len(), 16);
/// drop(img);
/// assert!(cache.get("logo").is_none());
/// ```
pub type WeakValueDictionary<K, V, S = RandomState> = crate::WeakValueDictionary<K, V, S, RcFamily>;

/// Python's `WeakSet` for `Rc` elements, compared by value: the
/// single-threaded [`crate::WeakSet`].
///
/// ```
/// use std::rc::Rc;
/// use weakref_collections::rc;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Tag { name: &'static str, header: Header }
///
/// let a = Rc::new(Tag { name: "a", header: Header::new() });
/// let mut tags = rc::WeakSet::new();
/// tags.insert(&a);
/// assert!(tags.contains(&Tag { name: "a", header: Header::new() }));
/// drop(a);
/// assert!(tags.is_empty());
/// ```
pub type WeakSet<T, S = RandomState> = crate::WeakKeySet<T, S, RcFamily, ByValue>;

/// A weak set of `Rc` objects by identity: the single-threaded
/// [`crate::WeakIdentitySet`].
///
/// ```
/// use std::rc::Rc;
/// use weakref_collections::rc;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Window { header: Header }
///
/// let (a, b) = (Rc::new(Window { header: Header::new() }), Rc::new(Window { header: Header::new() }));
/// let mut open = rc::WeakIdentitySet::new();
/// open.insert(&a);
/// open.insert(&b);
/// drop(a);
/// assert!(open.len() == 1 && open.contains(&b));
/// ```
pub type WeakIdentitySet<T, S = BuildAddressHasher> = crate::WeakKeySet<T, S, RcFamily, ByIdentity>;
