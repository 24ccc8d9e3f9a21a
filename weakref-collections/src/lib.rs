//! Python's weak collections for `Arc`-shared objects:
//! [`WeakValueDictionary`], [`WeakKeyDictionary`] and [`WeakSet`]. An entry
//! disappears the moment its weakly held object dies — on any thread, also
//! inside a callback — as in Python, not at the next rehash.
//!
//! ```
//! use std::sync::Arc;
//! use weakref_collections::{WeakKeyDictionary, WeakValueDictionary};
//! use weakref_core::{Header, Referent};
//!
//! #[derive(Referent, PartialEq, Eq, Hash, Debug)]
//! struct Node { name: String, header: Header }
//!
//! let node = Arc::new(Node { name: "a".into(), header: Header::new() });
//!
//! let mut by_name = WeakValueDictionary::new();
//! by_name.insert(node.name.clone(), &node);
//! let mut notes = WeakKeyDictionary::new();
//! notes.insert(&node, "first node");
//!
//! assert!(Arc::ptr_eq(&by_name.get("a").unwrap(), &node));
//! assert_eq!(notes[&*node], "first node");
//! drop(node); // the last strong reference: both entries are gone at once
//! assert!(by_name.is_empty() && notes.is_empty());
//! ```
//!
//! # How an entry dies
//! Each entry holds exactly one weak reference to its weakly held object,
//! made with a *death hook* (`Ref::with_death_hook`) that runs on the dying
//! thread as part of the object's death, before any user callback. The hook
//! only records the entry's `(hash, id)` in a small ledger the dictionary
//! shares with its hooks (a mutex-protected queue, and an atomic count of
//! deaths not yet consumed). So:
//! - `len()` is the number of entries minus the recorded deaths: exact right
//!   after the drop that killed an object returns. (In the instant between
//!   the object's last `Arc` being dropped and its hook, i.e. while its
//!   fields are being dropped on the dying thread, the entry is already
//!   invisible to lookups but still counted; likewise for an object moved out
//!   of its `Arc`, whose hook runs when the moved value is dropped.)
//! - Lookups and iteration check the entry's weak reference, so a dead entry
//!   is invisible from the instant of death, even before its hook ran.
//! - The dead entry itself, and with it the strong side (the value of a
//!   `WeakKeyDictionary`, the key of a `WeakValueDictionary`), is removed by
//!   the next `&mut` operation, which first consumes the ledger: it removes
//!   the recorded entries (by id, so a newer entry under the same key is
//!   never touched) and then drops their strong sides after the table work,
//!   looping while that kills more entries. A cascade — values holding the
//!   last strong references to other keys — finishes before that operation
//!   returns, iteratively, in bounded stack. When nothing died this costs
//!   one atomic load.
//! - Removing an entry explicitly (`remove`, `insert` over an entry of a
//!   `WeakValueDictionary`, `clear`, `popitem`, `retain`, dropping the
//!   dictionary) disarms its hook (`Ref::cancel`). If the object's death
//!   claimed the hook first, the ledger is told to consume or ignore that one
//!   death: every death is counted exactly once, whichever thread wins.
//!
//! Each hook owns an `Arc` of its dictionary's ledger (not a `Weak`: no
//! upgrade at death time). Dropping a dictionary disarms every hook, which
//! frees the entries' weak reference objects and their ledger handles at
//! once; only a hook that a concurrent death already claimed writes into the
//! orphaned ledger before it is freed.
//!
//! A panic in user code (`Hash`, `Eq`, `Clone`, `Drop`, a closure) in the
//! middle of an operation leaves the dictionary consistent: the table is
//! never mid-update while user code runs, and the ledger is only touched by
//! code that cannot panic.
//!
//! No lock of this crate is held while user code runs (`Hash`, `Eq`, `Clone`,
//! `Drop`, closures); a key's `Eq`, a value's `Drop` or a callback may kill
//! other entries of the same dictionary mid-operation: that only touches the
//! ledger. Both dictionaries and the set are `Send`/`Sync` when their keys,
//! values and hasher are.
//!
//! # Differences from Python
//! - Python's dictionaries guard iteration against concurrent removal; here
//!   iteration borrows the dictionary, and an object dying while an iterator
//!   is suspended only makes the iterator skip it.
//! - `keyrefs()`/`valuerefs()` return each live object's shared weak
//!   reference (`Ref::new`): an entry's own reference carries the
//!   dictionary's bookkeeping (cancelling it would corrupt `len`), so it is
//!   never handed out.
//! - `Debug` prints the live entries like a map; Python's repr
//!   (`<WeakKeyDictionary at 0x..>`) is not used.
//! - Values returned by `WeakValueDictionary` are strong `Arc`s (Python
//!   returns the object); dropping one may be what kills the object, and then
//!   its callbacks run on your thread.
//!
//! # Costs
//! An entry costs one hash-table slot and one weak reference object (one
//! allocation, registered on the object). Lookups hash with the dictionary's
//! `BuildHasher` (std's `RandomState` by default) and compare candidates
//! whose stored hash matches; a `WeakKeyDictionary` first compares
//! addresses, then upgrades the candidate key to compare with `Eq`.
#![forbid(unsafe_code)]

pub mod concurrent_weak_value_dictionary;
mod deaths;
mod sync;
mod table;
pub mod weak_key_dictionary;
pub mod weak_set;
pub mod weak_value_dictionary;

#[doc(inline)]
pub use crate::concurrent_weak_value_dictionary::ConcurrentWeakValueDictionary;
#[doc(inline)]
pub use crate::weak_key_dictionary::WeakKeyDictionary;
#[doc(inline)]
pub use crate::weak_set::WeakSet;
#[doc(inline)]
pub use crate::weak_value_dictionary::WeakValueDictionary;
