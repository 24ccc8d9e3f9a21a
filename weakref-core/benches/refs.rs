//! Weak reference costs, each group measured against its `std` anchor in the
//! same run: `cargo bench -p weakref-core --bench refs`.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::hint::black_box;
use std::sync::{Arc, Weak};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use weakref_core::{Header, Ref, Referent};

#[derive(Referent)]
struct Obj {
    value: u64,
    header: Header,
}

fn obj() -> Arc<Obj> {
    Arc::new(Obj {
        value: 1,
        header: Header::new(),
    })
}

fn get(c: &mut Criterion) {
    let mut group = c.benchmark_group("get_alive");
    let o = obj();
    let weak: Weak<Obj> = Arc::downgrade(&o);
    let r = Ref::new(&o);
    group.bench_function("std_weak_upgrade", |b| {
        b.iter(|| black_box(&weak).upgrade().map(|o| o.value))
    });
    group.bench_function("ref_get", |b| {
        b.iter(|| black_box(&r).get().map(|o| o.value))
    });
    group.finish();

    let mut group = c.benchmark_group("get_dead");
    drop(o);
    group.bench_function("std_weak_upgrade", |b| {
        b.iter(|| black_box(&weak).upgrade().map(|o| o.value))
    });
    group.bench_function("ref_get", |b| {
        b.iter(|| black_box(&r).get().map(|o| o.value))
    });
    group.finish();
}

fn create(c: &mut Criterion) {
    let mut group = c.benchmark_group("new_shared_and_drop");
    let o = obj();
    let _keep = Ref::new(&o);
    group.bench_function("std_arc_downgrade", |b| {
        b.iter(|| Arc::downgrade(black_box(&o)))
    });
    group.bench_function("ref_new", |b| b.iter(|| Ref::new(black_box(&o))));
    group.finish();

    let mut group = c.benchmark_group("with_callback_and_drop");
    group.bench_function("std_arc_downgrade", |b| {
        b.iter(|| Arc::downgrade(black_box(&o)))
    });
    group.bench_function("ref_with_callback", |b| {
        b.iter(|| Ref::with_callback(black_box(&o), |_| ()))
    });
    group.finish();
}

fn death(c: &mut Criterion) {
    let mut group = c.benchmark_group("death");
    group.bench_function("std_arc_drop_no_refs", |b| {
        b.iter_batched(obj, drop, BatchSize::SmallInput)
    });
    for n in [0_usize, 1, 16] {
        group.bench_function(format!("drop_with_{n}_callback_refs"), |b| {
            b.iter_batched(
                || {
                    let o = obj();
                    let refs: Vec<_> = (0..n).map(|_| Ref::with_callback(&o, |_| ())).collect();
                    (o, refs)
                },
                |(o, refs)| {
                    drop(o);
                    refs
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, get, create, death);
criterion_main!(benches);
