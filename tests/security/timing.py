"""Growth checks for the hostile-input suite: work on untrusted input must be linear in its size.

A check times one function on an input of size N and on one of size 4N (inputs are generated,
so nothing big is committed) and compares the two. Linear work grows about 4x; quadratic work
grows about 16x. The bound (10x) leaves room for a noisy shared machine while still catching a
quadratic path. Each size is timed a few times and the fastest run kept, because noise only
ever adds time.
"""

import time
from collections.abc import Callable

FACTOR = 4
LINEAR_BOUND = 10.0


def fastest(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def growth(work: Callable[[object], object], make_input: Callable[[int], object], n: int) -> float:
    """How many times longer `work` takes on an input of size FACTOR*n than on one of size n."""
    small, large = make_input(n), make_input(FACTOR * n)
    work(small)  # warm caches and imports so that the first timing is not the slow one
    return fastest(lambda: work(large)) / max(fastest(lambda: work(small)), 1e-6)


def assert_linear(
    work: Callable[[object], object], make_input: Callable[[int], object], n: int
) -> None:
    ratio = growth(work, make_input, n)
    assert ratio < LINEAR_BOUND, (
        f"input x{FACTOR} took x{ratio:.1f} the time: more than linear (bound x{LINEAR_BOUND})"
    )
