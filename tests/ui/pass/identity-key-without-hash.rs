// Identity collections need nothing of their keys but `Referent`: a key
// type without `Hash`, `Eq` or `Debug` (and a trait object) keys a
// `WeakKeyIdentityDictionary` and fills a `WeakIdentitySet`, for `Arc` and
// `Rc` objects alike. (By value, the same type is rejected: `ByValue`
// needs `Hash + Eq`.)

use std::rc::Rc;
use std::sync::Arc;

use weakref::{Header, Referent, WeakIdentitySet, WeakKeyIdentityDictionary, rc};

#[derive(Referent)]
struct Opaque {
    header: Header,
}

trait Service: Referent {}

impl Service for Opaque {}

fn main() {
    let a = Arc::new(Opaque {
        header: Header::new(),
    });
    let mut labels = WeakKeyIdentityDictionary::new();
    labels.insert(&a, "a");
    assert_eq!(labels[&*a], "a");

    let service: Arc<dyn Service> = a.clone();
    let mut services = WeakIdentitySet::new();
    services.insert(&service);
    assert!(services.contains(&*service));

    let local = Rc::new(Opaque {
        header: Header::new(),
    });
    let mut local_labels = rc::WeakKeyIdentityDictionary::new();
    *local_labels.entry(&local).or_insert(0) += 1;
    let mut local_set = rc::WeakIdentitySet::new();
    local_set.insert(&local);
    assert_eq!((local_labels[&*local], local_set.len()), (1, 1));
}
