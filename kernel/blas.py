"""One BLAS thread per process: the web workers' numpy products run on the calling thread.

numpy's BLAS (OpenBLAS in the wheels) starts one thread per CPU for a large product, and its
threads keep spinning for a while after each call. A web server runs several worker
processes per core (gunicorn: 2 × cores + 1), so those threads only compete with the other
workers: on this 2-core machine, 4 workers matching at 100,000 listings (then numpy's product
of the vector matrix with a query vector; the vector index is faiss's now, the semantic
evidence's products are still numpy's) spent 144-185 ms of CPU per match with the default
threads and 74-110 ms with one (benchmarks/search_scale.py,
DESIGN.md section 7). The limit is set through threadpoolctl (BSD-3-Clause, the thread-pool
control that scikit-learn and joblib use), which finds the BLAS library numpy loaded,
whichever it is, and is inherited by processes forked afterwards.
"""

from __future__ import annotations

import numpy  # noqa: F401 - loads the BLAS library, so that the limit finds it
from threadpoolctl import threadpool_info, threadpool_limits


def limit_blas_threads() -> None:
    """Limit every BLAS library loaded in this process to one thread, for the process's
    lifetime (a no-op when it has one already)."""
    threadpool_limits(limits=1, user_api="blas")


def blas_threads() -> list[int]:
    """The thread count of each BLAS library loaded in this process."""
    return [int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas"]
