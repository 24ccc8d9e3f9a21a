//! The mapping protocol's surfaces for one flavour: see `mapping_protocol.rs`.

use weakref::{Header, Referent};

#[allow(unused_imports)]
use super::*;
use crate::Mapping;

/// CPython's `Object(arg)`: equal and hashed by `arg`.
#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Object {
    arg: &'static str,
    header: Header,
}

fn object(arg: &'static str) -> Strong<Object> {
    Strong::new(Object {
        arg,
        header: Header::new(),
    })
}

type Wkd = WeakKeyDictionary<Object, u32>;
type Wvd = WeakValueDictionary<&'static str, Object>;

impl Mapping for Wkd {
    type K = Strong<Object>;
    type V = u32;
    fn reference() -> Vec<(Strong<Object>, u32)> {
        vec![
            (object("key1"), 1),
            (object("key2"), 2),
            (object("key3"), 3),
        ]
    }
    fn set(&mut self, k: &Strong<Object>, v: &u32) {
        self.insert(k, *v);
    }
    fn item(&self, k: &Strong<Object>) -> Option<u32> {
        self.get(k).copied()
    }
    fn has(&self, k: &Strong<Object>) -> bool {
        self.contains_key(k)
    }
    fn pop(&mut self, k: &Strong<Object>) -> Option<u32> {
        self.remove(k)
    }
    fn setdefault(&mut self, k: &Strong<Object>, v: &u32) -> u32 {
        *WeakKeyDictionary::setdefault(self, k, *v)
    }
    fn popitem(&mut self) -> Option<(Strong<Object>, u32)> {
        WeakKeyDictionary::popitem(self)
    }
    fn update(&mut self, pairs: impl IntoIterator<Item = (Strong<Object>, u32)>) {
        self.extend(pairs);
    }
    fn clear(&mut self) {
        WeakKeyDictionary::clear(self);
    }
    fn keys(&self) -> Vec<Strong<Object>> {
        WeakKeyDictionary::keys(self).collect()
    }
    fn values(&self) -> Vec<u32> {
        WeakKeyDictionary::values(self).copied().collect()
    }
    fn items(&self) -> Vec<(Strong<Object>, u32)> {
        self.iter().map(|(k, v)| (k, *v)).collect()
    }
    fn iter_keys(&self) -> Vec<Strong<Object>> {
        self.into_iter().map(|(k, _)| k).collect()
    }
    fn len(&self) -> usize {
        WeakKeyDictionary::len(self)
    }
    fn is_empty(&self) -> bool {
        WeakKeyDictionary::is_empty(self)
    }
}

impl Mapping for Wvd {
    type K = &'static str;
    type V = Strong<Object>;
    fn reference() -> Vec<(&'static str, Strong<Object>)> {
        vec![
            ("key1", object("1")),
            ("key2", object("2")),
            ("key3", object("3")),
        ]
    }
    fn set(&mut self, k: &&'static str, v: &Strong<Object>) {
        self.insert(*k, v);
    }
    fn item(&self, k: &&'static str) -> Option<Strong<Object>> {
        self.get(*k)
    }
    fn has(&self, k: &&'static str) -> bool {
        self.contains_key(*k)
    }
    fn pop(&mut self, k: &&'static str) -> Option<Strong<Object>> {
        self.remove(*k)
    }
    fn setdefault(&mut self, k: &&'static str, v: &Strong<Object>) -> Strong<Object> {
        WeakValueDictionary::setdefault(self, *k, v)
    }
    fn popitem(&mut self) -> Option<(&'static str, Strong<Object>)> {
        WeakValueDictionary::popitem(self)
    }
    fn update(&mut self, pairs: impl IntoIterator<Item = (&'static str, Strong<Object>)>) {
        self.extend(pairs);
    }
    fn clear(&mut self) {
        WeakValueDictionary::clear(self);
    }
    fn keys(&self) -> Vec<&'static str> {
        WeakValueDictionary::keys(self).copied().collect()
    }
    fn values(&self) -> Vec<Strong<Object>> {
        WeakValueDictionary::values(self).collect()
    }
    fn items(&self) -> Vec<(&'static str, Strong<Object>)> {
        self.iter().map(|(k, v)| (*k, v)).collect()
    }
    fn iter_keys(&self) -> Vec<&'static str> {
        self.into_iter().map(|(k, _)| *k).collect()
    }
    fn len(&self) -> usize {
        WeakValueDictionary::len(self)
    }
    fn is_empty(&self) -> bool {
        WeakValueDictionary::is_empty(self)
    }
}

mod weak_key_dictionary {
    use super::Wkd;

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_read
    #[test]
    fn read() {
        crate::read::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_write
    #[test]
    fn write() {
        crate::write::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_constructor
    #[test]
    fn constructor() {
        crate::constructor::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_bool
    #[test]
    fn bool() {
        crate::bool_::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_keys
    #[test]
    fn keys() {
        crate::keys::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_values
    #[test]
    fn values() {
        crate::values::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_items
    #[test]
    fn items() {
        crate::items::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_len
    #[test]
    fn len() {
        crate::len::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_getitem
    #[test]
    fn getitem() {
        crate::getitem::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_update
    #[test]
    fn update() {
        crate::update::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_get
    #[test]
    fn get() {
        crate::get::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_popitem
    #[test]
    fn popitem() {
        crate::popitem::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_pop
    #[test]
    fn pop() {
        crate::pop::<Wkd>();
    }
}

mod weak_value_dictionary {
    use super::Wvd;

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_read
    #[test]
    fn read() {
        crate::read::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_write
    #[test]
    fn write() {
        crate::write::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_constructor
    #[test]
    fn constructor() {
        crate::constructor::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_bool
    #[test]
    fn bool() {
        crate::bool_::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_keys
    #[test]
    fn keys() {
        crate::keys::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_values
    #[test]
    fn values() {
        crate::values::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_items
    #[test]
    fn items() {
        crate::items::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_len
    #[test]
    fn len() {
        crate::len::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_getitem
    #[test]
    fn getitem() {
        crate::getitem::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_update
    #[test]
    fn update() {
        crate::update::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_get
    #[test]
    fn get() {
        crate::get::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_popitem
    #[test]
    fn popitem() {
        crate::popitem::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_pop
    #[test]
    fn pop() {
        crate::pop::<Wvd>();
    }
}
