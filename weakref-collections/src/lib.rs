//! Python's weak collections: [`WeakValueDictionary`],
//! [`WeakKeyDictionary`] and [`WeakSet`], their identity twins
//! [`WeakKeyIdentityDictionary`] and [`WeakIdentitySet`], for `Arc`-shared
//! objects here and `Rc`-shared ones in [`rc`]. An entry disappears the
//! moment its weakly held object dies — on any thread, also inside a
//! callback — as in Python, not at the next rehash.
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
//! # By value or by identity
//! A weakly keyed collection compares its keys one of two ways (its *key
//! mode*, [`KeyMode`]):
//! - **by value** ([`WeakKeyDictionary`], [`WeakSet`]): keys equal by
//!   content are one key — an equal object finds the entry, and inserting
//!   one keeps the stored key. `K` needs `Hash + Eq`, stable while stored.
//! - **by identity** ([`WeakKeyIdentityDictionary`], [`WeakIdentitySet`]):
//!   Python's default object hash, JavaScript's `WeakMap`/`WeakSet`, .NET's
//!   `ConditionalWeakTable`, weak-table's `PtrWeak*`. A key is one object;
//!   two equal objects are two keys. Any referent works, `dyn Trait`
//!   included, and `K`'s `Hash` and `Eq` are never called. Keys hash by
//!   address with [`BuildAddressHasher`], one multiply (not DoS-resistant,
//!   which addresses do not need: the allocator picks them, not an
//!   attacker).
//!
//! # One engine, several surfaces
//! There is one hash table (`table.rs`, private), one map
//! engine ([`WeakKeyMap`]), one set engine ([`WeakKeySet`], a map to `()`)
//! and [`WeakValueDictionary`]; each method is written once. The variation
//! is in type parameters, not in copies:
//! - `M`, the key mode: two marker types whose [`KeyMode`] impl supplies the
//!   hash of a probe key and the predicate matching a stored entry, the two
//!   closures hashbrown's `HashTable` takes. Identity matching compares the
//!   entry's `Ref::as_ptr` with the probe's address; an entry's weak
//!   reference keeps its object's allocation, so that address cannot be
//!   reused by another object while the entry exists.
//! - `F`, the pointer family ([`ArcFamily`](weakref_core::ArcFamily) or
//!   [`RcFamily`](weakref_core::RcFamily)): entries hold `Ref<W, F>`, and the
//!   API takes and returns `F::Strong<W>` (`Arc<W>` or `Rc<W>`). Methods
//!   that take a strong pointer are generic over `P: StrongRef<W, Family =
//!   F>`, so a dictionary made with `new()` learns its family from its first
//!   insert. The death hooks are `Send` closures in both families (they only
//!   touch the ledger), so the death protocol below is the same code.
//!
//! The public names are type aliases pinning `M` (and, in [`rc`], `F`).
//! Aliases are required, not a style: `new()` exists once per mode (each
//! mode has its own default hasher), and two inherent `new` on
//! `WeakKeyMap<.., ByValue>` and `WeakKeyMap<.., ByIdentity>` would be
//! ambiguous when called as `WeakKeyMap::new()` with the mode not pinned —
//! a defaulted type parameter is not applied in expression position.
//!
//! One seam shows in signatures: `Extend` and `FromIterator` are
//! implemented per family (`Arc<K>` items for `ArcFamily`, `Rc<K>` for
//! `RcFamily`, by one macro): impls for `(F::Strong<K>, V)` and
//! `(&F::Strong<K>, V)` would overlap for the coherence checker.
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
//! ledger. The `Arc` collections are `Send`/`Sync` when their keys, values
//! and hasher are; the `rc` ones are neither.
//!
//! # Sharing a dictionary between threads
//! The dictionaries are `Send + Sync` (when their keys, values and hasher
//! are) and mutate through `&mut`, like `HashMap`: share one behind a lock,
//! `Arc<Mutex<WeakValueDictionary<K, V>>>`. Deaths need no lock of yours:
//! they reach the dictionary through its own ledger, from any thread, and
//! `len` is exact at once. Two consequences of the lock are yours to weigh:
//! - `get_or_insert_with(key, make)` runs `make` while you hold the lock, so
//!   every other caller, for any key, waits for the load; and
//! - a value dropped while you hold the lock (the `Arc` a lookup returned,
//!   going out of scope inside the critical section) may be the object's
//!   last strong reference: its callbacks then run right there, and one that
//!   takes the same lock deadlocks.
//!
//! For a cache shared by many threads,
//! [`ConcurrentWeakValueDictionary`] is built for it: `&self` methods, no
//! global lock on `get`, and `get_or_insert_with` runs `make` once per
//! missing key with no lock held, other keys never waiting.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use weakref_collections::WeakValueDictionary;
//! use weakref_core::{Header, Referent};
//!
//! #[derive(Referent)]
//! struct Texture { header: Header }
//!
//! let cache: Arc<Mutex<WeakValueDictionary<String, Texture>>> = Arc::default();
//! let worker = {
//!     let cache = Arc::clone(&cache);
//!     std::thread::spawn(move || {
//!         // `make` runs under the lock: keep it short, or use
//!         // `ConcurrentWeakValueDictionary`.
//!         let t = cache
//!             .lock()
//!             .unwrap()
//!             .get_or_insert_with("sky".into(), || Arc::new(Texture { header: Header::new() }));
//!         t // returned out of the critical section before it can die
//!     })
//! };
//! let sky = worker.join().unwrap();
//! assert!(cache.lock().unwrap().contains_key("sky"));
//! drop(sky);
//! assert!(cache.lock().unwrap().is_empty());
//! ```
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
//! `BuildHasher` (std's `RandomState` by default, [`BuildAddressHasher`]
//! for the identity collections) and compare candidates whose stored hash
//! matches; by value, a key is first compared by address, then upgraded to
//! compare with `Eq`; by identity, only the address and the strong count
//! are read.
#![forbid(unsafe_code)]

mod address_hasher;
pub mod concurrent_weak_value_dictionary;
mod deaths;
pub mod key_mode;
pub mod rc;
mod sync;
mod table;
pub mod weak_key_dictionary;
pub mod weak_set;
pub mod weak_value_dictionary;

pub use crate::address_hasher::{AddressHasher, BuildAddressHasher};
#[doc(inline)]
pub use crate::concurrent_weak_value_dictionary::ConcurrentWeakValueDictionary;
pub use crate::key_mode::{ByIdentity, ByValue, KeyMode};
#[doc(inline)]
pub use crate::weak_key_dictionary::{WeakKeyDictionary, WeakKeyIdentityDictionary, WeakKeyMap};
#[doc(inline)]
pub use crate::weak_set::{WeakIdentitySet, WeakKeySet, WeakSet};
#[doc(inline)]
pub use crate::weak_value_dictionary::WeakValueDictionary;
