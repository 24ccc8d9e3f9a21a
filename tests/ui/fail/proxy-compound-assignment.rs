// Mistake: a compound assignment on a proxy. In Python `p += 1` calls the
// referent's `__iadd__` and rebinds `p` to its result; in Rust the referent
// is shared (behind an `Arc`), so `AddAssign`'s `&mut self` is out of reach,
// and the result of `&p + 1` is a plain value, not a proxy. Proxies have no
// `+=`: change the referent through its own interior mutability with
// `p.with(|c| c.add(1))`, or bind the result: `let q = &p + 1;`.

use std::ops::Add;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use weakref::{Header, Referent, proxy};

#[derive(Referent)]
struct Counter {
    count: AtomicI64,
    header: Header,
}

impl Add<i64> for &Counter {
    type Output = i64;
    fn add(self, rhs: i64) -> i64 {
        self.count.load(Ordering::Relaxed) + rhs
    }
}

fn main() {
    let c = Arc::new(Counter { count: AtomicI64::new(1), header: Header::new() });
    let mut p = proxy(&c);
    let _ = &p + 1; // fine: a plain `i64`
    p += 1;
}
