#!/usr/bin/env bash
# Downloads, here, the wheels that benchmarks/gpu_run.sh installs on a lent NVIDIA H200 machine (no registry
# can be reached there), into .whl/ (git-ignored), and checks that they and the working tree fit the 64 MiB that
# one `run` call carries.
#
#   bash benchmarks/gpu_wheels.sh          # then: run(carry=[".whl"], command="bash benchmarks/gpu_run.sh")
#
# The machine's python3 is 3.12 (x86-64) and already holds numba, llvmlite, cuda-bindings, cuda-core,
# cuda-pathfinder and CUDA 13 (the driver R580, nvcc with NVVM/libdevice in /usr/local/cuda, and the
# nvidia-cuda-nvrtc, -runtime and nvjitlink wheels), but NumPy 2.5, with which numba-cuda 0.30.4 fails at its first
# kernel compile (pyproject.toml's `cuda` extra says why). So .whl/ holds what the pins change:
#   numpy 2.4.6 (the newest below 2.5) and numba-cuda 0.30.4;
# .whl/fallback/ holds the CUDA Python layer that numba-cuda 0.30.4 asks for, installed there only when the
# image's versions fall outside its Requires-Dist ranges. numba-cuda[cu12|cu13]'s CUDA toolkit wheels don't fit in a
# call (NVVM 75 MB, NVRTC 90 MB; llvmlite alone is 60 MB): the image's own toolkit is used instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
WHEELS=(numpy==2.4.6 numba-cuda==0.30.4)
FALLBACK=(cuda-bindings==13.5.0 cuda-core==1.2.2 cuda-pathfinder==1.9.1)
LIMIT=$((64 * 1024 * 1024))

download() {  # download DIR SPEC...: CPython 3.12 manylinux x86-64 wheels, without their dependencies
    local dir=$1; shift
    "$PYTHON" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
        -d "$dir" "$@"
}

rm -rf .whl
download .whl "${WHEELS[@]}"
download .whl/fallback "${FALLBACK[@]}"
git check-ignore -q .whl/ || { echo "error: .whl/ is not git-ignored: add it to .gitignore" >&2; exit 1; }

echo "Requires-Dist of numba-cuda (what gpu_run.sh checks the image against):"
unzip -p .whl/numba_cuda-*.whl '*/METADATA' | grep '^Requires-Dist' | grep -v 'extra ==' | sed 's/^/  /'
ls -l .whl .whl/fallback | grep '\.whl$' | awk '{printf "  %10d  %s\n", $5, $NF}'
wheels=$(du -cb .whl | tail -1 | cut -f1)
tree=$(git ls-files -co --exclude-standard -z | du --files0-from=- -cb 2>/dev/null | tail -1 | cut -f1)
total=$((wheels + tree))
awk -v w="$wheels" -v t="$tree" 'BEGIN { m = 1048576; printf "wheels %.1f MiB + working tree %.1f MiB = %.1f MiB of 64 MiB\n", w / m, t / m, (w + t) / m }'
if ((total > LIMIT)); then
    echo "error: too big for one run call" >&2
    exit 1
fi
