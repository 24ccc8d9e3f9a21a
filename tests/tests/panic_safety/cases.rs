//! The panic-safety cases for one pointer family: see `panic_safety.rs`.

use std::borrow::Borrow;
use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Once};

use weakref::{Header, Referent, set_unraisable_hook};

#[allow(unused_imports)]
use super::*;

/// Where an armed fault fires.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Site {
    ObjHash,
    ObjEq,
    ObjDrop,
    DataHash,
    DataEq,
    DataDrop,
    DataClone,
    /// A closure or predicate given to the dictionary.
    Closure,
}

thread_local! {
    static ARMED: Cell<Option<(Site, Option<u32>)>> = const { Cell::new(None) };
    static REPORTED: Cell<usize> = const { Cell::new(0) };
}

/// The next call of `site` (on this thread) panics.
fn arm(site: Site) {
    ARMED.with(|armed| armed.set(Some((site, None))));
}

/// The next call of `site` for the object or datum `id` panics.
fn arm_for(site: Site, id: u32) {
    ARMED.with(|armed| armed.set(Some((site, Some(id)))));
}

fn is_armed() -> bool {
    ARMED.with(|armed| armed.get().is_some())
}

/// Panics (once) if `site` is armed for `id`.
fn trip(site: Site, id: u32) {
    ARMED.with(|armed| {
        if let Some((armed_site, target)) = armed.get() {
            if armed_site == site && target.is_none_or(|target| target == id) {
                armed.set(None);
                panic!("armed fault: {site:?} of {id}");
            }
        }
    });
}

/// Runs `f`, which must hit the armed fault and panic.
fn expect_panic<R>(f: impl FnOnce() -> R) {
    quiet_armed_panics();
    let result = catch_unwind(AssertUnwindSafe(f));
    let missed = is_armed();
    ARMED.with(|armed| armed.set(None));
    assert!(!missed, "the armed fault was never reached");
    assert!(result.is_err(), "the armed fault did not propagate");
}

/// Armed faults are expected: keep them out of the test output. Callback
/// panics are reported (not propagated) and counted per thread.
fn quiet_armed_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            if !message.is_some_and(|message| message.starts_with("armed fault")) {
                previous(info);
            }
        }));
        set_unraisable_hook(Some(Arc::new(|_| {
            REPORTED.with(|reported| reported.set(reported.get() + 1));
        })));
    });
}

fn reported() -> usize {
    REPORTED.with(Cell::get)
}

/// Births and drops of one kind of thing.
#[derive(Default, Debug)]
struct Census {
    made: AtomicUsize,
    dropped: AtomicUsize,
}

impl Census {
    fn new() -> Arc<Census> {
        Arc::default()
    }

    fn alive(&self) -> usize {
        self.made.load(SeqCst) - self.dropped.load(SeqCst)
    }

    fn dropped(&self) -> usize {
        self.dropped.load(SeqCst)
    }
}

/// A weakly held object, hashed and compared by `id`.
#[derive(Referent)]
struct Obj {
    id: u32,
    census: Arc<Census>,
    header: Header,
}

fn obj(id: u32, census: &Arc<Census>) -> Strong<Obj> {
    census.made.fetch_add(1, SeqCst);
    Strong::new(Obj {
        id,
        census: Arc::clone(census),
        header: Header::new(),
    })
}

impl Hash for Obj {
    fn hash<H: Hasher>(&self, state: &mut H) {
        trip(Site::ObjHash, self.id);
        self.id.hash(state);
    }
}

impl PartialEq for Obj {
    fn eq(&self, other: &Obj) -> bool {
        trip(Site::ObjEq, self.id);
        self.id == other.id
    }
}

impl Eq for Obj {}

impl Drop for Obj {
    fn drop(&mut self) {
        // Counted before the fault: a panicking drop still happened once
        // (the fields, the header included, are dropped during unwinding).
        self.census.dropped.fetch_add(1, SeqCst);
        trip(Site::ObjDrop, self.id);
    }
}

/// A strongly held key or value, hashed and compared by `id` (so it can be
/// looked up by `u32`), possibly holding an object strongly.
#[derive(Debug)]
struct Data {
    id: u32,
    census: Arc<Census>,
    holds: Option<Strong<Obj>>,
}

impl std::fmt::Debug for Obj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Obj({})", self.id)
    }
}

fn data(id: u32, census: &Arc<Census>) -> Data {
    census.made.fetch_add(1, SeqCst);
    Data {
        id,
        census: Arc::clone(census),
        holds: None,
    }
}

