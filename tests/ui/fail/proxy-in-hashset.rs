// Mistake: proxies in a `HashSet`. Proxies are never hashable (CPython's
// `test_proxy_hash`), even when their referent is; use `Ref`s or a
// `weakref::WeakSet`.

use std::collections::HashSet;
use std::sync::Arc;

use weakref::{Header, Proxy, Referent, proxy};

#[derive(Referent, Hash, PartialEq, Eq)]
struct Item {
    header: Header,
}

fn main() {
    let item = Arc::new(Item { header: Header::new() });
    let set: HashSet<Proxy<Item>> = [proxy(&item)].into_iter().collect();
    let _ = set.len();
}
