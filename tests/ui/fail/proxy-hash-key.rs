// Mistake: a proxy as a `HashMap` key. Proxies are never hashable, whatever
// the referent is (CPython's `test_proxy_hash`: `hash(proxy(x))` raises
// `TypeError` even when `x` is hashable): a proxy's hash would change when
// its referent dies. Use a `Ref` (which keeps its hash) or the referent.

use std::collections::HashMap;
use std::sync::Arc;

use weakref::{Header, Referent, proxy};

#[derive(Referent, Hash, PartialEq, Eq)]
struct Key {
    id: u32,
    header: Header,
}

fn main() {
    let key = Arc::new(Key { id: 1, header: Header::new() });
    let mut map = HashMap::new();
    map.insert(proxy(&key), "one");
}
