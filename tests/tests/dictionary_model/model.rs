//! The model-based programs for one flavour: see `dictionary_model.rs`.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use weakref::{Header, Referent};

#[allow(unused_imports)]
use super::*;

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Obj {
    id: u32,
    header: Header,
}

const SLOTS: u8 = 6;
const KEYS: u8 = 8;
/// The longest generated program (shorter under Miri, which is slow).
const MAX_OPS: usize = if cfg!(miri) { 24 } else { 80 };

#[derive(Debug, Clone)]
enum Op {
    /// Map key -> the object in slot (made if the slot is empty).
    Insert(u8, u8),
    Remove(u8),
    Get(u8),
    /// Drop the test's strong reference in a slot: the object dies.
    Kill(u8),
    SetDefault(u8, u8),
    /// Replace the dictionaries by their clones.
    Clone,
    Clear,
    Pop,
    /// Keep the entries whose (numeric) key has this parity.
    Retain(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..KEYS, 0..SLOTS).prop_map(|(k, s)| Op::Insert(k, s)),
        2 => (0..KEYS).prop_map(Op::Remove),
        2 => (0..KEYS).prop_map(Op::Get),
        4 => (0..SLOTS).prop_map(Op::Kill),
        2 => (0..KEYS, 0..SLOTS).prop_map(|(k, s)| Op::SetDefault(k, s)),
        1 => Just(Op::Clone),
        1 => Just(Op::Clear),
        1 => Just(Op::Pop),
        1 => any::<bool>().prop_map(Op::Retain),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 1 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The test's strong references, one optional object per slot.
struct Pool {
    slots: Vec<Option<Strong<Obj>>>,
    next_id: u32,
}

impl Pool {
    fn new() -> Self {
        Pool {
            slots: vec![None; SLOTS as usize],
            next_id: 0,
        }
    }

    fn get_or_make(&mut self, slot: u8) -> Strong<Obj> {
        let next_id = &mut self.next_id;
        self.slots[slot as usize]
            .get_or_insert_with(|| {
                *next_id += 1;
                Strong::new(Obj {
                    id: *next_id,
                    header: Header::new(),
                })
            })
            .clone()
    }

    fn alive(&self) -> HashSet<u32> {
        self.slots.iter().flatten().map(|o| o.id).collect()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn weak_value_dictionary_matches_model(ops in prop::collection::vec(op(), 1..MAX_OPS)) {
        let mut pool = Pool::new();
        let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::new();
        // key -> id of the value's object
        let mut model: HashMap<u8, u32> = HashMap::new();
        for op in ops {
            match op {
                Op::Insert(k, s) => {
                    let o = pool.get_or_make(s);
                    let old = d.insert(k, &o);
                    prop_assert_eq!(old.map(|o| o.id), model.insert(k, o.id));
                }
                Op::Remove(k) => {
                    prop_assert_eq!(d.remove(&k).map(|o| o.id), model.remove(&k));
                }
                Op::Get(k) => {
                    prop_assert_eq!(d.get(&k).map(|o| o.id), model.get(&k).copied());
                    prop_assert_eq!(d.contains_key(&k), model.contains_key(&k));
                }
                Op::Kill(s) => {
                    pool.slots[s as usize] = None;
                    let alive = pool.alive();
                    model.retain(|_, id| alive.contains(id));
                }
                Op::SetDefault(k, s) => {
                    let o = pool.get_or_make(s);
                    let got = d.setdefault(k, &o);
                    let expected = *model.entry(k).or_insert(o.id);
                    prop_assert_eq!(got.id, expected);
                }
                Op::Clone => {
                    let copy = d.clone();
                    prop_assert!(copy == d);
                    d = copy;
                }
                Op::Clear => {
                    d.clear();
                    model.clear();
                }
                Op::Pop => match d.popitem() {
                    Some((k, o)) => prop_assert_eq!(model.remove(&k), Some(o.id)),
                    None => prop_assert!(model.is_empty()),
                },
                Op::Retain(even) => {
                    d.retain(|k, _| (k % 2 == 0) == even);
                    model.retain(|k, _| (k % 2 == 0) == even);
                }
            }
            prop_assert_eq!(d.len(), model.len());
            let seen: HashMap<u8, u32> = d.iter().map(|(k, o)| (*k, o.id)).collect();
            prop_assert_eq!(&seen, &model);
            prop_assert_eq!(d.keys().count(), model.len());
            prop_assert_eq!(d.valuerefs().len(), model.len());
        }
        drop(pool);
        prop_assert!(d.is_empty());
    }

    #[test]
    fn weak_key_dictionary_and_set_match_model(ops in prop::collection::vec(op(), 1..MAX_OPS)) {
        let mut pool = Pool::new();
        let mut d: WeakKeyDictionary<Obj, u8> = WeakKeyDictionary::new();
        let mut set: WeakSet<Obj> = WeakSet::new();
        // id of the key's object -> value
        let mut model: HashMap<u32, u8> = HashMap::new();
        for op in ops {
            match op {
                Op::Insert(v, s) => {
                    let o = pool.get_or_make(s);
                    prop_assert_eq!(d.insert(&o, v), model.insert(o.id, v));
                    set.insert(&o);
                }
                Op::Remove(s) | Op::Get(s) if s >= SLOTS => {}
                Op::Remove(s) => {
                    if let Some(o) = pool.slots[s as usize].clone() {
                        prop_assert_eq!(d.remove(&o), model.remove(&o.id));
                        set.remove(&o);
                    }
                }
                Op::Get(s) => {
                    if let Some(o) = pool.slots[s as usize].clone() {
                        prop_assert_eq!(d.get(&o).copied(), model.get(&o.id).copied());
                        prop_assert_eq!(d.contains_key(&o), model.contains_key(&o.id));
                    }
                }
                Op::Kill(s) => {
                    pool.slots[s as usize] = None;
                    let alive = pool.alive();
                    model.retain(|id, _| alive.contains(id));
                }
                Op::SetDefault(v, s) => {
                    let o = pool.get_or_make(s);
                    let got = *d.setdefault(&o, v);
                    prop_assert_eq!(got, *model.entry(o.id).or_insert(v));
                    set.insert(&o);
                }
                Op::Clone => {
                    let copy = d.clone();
                    prop_assert!(copy == d);
                    d = copy;
                    set = set.clone();
                }
                Op::Clear => {
                    d.clear();
                    set.clear();
                    model.clear();
                }
                Op::Pop => match d.popitem() {
                    Some((k, v)) => {
                        prop_assert_eq!(model.remove(&k.id), Some(v));
                        set.remove(&k);
                    }
                    None => prop_assert!(model.is_empty()),
                },
                Op::Retain(even) => {
                    d.retain(|_, v| (*v % 2 == 0) == even);
                    model.retain(|_, v| (*v % 2 == 0) == even);
                    set.retain(|k| model.contains_key(&k.id));
                }
            }
            prop_assert_eq!(d.len(), model.len());
            let seen: HashMap<u32, u8> = d.iter().map(|(k, v)| (k.id, *v)).collect();
            prop_assert_eq!(&seen, &model);
            prop_assert_eq!(d.keyrefs().len(), model.len());
            let keys: HashSet<u32> = model.keys().copied().collect();
            let elements: HashSet<u32> = set.iter().map(|o| o.id).collect();
            prop_assert_eq!(set.len(), elements.len());
            prop_assert_eq!(elements, keys);
        }
        drop(pool);
        prop_assert!(d.is_empty() && set.is_empty());
    }
}
