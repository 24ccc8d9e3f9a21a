//! The module's names: CPython 3.11's `ModuleTestCase`. The facade crate is
//! Python's `weakref` module; its Python type names are reachable from it.

use std::any::{TypeId, type_name};
use std::hash::RandomState;

use weakref::{
    ArcFamily, BuildAddressHasher, ByIdentity, ByValue, CallableProxy, CallableProxyType, Function,
    Proxy, ProxyType, Ref, ReferenceType, WeakIdentitySet, WeakKeyDictionary,
    WeakKeyIdentityDictionary, WeakKeyMap, WeakKeySet, WeakSet, WeakValueDictionary,
};
use weakref_tests::Obj;

/// The last path segment of a type's name, without generic arguments.
fn short_name<T: ?Sized>() -> &'static str {
    let full = type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

// CPython 3.11: test_weakref.py ModuleTestCase.test_names
// Python checks that ReferenceType, ProxyType, CallableProxyType,
// WeakMethod, WeakSet, WeakKeyDictionary and WeakValueDictionary come from
// `weakref` and carry their own names. Here each is reachable as
// `weakref::NAME` (this file compiles), the Python names that are aliases
// are the very types they name, and the others carry their Python name.
// (WeakMethod is added with issue 11.) Round 2: `WeakSet` and
// `WeakKeyDictionary` are aliases of the engines `WeakKeySet` and
// `WeakKeyMap` with the by-value key mode (as `WeakIdentitySet` and
// `WeakKeyIdentityDictionary` are with the identity mode), so Rust names
// them by the engine; the alias is the Python name, checked by `TypeId`.
#[test]
fn the_facade_exports_pythons_type_names() {
    type F = Function<u8, u8>;
    assert_eq!(TypeId::of::<ReferenceType<Obj>>(), TypeId::of::<Ref<Obj>>());
    assert_eq!(TypeId::of::<ProxyType<Obj>>(), TypeId::of::<Proxy<Obj>>());
    assert_eq!(
        TypeId::of::<CallableProxyType<F>>(),
        TypeId::of::<CallableProxy<F>>()
    );
    assert_ne!(
        TypeId::of::<ProxyType<F>>(),
        TypeId::of::<CallableProxy<F>>()
    );
    assert_eq!(short_name::<ReferenceType<Obj>>(), "Ref");
    assert_eq!(short_name::<ProxyType<Obj>>(), "Proxy");
    assert_eq!(short_name::<CallableProxyType<F>>(), "CallableProxy");
    assert_eq!(short_name::<WeakSet<Obj>>(), "WeakKeySet");
    assert_eq!(
        TypeId::of::<WeakSet<Obj>>(),
        TypeId::of::<WeakKeySet<Obj, RandomState, ArcFamily, ByValue>>()
    );
    assert_eq!(
        TypeId::of::<WeakIdentitySet<Obj>>(),
        TypeId::of::<WeakKeySet<Obj, BuildAddressHasher, ArcFamily, ByIdentity>>()
    );
    assert_eq!(short_name::<WeakKeyDictionary<Obj, u8>>(), "WeakKeyMap");
    assert_eq!(
        TypeId::of::<WeakKeyDictionary<Obj, u8>>(),
        TypeId::of::<WeakKeyMap<Obj, u8, RandomState, ArcFamily, ByValue>>()
    );
    assert_eq!(
        TypeId::of::<WeakKeyIdentityDictionary<Obj, u8>>(),
        TypeId::of::<WeakKeyMap<Obj, u8, BuildAddressHasher, ArcFamily, ByIdentity>>()
    );
    assert_eq!(
        short_name::<WeakValueDictionary<u8, Obj>>(),
        "WeakValueDictionary"
    );
}