impl Clone for Data {
    fn clone(&self) -> Data {
        trip(Site::DataClone, self.id);
        let mut copy = data(self.id, &self.census);
        copy.holds.clone_from(&self.holds);
        copy
    }
}

impl Hash for Data {
    fn hash<H: Hasher>(&self, state: &mut H) {
        trip(Site::DataHash, self.id);
        self.id.hash(state);
    }
}

impl PartialEq for Data {
    fn eq(&self, other: &Data) -> bool {
        trip(Site::DataEq, self.id);
        self.id == other.id
    }
}

impl Eq for Data {}

impl Borrow<u32> for Data {
    fn borrow(&self) -> &u32 {
        &self.id
    }
}

impl Drop for Data {
    fn drop(&mut self) {
        self.census.dropped.fetch_add(1, SeqCst);
        trip(Site::DataDrop, self.id);
    }
}

type ValueDict = WeakValueDictionary<Data, Obj>;
type KeyDict = WeakKeyDictionary<Obj, Data>;

/// A `WeakValueDictionary` `{i: objs[i - 1]}` for `i` in 1..=3.
struct ValueFixture {
    keys: Arc<Census>,
    values: Arc<Census>,
    objs: Vec<Strong<Obj>>,
    dict: ValueDict,
}

impl ValueFixture {
    fn new() -> Self {
        quiet_armed_panics();
        let keys = Census::new();
        let values = Census::new();
        let objs: Vec<_> = (1..=3).map(|id| obj(id, &values)).collect();
        let mut dict = ValueDict::new();
        for o in &objs {
            dict.insert(data(o.id, &keys), o);
        }
        ValueFixture {
            keys,
            values,
            objs,
            dict,
        }
    }

    fn obj(&self, id: u32) -> &Strong<Obj> {
        self.objs
            .iter()
            .find(|o| o.id == id)
            .expect("a live object")
    }

    /// Kills object `id` (the fixture held its only strong reference).
    fn kill(&mut self, id: u32) {
        let index = self.objs.iter().position(|o| o.id == id).unwrap();
        drop(self.objs.remove(index));
    }

    /// The dictionary maps exactly `ids` (each to the fixture's object).
    fn check(&self, ids: &[u32]) {
        let d = &self.dict;
        assert_eq!(d.len(), ids.len(), "len is exact");
        assert_eq!(d.iter().count(), ids.len(), "iteration agrees with len");
        for &id in ids {
            let found = d.get(&id).expect("a live entry is still found");
            assert!(Strong::ptr_eq(&found, self.obj(id)));
            assert!(d.contains_key(&id));
        }
        let mut seen: Vec<u32> = d.keys().map(|k| k.id).collect();
        seen.sort_unstable();
        let mut want = ids.to_vec();
        want.sort_unstable();
        assert_eq!(seen, want);
    }

