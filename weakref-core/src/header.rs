//! The referent header: one word inside each weakly referenceable object.
//!
//! A [`Header`] is null until the object is first weakly referenced; then it
//! points to the object's [`List`] of weak reference objects. Dropping the
//! header is the object's death as far as weak references are concerned: it
//! runs when the last strong `Arc` is dropped (or when a value moved out of
//! its `Arc` is dropped), clears every weak reference, and runs callbacks.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::ptr::{self, NonNull};

use crate::list::{List, ListRef};
use crate::sync::{AtomicPtr, Ordering};

/// The weak-reference header of an object (CPython's `__weakref__` slot).
///
/// Put one in a struct and `#[derive(Referent)]` to make `Arc`s of the struct
/// weakly referenceable. It is one machine word, and an object that is never
/// weakly referenced pays no allocation.
///
/// The header belongs to one object, never to its value: a clone is a fresh,
/// empty header (weak references are never copied), all headers compare
/// equal, and hashing one writes nothing, so a struct holding one can still
/// derive `Clone`, `PartialEq`, `Eq`, `PartialOrd`, `Ord`, `Hash`.
///
/// Clippy's `mutable_key_type` lint flags such a struct as a `HashMap` key
/// (the header has interior mutability); it is a false positive, since the
/// header takes no part in `Hash` or `Eq`: allow the lint, or list the type
/// under `ignore-interior-mutability` in `clippy.toml`.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{getweakrefcount, Header, Ref, Referent};
///
/// #[derive(Referent, Clone, PartialEq, Debug)]
/// struct Point { x: i32, header: Header }
///
/// let p = Arc::new(Point { x: 1, header: Header::new() });
/// let _r = Ref::new(&p);
/// let copy = Arc::new((*p).clone());
/// assert_eq!(*p, *copy);
/// assert_eq!((getweakrefcount(&p), getweakrefcount(&copy)), (1, 0));
/// assert_eq!(std::mem::size_of::<Header>(), std::mem::size_of::<usize>());
/// ```
pub struct Header {
    /// Null, or a `List` allocated by `List::alloc` of which the header owns
    /// one count. Only changes from null to a list (then stays until drop).
    list: AtomicPtr<List>,
}

/// An object that can be weakly referenced: it owns a [`Header`].
///
/// Implement it with `#[derive(Referent)]`. The trait is safe: an
/// implementation that returns a header that is not the object's own (another
/// object's, a `static`) makes weak references misbehave — callbacks fire at
/// the wrong time, counts are shared — but can never cause undefined
/// behaviour, because a weak reference only reaches its referent through the
/// `std::sync::Weak` it was made from.
///
/// Trait objects work: with `trait Shape: Referent {}`, `Ref<dyn Shape>` is a
/// weak reference to any `Arc<dyn Shape>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be weakly referenced",
    label = "`{Self}` has no weakref header",
    note = "for a struct you own: add a `weakref::Header` field to it and `#[derive(Referent)]` on it",
    note = "for a trait object (`dyn Trait`): declare the trait with `Referent` as a supertrait, `trait Trait: Referent`",
    note = "for a type you do not own (such as `Vec<u8>`): wrap the value in `weakref::Weakable<{Self}>`"
)]
pub trait Referent {
    /// The object's own header.
    fn weakref_header(&self) -> &Header;
}

impl Header {
    /// An empty header.
    #[cfg(not(loom))]
    #[must_use]
    pub const fn new() -> Self {
        Header {
            list: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// An empty header.
    #[cfg(loom)]
    #[must_use]
    pub fn new() -> Self {
        Header {
            list: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Whether the object has ever been weakly referenced (its list exists).
    #[must_use]
    pub fn is_referenced(&self) -> bool {
        !self.list.load(Ordering::Relaxed).is_null()
    }

    fn address(&self) -> usize {
        ptr::from_ref(self) as usize
    }

    /// The object's list if it has one, first making sure it belongs to this
    /// header (see `ListRef::rehome`).
    #[inline]
    pub(crate) fn attached(&self) -> Option<ListRef<'_>> {
        // Acquire: pairs with the publishing compare-exchange in `attach`.
        let list = NonNull::new(self.list.load(Ordering::Acquire))?;
        // SAFETY: the header owns a count of its list until it is dropped,
        // which cannot happen while `self` is borrowed.
        let list = unsafe { ListRef::new(list) };
        let address = self.address();
        if list.owner() != address {
            list.rehome(address);
        }
        Some(list)
    }

    /// The object's list, allocated on first use.
    #[inline]
    pub(crate) fn attach(&self) -> ListRef<'_> {
        match self.attached() {
            Some(list) => list,
            None => self.attach_slow(),
        }
    }

    #[cold]
    fn attach_slow(&self) -> ListRef<'_> {
        let new = List::alloc(self.address());
        // AcqRel: Release publishes the new list; Acquire (also on failure)
        // sees a list another thread published first.
        match self.list.compare_exchange(
            ptr::null_mut(),
            new.as_ptr(),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            // SAFETY: the header now owns `new`'s count, for as long as `self`.
            Ok(_) => unsafe { ListRef::new(new) },
            Err(_) => {
                // SAFETY: `new` was never shared; this gives up its only count.
                unsafe { List::release(new) };
                self.attached()
                    .expect("a header's list never goes back to null while borrowed")
            }
        }
    }
}

impl Drop for Header {
    fn drop(&mut self) {
        // Acquire: we are the only user now, but the list may have been
        // published by another thread.
        if let Some(list) = NonNull::new(self.list.load(Ordering::Acquire)) {
            // SAFETY: the header owns one count of its list and gives it up.
            unsafe { List::die(list) };
        }
    }
}

impl Default for Header {
    fn default() -> Self {
        Header::new()
    }
}

impl Clone for Header {
    /// A fresh, empty header: weak references belong to the object, not to
    /// its value, and are never copied.
    fn clone(&self) -> Self {
        Header::new()
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("referenced", &self.is_referenced())
            .finish()
    }
}

/// All headers are equal: a header is bookkeeping, not part of the value.
impl PartialEq for Header {
    fn eq(&self, _: &Header) -> bool {
        true
    }
}

impl Eq for Header {}

impl PartialOrd for Header {
    fn partial_cmp(&self, other: &Header) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Header {
    fn cmp(&self, _: &Header) -> core::cmp::Ordering {
        core::cmp::Ordering::Equal
    }
}

/// Writes nothing, so a value hashes the same as without its header.
impl Hash for Header {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}
