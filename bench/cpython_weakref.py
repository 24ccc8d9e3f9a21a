#!/usr/bin/env python3
"""Times CPython's weakref on the operations the Rust benches measure.

Prints one line per row, `name: <ns/op>`, the same row names as the Rust
quick bench (`cargo bench -p weakref-tests --bench quick`), which runs this
script and puts both figures side by side.

Usage: python3 bench/cpython_weakref.py [--quick]
"""
import gc
import sys
import timeit
import weakref

QUICK = "--quick" in sys.argv


class Obj:
    __slots__ = ("id", "__weakref__")

    def __init__(self, i=0):
        self.id = i

    def __hash__(self):
        return hash(self.id)

    def __eq__(self, other):
        return self.id == other.id


def best_ns(stmt, number, repeat=5, setup=None):
    """Best per-operation time over `repeat` runs of `number` operations."""
    timer = timeit.Timer(stmt, setup=setup or "pass", globals=globals())
    return min(timer.repeat(repeat=3 if QUICK else repeat, number=number)) / number * 1e9


def row(name, ns):
    print(f"{name}: {ns:.2f}", flush=True)


def main():
    gc.disable()  # measure weakref, not the cycle collector
    n = 200_000 if QUICK else 1_000_000

    global o, r, dead, cb
    o = Obj()
    r = weakref.ref(o)
    row("ref_get_alive", best_ns("r()", n))
    d = Obj()
    dead = weakref.ref(d)
    del d
    row("ref_get_dead", best_ns("dead()", n))
    row("ref_new_shared", best_ns("weakref.ref(o)", n))
    cb = lambda _r: None
    row("ref_with_callback_and_drop", best_ns("weakref.ref(o, cb)", n))
    for k in (0, 1, 16):
        setup = f"objs = [Obj() for _ in range({n // 10})]\n" \
                f"refs = [[weakref.ref(x, cb) for _ in range({k})] for x in objs]\n" \
                "it = iter(range(len(objs)))"
        row(f"death_with_{k}_callback_refs",
            best_ns("objs[next(it)] = None", n // 10, setup=setup))

    sizes = [1_000] if QUICK else [1_000, 1_000_000]
    for size in sizes:
        keys = [Obj(i) for i in range(size)]
        wkd = weakref.WeakKeyDictionary((k, i) for i, k in enumerate(keys))
        globals().update(keys=keys, wkd=wkd, size=size)
        row(f"wkd_get_{size}", best_ns("wkd.get(keys[7 % size])", n))
        vals = [Obj(i) for i in range(size)]
        wvd = weakref.WeakValueDictionary((i, v) for i, v in enumerate(vals))
        globals().update(vals=vals, wvd=wvd)
        row(f"wvd_get_{size}", best_ns("wvd.get(7 % size)", n))
    extra = Obj(-1)
    globals().update(extra=extra)
    row("wkd_insert_remove", best_ns("wkd[extra] = 1; del wkd[extra]", n))
    row("wvd_insert_remove", best_ns("wvd[-1] = extra; del wvd[-1]", n))
    row("wvd_get_or_insert", best_ns("wvd.setdefault(7, extra)", n))

    half = [Obj(i) for i in range(10_000)]
    hd = weakref.WeakKeyDictionary((k, i) for i, k in enumerate(half))
    del half[::2]
    globals().update(half=half, hd=hd)
    row("wkd_half_dead_get", best_ns("hd.get(half[7])", n))


if __name__ == "__main__":
    main()