    /// Ids of the fixture's objects the dictionary still maps.
    fn mapped(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.dict.keys().map(|k| k.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Later operations work: insert, look up and remove a fresh entry.
    fn still_usable(&mut self) {
        let before = self.dict.len();
        let fresh = obj(100, &self.values);
        assert!(self.dict.insert(data(100, &self.keys), &fresh).is_none());
        assert_eq!(self.dict.len(), before + 1);
        assert!(Strong::ptr_eq(&self.dict.get(&100).unwrap(), &fresh));
        assert!(Strong::ptr_eq(&self.dict.remove(&100).unwrap(), &fresh));
        assert_eq!(self.dict.len(), before);
    }

    /// Drops everything: every key and value was dropped exactly once, and
    /// no entry's weak reference outlived the dictionary.
    fn finish(self) {
        let ValueFixture {
            keys,
            values,
            objs,
            dict,
        } = self;
        drop(dict);
        assert_eq!(keys.alive(), 0, "every key dropped exactly once");
        for o in &objs {
            assert_eq!(getweakrefcount(o), 0, "no weak reference left behind");
        }
        drop(objs);
        assert_eq!(values.alive(), 0, "every value dropped exactly once");
    }
}

/// A `WeakKeyDictionary` `{objs[i - 1]: Data(i)}` for `i` in 1..=3.
struct KeyFixture {
    keys: Arc<Census>,
    values: Arc<Census>,
    objs: Vec<Strong<Obj>>,
    dict: KeyDict,
}

impl KeyFixture {
    fn new() -> Self {
        quiet_armed_panics();
        let keys = Census::new();
        let values = Census::new();
        let objs: Vec<_> = (1..=3).map(|id| obj(id, &keys)).collect();
        let mut dict = KeyDict::new();
        for o in &objs {
            dict.insert(o, data(o.id, &values));
        }
        KeyFixture {
            keys,
            values,
            objs,
            dict,
        }
    }

    fn obj(&self, id: u32) -> &Strong<Obj> {
        self.objs
            .iter()
            .find(|o| o.id == id)
            .expect("a live object")
    }

    fn kill(&mut self, id: u32) {
        let index = self.objs.iter().position(|o| o.id == id).unwrap();
        drop(self.objs.remove(index));
    }

    /// An object equal to key `id` but not the same one (lookups compare
    /// it with `Eq`).
    fn equal_probe(&self, id: u32) -> Strong<Obj> {
        obj(id, &self.keys)
    }

    /// The dictionary maps exactly the fixture's objects `ids`, each to
    /// `Data(value_id)` as given.
    fn check(&self, entries: &[(u32, u32)]) {
        let d = &self.dict;
        assert_eq!(d.len(), entries.len(), "len is exact");
        assert_eq!(d.iter().count(), entries.len(), "iteration agrees with len");
        for &(id, value) in entries {
            let found = d.get(self.obj(id)).expect("a live entry is still found");
            assert_eq!(found.id, value);
            assert!(d.contains_key(self.obj(id)));
        }
        let mut seen: Vec<u32> = d.keys().map(|k| k.id).collect();
        seen.sort_unstable();
        let mut want: Vec<u32> = entries.iter().map(|&(id, _)| id).collect();
        want.sort_unstable();
        assert_eq!(seen, want);
    }

    fn mapped(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.dict.keys().map(|k| k.id).collect();
        ids.sort_unstable();
        ids
    }

    fn still_usable(&mut self) {
        let before = self.dict.len();
        let fresh = obj(100, &self.keys);
        assert!(self.dict.insert(&fresh, data(100, &self.values)).is_none());
        assert_eq!(self.dict.len(), before + 1);
        assert_eq!(self.dict.get(&fresh).map(|d| d.id), Some(100));
        assert_eq!(self.dict.remove(&fresh).map(|d| d.id), Some(100));
        assert_eq!(self.dict.len(), before);
        drop(fresh);
    }

    fn finish(self) {
        let KeyFixture {
            keys,
            values,
            objs,
            dict,
        } = self;
        drop(dict);
        assert_eq!(values.alive(), 0, "every value dropped exactly once");
        for o in &objs {
            assert_eq!(getweakrefcount(o), 0, "no weak reference left behind");
        }
        drop(objs);
        assert_eq!(keys.alive(), 0, "every key dropped exactly once");
    }
}

// ---- WeakValueDictionary ----------------------------------------------------

#[test]
fn value_dict_insert_with_panicking_key_hash_changes_nothing() {
    let mut f = ValueFixture::new();
    let new = obj(9, &f.values);
    arm(Site::DataHash);
    expect_panic(|| f.dict.insert(data(9, &f.keys), &new));
    f.check(&[1, 2, 3]);
    assert_eq!(
        getweakrefcount(&new),
        0,
        "no entry half-made for the new value"
    );
    assert_eq!(f.keys.alive(), 3, "the key that was moved in was dropped");
    f.still_usable();
    drop(new);
    f.finish();
}

#[test]
fn value_dict_insert_with_panicking_key_eq_keeps_the_old_entry() {
    let mut f = ValueFixture::new();
    let new = obj(1, &f.values);
    arm(Site::DataEq);
    expect_panic(|| f.dict.insert(data(1, &f.keys), &new));
    f.check(&[1, 2, 3]);
    assert_eq!(getweakrefcount(&new), 0);
    f.still_usable();
    drop(new);
    f.finish();
}

#[test]
fn value_dict_insert_over_an_entry_completes_before_the_spare_key_drop_panics() {
    let mut f = ValueFixture::new();
    let new = obj(1, &f.values);
    // Both the stored key and the new one are `Data(1)`; the entry keeps
    // the stored key and drops the new one, after the table work.
    arm_for(Site::DataDrop, 1);
    expect_panic(|| f.dict.insert(data(1, &f.keys), &new));
    assert!(Strong::ptr_eq(&f.dict.get(&1).unwrap(), &new));
    assert_eq!(f.dict.len(), 3);
    assert_eq!(
        getweakrefcount(f.obj(1)),
        0,
        "the old value's ref was disarmed"
    );
    f.kill(1);
    f.objs.insert(0, Strong::clone(&new));
    f.check(&[1, 2, 3]);
    f.still_usable();
    drop(new);
    f.finish();
}

#[test]
fn value_dict_lookups_with_panicking_hash_or_eq_change_nothing() {
    let mut f = ValueFixture::new();
    let probe = data(2, &f.keys);
    for site in [Site::DataHash, Site::DataEq] {
        arm(site);
        expect_panic(|| f.dict.get(&probe));
        arm(site);
        expect_panic(|| f.dict.contains_key(&probe));
        arm(site);
        expect_panic(|| f.dict.get_key_value(&probe));
        arm(site);
        expect_panic(|| f.dict.remove(&probe));
        arm(site);
        expect_panic(|| f.dict.remove_entry(&probe));
        f.check(&[1, 2, 3]);
    }
    drop(probe);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_remove_with_panicking_key_drop_still_removes_the_entry() {
    let mut f = ValueFixture::new();
    arm_for(Site::DataDrop, 2);
    expect_panic(|| f.dict.remove(&2));
    f.check(&[1, 3]);
    assert_eq!(getweakrefcount(f.obj(2)), 0, "its weak reference is gone");
    assert_eq!(f.keys.alive(), 2);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_setdefault_with_panicking_hash_or_eq_changes_nothing() {
    let mut f = ValueFixture::new();
    let new = obj(9, &f.values);
    arm(Site::DataHash);
    expect_panic(|| f.dict.setdefault(data(9, &f.keys), &new));
    arm(Site::DataEq);
    expect_panic(|| f.dict.setdefault(data(2, &f.keys), &new));
    f.check(&[1, 2, 3]);
    assert_eq!(getweakrefcount(&new), 0);
    assert_eq!(f.keys.alive(), 3);
    f.still_usable();
    drop(new);
    f.finish();
}

#[test]
fn value_dict_get_or_insert_with_panicking_closure_inserts_nothing() {
    let mut f = ValueFixture::new();
    arm(Site::Closure);
    expect_panic(|| {
        f.dict.get_or_insert_with(data(9, &f.keys), || {
            trip(Site::Closure, 9);
            unreachable!()
        })
    });
    // A dead entry's key being replaced: the closure panics after the
    // lookup found the entry dead.
    f.kill(2);
    arm(Site::Closure);
    expect_panic(|| {
        f.dict.get_or_insert_with(data(2, &f.keys), || {
            trip(Site::Closure, 2);
            unreachable!()
        })
    });
    f.check(&[1, 3]);
    assert_eq!(
        f.keys.alive(),
        2,
        "the dead entry was collected, the new key dropped"
    );
    let made = f
        .dict
        .get_or_insert_with(data(2, &f.keys), || obj(2, &f.values));
    f.objs.push(made);
    f.check(&[1, 2, 3]);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_get_or_insert_with_hit_and_panicking_spare_key_drop_leaks_nothing() {
    let mut f = ValueFixture::new();
    // A hit: the entry keeps its key and the one passed in is dropped.
    arm_for(Site::DataDrop, 2);
    expect_panic(|| {
        f.dict
            .get_or_insert_with(data(2, &f.keys), || unreachable!())
    });
    let two = Strong::clone(f.obj(2));
    arm_for(Site::DataDrop, 2);
    expect_panic(|| f.dict.setdefault(data(2, &f.keys), &two));
    drop(two);
    assert_eq!(f.values.dropped(), 0, "the returned values were not leaked");
    f.check(&[1, 2, 3]);
    // A dead entry: collecting it first drops its key, which panics before
    // anything is made.
    f.kill(3);
    arm_for(Site::DataDrop, 3);
    expect_panic(|| {
        f.dict
            .get_or_insert_with(data(3, &f.keys), || unreachable!())
    });
    f.check(&[1, 2]);
    assert_eq!(f.keys.alive(), 2);
    let three = f
        .dict
        .get_or_insert_with(data(3, &f.keys), || obj(3, &f.values));
    f.objs.push(three);
    f.check(&[1, 2, 3]);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_popitem_with_panicking_drop_of_a_dead_entrys_key() {
    let mut f = ValueFixture::new();
    f.kill(2);
    // `popitem` first collects the dead entry, dropping its key.
    arm_for(Site::DataDrop, 2);
    expect_panic(|| f.dict.popitem());
    f.check(&[1, 3]);
    assert_eq!(f.keys.alive(), 2);
    let (key, value) = f.dict.popitem().expect("a live entry");
    assert!(Strong::ptr_eq(&value, f.obj(key.id)));
    let left: Vec<u32> = [1, 3].into_iter().filter(|&id| id != key.id).collect();
    drop((key, value));
    f.check(&left);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_retain_with_panicking_predicate_loses_no_kept_entry() {
    let mut f = ValueFixture::new();
    let mut calls = 0;
    expect_panic(|| {
        arm(Site::Closure);
        f.dict.retain(|key, _| {
            calls += 1;
            if calls == 2 {
                trip(Site::Closure, key.id);
            }
            false // remove what is visited before the panic
        });
    });
    let left = f.mapped();
    assert_eq!(left.len(), 2, "one entry removed before the panic");
    f.check(&left);
    assert_eq!(f.keys.alive(), 2);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_retain_with_panicking_key_drop_drops_every_removed_key() {
    let mut f = ValueFixture::new();
    arm_for(Site::DataDrop, 2);
    expect_panic(|| f.dict.retain(|key, _| key.id == 1));
    f.check(&[1]);
    assert_eq!(f.keys.alive(), 1, "keys 2 and 3 dropped, once each");
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_retain_where_the_predicate_kills_a_value_whose_drop_panics() {
    let mut f = ValueFixture::new();
    let doomed = f.objs.remove(1);
    let mut doomed = Some(doomed);
    arm_for(Site::ObjDrop, 2);
    // The predicate drops the last outside `Strong` of value 2: retain's own
    // temporary is then the last, and the value dies (and panics) there.
    expect_panic(|| {
        f.dict.retain(|key, _| {
            if key.id == 2 {
                drop(doomed.take());
            }
            true
        });
    });
    assert_eq!(f.values.dropped(), 1);
    f.check(&[1, 3]);
    f.still_usable();
    assert_eq!(f.keys.alive(), 2, "the dead entry's key was collected");
    f.finish();
}

#[test]
fn value_dict_clear_with_panicking_key_drop_drops_every_key() {
    let mut f = ValueFixture::new();
    arm_for(Site::DataDrop, 2);
    expect_panic(|| f.dict.clear());
    f.check(&[]);
    assert_eq!(f.keys.alive(), 0, "keys 1 and 3 dropped too, not leaked");
    for o in &f.objs {
        assert_eq!(getweakrefcount(o), 0);
    }
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_clone_with_panicking_key_clone_leaves_the_original_intact() {
    let mut f = ValueFixture::new();
    arm_for(Site::DataClone, 2);
    expect_panic(|| f.dict.clone());
    f.check(&[1, 2, 3]);
    assert_eq!(f.keys.alive(), 3, "the partial copy's keys were dropped");
    for o in &f.objs {
        assert_eq!(getweakrefcount(o), 1, "only the original's entry refs");
    }
    let copy = f.dict.clone();
    assert_eq!(copy.len(), 3);
    drop(copy);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_extend_with_panicking_key_hash_keeps_what_was_inserted() {
    let mut f = ValueFixture::new();
    let more: Vec<_> = (4..=6).map(|id| obj(id, &f.values)).collect();
    let items: Vec<_> = more
        .iter()
        .map(|o| (data(o.id, &f.keys), Strong::clone(o)))
        .collect();
    arm_for(Site::DataHash, 5);
    expect_panic(|| f.dict.extend(items));
    f.objs.push(Strong::clone(&more[0]));
    f.check(&[1, 2, 3, 4]);
    assert_eq!(f.keys.alive(), 4, "keys 5 and 6 dropped with the iterator");
    assert_eq!(getweakrefcount(&more[1]), 0);
    f.still_usable();
    drop(more);
    f.finish();
}

#[test]
fn value_dict_survives_a_panic_mid_iteration_and_a_value_dying_in_it() {
    let mut f = ValueFixture::new();
    let doomed = f.objs.remove(1);
    let mut doomed = Some(doomed);
    arm_for(Site::ObjDrop, 2);
    expect_panic(|| {
        for (key, value) in f.dict.iter() {
            if key.id == 2 {
                drop(doomed.take());
                drop(value); // the last strong reference: dies, panics
            }
        }
    });
    f.check(&[1, 3]);
    arm(Site::Closure);
    expect_panic(|| {
        for (key, _) in f.dict.iter() {
            trip(Site::Closure, key.id);
        }
    });
    f.check(&[1, 3]);
    f.still_usable();
    f.finish();
}

#[test]
fn value_dict_drop_with_panicking_key_drop_drops_every_key() {
    let f = ValueFixture::new();
    let ValueFixture {
        keys,
        values,
        objs,
        dict,
    } = f;
    arm_for(Site::DataDrop, 2);
    expect_panic(|| drop(dict));
    assert_eq!(keys.alive(), 0, "the other keys were dropped, not leaked");
    for o in &objs {
        assert_eq!(getweakrefcount(o), 0, "no entry ref leaked");
    }
    drop(objs);
    assert_eq!(values.alive(), 0);
}

#[test]
fn value_dict_callback_panicking_in_a_cascade_is_reported_not_propagated() {
    let mut f = ValueFixture::new();
    // Key 2 holds the last strong reference to an object whose callback
    // panics: removing the entry kills it inside `remove`.
    let victim = obj(50, &f.values);
    let callback = Ref::with_callback(&victim, |_| panic!("armed fault: callback"));
    let mut key = data(2, &f.keys);
    key.holds = Some(victim);
    let two = Strong::clone(f.obj(2));
    // A new entry, so that it keeps this key (an entry keeps its old key).
    f.dict.remove(&2);
    f.dict.insert(key, &two);
    drop(two);
    let before = reported();
    assert!(f.dict.remove(&2).is_some());
    assert_eq!(reported(), before + 1, "the callback's panic was reported");
    assert!(callback.get().is_none());
    f.check(&[1, 3]);
    f.still_usable();
    drop(callback);
    f.finish();
}

// ---- WeakKeyDictionary ------------------------------------------------------

#[test]
fn key_dict_insert_with_panicking_key_hash_changes_nothing() {
    let mut f = KeyFixture::new();
    let new = obj(9, &f.keys);
    arm(Site::ObjHash);
    expect_panic(|| f.dict.insert(&new, data(9, &f.values)));
    f.check(&[(1, 1), (2, 2), (3, 3)]);
    assert_eq!(getweakrefcount(&new), 0);
    assert_eq!(
        f.values.alive(),
        3,
        "the value that was moved in was dropped"
    );
    f.still_usable();
    drop(new);
    f.finish();
}

#[test]
fn key_dict_lookups_with_panicking_key_hash_or_eq_change_nothing() {
    let mut f = KeyFixture::new();
    // An equal but distinct key: lookups compare it with `Eq`.
    let probe = f.equal_probe(2);
    for site in [Site::ObjHash, Site::ObjEq] {
        arm(site);
        expect_panic(|| f.dict.get(&probe));
        arm(site);
        expect_panic(|| f.dict.contains_key(&probe));
        arm(site);
        expect_panic(|| f.dict.get_key_value(&probe));
        arm(site);
        expect_panic(|| f.dict.get_mut(&probe));
        arm(site);
        expect_panic(|| f.dict.remove(&probe));
        arm(site);
        expect_panic(|| f.dict.remove_entry(&probe));
        arm(site);
        expect_panic(|| f.dict.insert(&probe, data(20, &f.values)));
        arm(site);
        expect_panic(|| {
            f.dict.setdefault(&probe, data(21, &f.values));
        });
        f.check(&[(1, 1), (2, 2), (3, 3)]);
    }
    assert_eq!(getweakrefcount(&probe), 0);
    assert_eq!(f.values.alive(), 3);
    drop(probe);
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_setdefault_with_panicking_default_drop_keeps_the_entry() {
    let mut f = KeyFixture::new();
    let key = Strong::clone(f.obj(1));
    arm_for(Site::DataDrop, 10);
    expect_panic(|| {
        f.dict.setdefault(&key, data(10, &f.values));
    });
    f.check(&[(1, 1), (2, 2), (3, 3)]);
    assert_eq!(f.values.alive(), 3);
    drop(key);
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_collection_with_panicking_value_drop_leaves_the_ledger_exact() {
    let mut f = KeyFixture::new();
    f.kill(2);
    f.check(&[(1, 1), (3, 3)]);
    // `insert` first collects the dead entry, dropping its value: panic.
    let new = obj(9, &f.keys);
    arm_for(Site::DataDrop, 2);
    expect_panic(|| f.dict.insert(&new, data(9, &f.values)));
    f.check(&[(1, 1), (3, 3)]);
    assert_eq!(
        f.values.alive(),
        2,
        "the dead entry's value and value 9 dropped"
    );
    assert_eq!(getweakrefcount(&new), 0);
    f.dict.insert(&new, data(9, &f.values));
    f.objs.push(new);
    f.check(&[(1, 1), (3, 3), (9, 9)]);
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_cascade_with_panicking_key_drop_finishes_on_the_next_operation() {
    let mut f = KeyFixture::new();
    // Value 1 holds the last strong reference to key 2, whose drop panics.
    let two = f.objs.remove(1);
    let one = Strong::clone(f.obj(1));
    f.dict.get_mut(&one).unwrap().holds = Some(two);
    drop(one);
    f.kill(1);
    // Key 2 lives (in value 1) until key 1's entry is collected.
    assert_eq!(f.dict.len(), 2);
    arm_for(Site::ObjDrop, 2);
    // Collecting key 1's entry drops value 1, which kills key 2: panic. Key 2
    // still died (its header was dropped during unwinding): its entry is
    // not counted, and the next operation collects it.
    expect_panic(|| f.dict.shrink_to_fit());
    assert_eq!(f.keys.dropped(), 2);
    f.check(&[(3, 3)]);
    f.dict.shrink_to_fit();
    assert_eq!(f.values.alive(), 1, "values 1 and 2 dropped, once each");
    f.check(&[(3, 3)]);
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_popitem_with_panicking_value_drop_of_a_dead_entry() {
    let mut f = KeyFixture::new();
    f.kill(3);
    arm_for(Site::DataDrop, 3);
    expect_panic(|| f.dict.popitem());
    f.check(&[(1, 1), (2, 2)]);
    let (key, value) = f.dict.popitem().expect("a live entry");
    assert_eq!(key.id, value.id);
    let left: Vec<(u32, u32)> = [(1, 1), (2, 2)]
        .into_iter()
        .filter(|&(id, _)| id != key.id)
        .collect();
    drop((key, value));
    f.check(&left);
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_retain_with_panicking_predicate_loses_no_kept_entry() {
    let mut f = KeyFixture::new();
    let mut calls = 0;
    expect_panic(|| {
        arm(Site::Closure);
        f.dict.retain(|key, _| {
            calls += 1;
            if calls == 2 {
                trip(Site::Closure, key.id);
            }
            false
        });
    });
    let left: Vec<(u32, u32)> = f.mapped().into_iter().map(|id| (id, id)).collect();
    assert_eq!(left.len(), 2);
    f.check(&left);
    assert_eq!(f.values.alive(), 2);
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_retain_with_panicking_value_drop_drops_every_removed_value() {
    let mut f = KeyFixture::new();
    arm_for(Site::DataDrop, 3);
    expect_panic(|| f.dict.retain(|key, _| key.id == 2));
    f.check(&[(2, 2)]);
    assert_eq!(f.values.alive(), 1);
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_clear_with_panicking_value_drop_drops_every_value() {
    let mut f = KeyFixture::new();
    arm_for(Site::DataDrop, 2);
    expect_panic(|| f.dict.clear());
    f.check(&[]);
    assert_eq!(
        f.values.alive(),
        0,
        "values 1 and 3 dropped too, not leaked"
    );
    for o in &f.objs {
        assert_eq!(getweakrefcount(o), 0);
    }
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_clone_with_panicking_value_clone_leaves_the_original_intact() {
    let mut f = KeyFixture::new();
    arm_for(Site::DataClone, 3);
    expect_panic(|| f.dict.clone());
    f.check(&[(1, 1), (2, 2), (3, 3)]);
    assert_eq!(
        f.values.alive(),
        3,
        "the partial copy's values were dropped"
    );
    for o in &f.objs {
        assert_eq!(getweakrefcount(o), 1);
    }
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_extend_with_panicking_key_hash_keeps_what_was_inserted() {
    let mut f = KeyFixture::new();
    let more: Vec<_> = (4..=6).map(|id| obj(id, &f.keys)).collect();
    let items: Vec<_> = more
        .iter()
        .map(|o| (Strong::clone(o), data(o.id, &f.values)))
        .collect();
    arm_for(Site::ObjHash, 5);
    expect_panic(|| f.dict.extend(items));
    f.objs.push(Strong::clone(&more[0]));
    f.check(&[(1, 1), (2, 2), (3, 3), (4, 4)]);
    assert_eq!(f.values.alive(), 4);
    assert_eq!(getweakrefcount(&more[1]), 0);
    f.still_usable();
    drop(more);
    f.finish();
}

#[test]
fn key_dict_iter_mut_with_panicking_collection_then_iterates() {
    let mut f = KeyFixture::new();
    f.kill(1);
    arm_for(Site::DataDrop, 1);
    expect_panic(|| f.dict.iter_mut().count());
    f.check(&[(2, 2), (3, 3)]);
    for (_, value) in f.dict.iter_mut() {
        value.id += 10;
    }
    f.check(&[(2, 12), (3, 13)]);
    for (_, value) in f.dict.iter_mut() {
        value.id -= 10;
    }
    f.still_usable();
    f.finish();
}

#[test]
fn key_dict_drop_with_panicking_value_drop_drops_every_value() {
    let KeyFixture {
        keys,
        values,
        objs,
        dict,
    } = KeyFixture::new();
    arm_for(Site::DataDrop, 2);
    expect_panic(|| drop(dict));
    assert_eq!(
        values.alive(),
        0,
        "the other values were dropped, not leaked"
    );
    for o in &objs {
        assert_eq!(getweakrefcount(o), 0, "no entry ref leaked");
    }
    drop(objs);
    assert_eq!(keys.alive(), 0);
}

#[test]
fn key_dict_callback_panicking_in_clear_is_reported_not_propagated() {
    let mut f = KeyFixture::new();
    let victim = obj(50, &f.keys);
    let callback = Ref::with_callback(&victim, |_| panic!("armed fault: callback"));
    let three = Strong::clone(f.obj(3));
    f.dict.get_mut(&three).unwrap().holds = Some(victim);
    drop(three);
    let before = reported();
    f.dict.clear();
    assert_eq!(reported(), before + 1);
    assert!(callback.get().is_none());
    f.check(&[]);
    f.still_usable();
    drop(callback);
    f.finish();
}

// ---- WeakSet ------------------------------------------------------------------

#[test]
fn weak_set_operations_with_panicking_hash_eq_or_predicate_stay_consistent() {
    quiet_armed_panics();
    let census = Census::new();
    let members: Vec<_> = (1..=3).map(|id| obj(id, &census)).collect();
    let mut set: WeakSet<Obj> = members.iter().cloned().collect();
    let check = |set: &WeakSet<Obj>, ids: &[u32]| {
        assert_eq!(set.len(), ids.len());
        assert_eq!(set.iter().count(), ids.len());
        for &id in ids {
            assert!(set.contains(&members[id as usize - 1]));
        }
    };
    let outsider = obj(9, &census);
    let probe = obj(2, &census);
    for site in [Site::ObjHash, Site::ObjEq] {
        arm(site);
        expect_panic(|| set.contains(&probe));
        arm(site);
        expect_panic(|| set.get(&probe));
        arm(site);
        expect_panic(|| set.remove(&probe));
        arm(site);
        expect_panic(|| set.take(&probe));
        arm(site);
        expect_panic(|| set.insert(&probe));
        check(&set, &[1, 2, 3]);
    }
    arm(Site::ObjHash);
    expect_panic(|| set.insert(&outsider));
    check(&set, &[1, 2, 3]);
    assert_eq!(getweakrefcount(&outsider), 0);
    // Set algebra builds new sets; a panic leaves both operands intact.
    let other: WeakSet<Obj> = [Strong::clone(&outsider)].into_iter().collect();
    arm(Site::ObjHash);
    expect_panic(|| set.union(&other));
    arm(Site::ObjHash);
    expect_panic(|| set.symmetric_difference(&other));
    check(&set, &[1, 2, 3]);
    assert_eq!(other.len(), 1);
    let mut calls = 0;
    arm(Site::Closure);
    expect_panic(|| {
        set.retain(|member| {
            calls += 1;
            if calls == 2 {
                trip(Site::Closure, member.id);
            }
            member.id == 99
        });
    });
    assert_eq!(set.len(), 2);
    assert_eq!(set.iter().count(), 2);
    assert!(set.insert(&outsider));
    assert_eq!(set.len(), 3);
    set.clear();
    assert!(set.is_empty());
    drop((set, other, probe, outsider));
    for member in &members {
        assert_eq!(getweakrefcount(member), 0);
    }
    drop(members);
    assert_eq!(census.alive(), 0);
}

#[test]
fn weak_set_member_dying_with_a_panicking_drop_in_retain() {
    quiet_armed_panics();
    let census = Census::new();
    let mut members: Vec<_> = (1..=3).map(|id| obj(id, &census)).collect();
    let mut set: WeakSet<Obj> = members.iter().cloned().collect();
    let mut doomed = Some(members.remove(1));
    arm_for(Site::ObjDrop, 2);
    expect_panic(|| {
        set.retain(|member| {
            if member.id == 2 {
                drop(doomed.take());
            }
            true
        });
    });
    assert_eq!(census.dropped(), 1);
    assert_eq!(set.len(), 2);
    assert_eq!(set.iter().count(), 2);
    assert!(set.pop().is_some());
    assert_eq!(set.len(), 1);
    drop(set);
    for member in &members {
        assert_eq!(getweakrefcount(member), 0);
    }
    drop(members);
    assert_eq!(census.alive(), 0);
}
