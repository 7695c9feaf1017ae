#!/usr/bin/env bash
# Issue 15's whole device check in ONE `run` call on a lent NVIDIA GPU machine (the H200 image, python3 3.12),
# after `bash benchmarks/gpu_wheels.sh` here:
#
#   run(carry=[".whl"], timeout_s=560, command="bash benchmarks/gpu_run.sh")
#
# 1. installs .whl/ (numpy 2.4.6, numba-cuda 0.30.4: the `cuda` extra's pins) into /tmp/site, ahead of the image's
#    packages, and .whl/fallback/ too if the image's cuda-bindings/-core/-pathfinder miss numba-cuda's ranges;
# 2. prints nvidia-smi, the versions and where NVVM, NVRTC and nvJitLink were found, then runs one kernel and a few
#    learntorch ops on the GPU; stops there (exit 3) if that fails, so no device time goes to failing tests;
# 3. runs benchmarks/gpu_check.py: the CUDA tests on the GPU (8 xdist workers, stopped after $TEST_S seconds),
#    then the CNN step (batch 64, 256) and fp32 matmul (1024-4096) against learntorch CPU and torch CUDA.
# Everything printed goes to $OUT/gpu_run.log; the figures to $OUT/gpu_check.json (rewritten after every row).
# Worst case about 8 minutes: preflight <= $PREFLIGHT_S, gpu_check.py <= $CHECK_S (tests <= $TEST_S of it).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu_out}
PY=${PY:-python3}
SITE=${SITE:-/tmp/site}
PREFLIGHT_S=${PREFLIGHT_S:-90}
CHECK_S=${CHECK_S:-380}
TEST_S=${TEST_S:-200}
export PYTHONUNBUFFERED=1
start=$SECONDS
step() { echo; echo "=== $* ($((SECONDS - start)) s)"; }

main() {

step "machine"
date -u; uname -m; nvidia-smi || echo "nvidia-smi failed"
"$PY" --version

step "install .whl into $SITE"
[ -d .whl ] || { echo "no .whl/: run benchmarks/gpu_wheels.sh here first and carry .whl"; exit 2; }
pip_install() { "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$@"; }
pip_install .whl/*.whl || exit 2
export PYTHONPATH=$SITE:$PWD
# NVVM and libdevice: from a wheel if the image has one, else from the system toolkit (numba-cuda only infers
# CUDA_HOME from NVRTC's folder, which is a wheel's on this image).
if [ -z "${CUDA_HOME:-}" ] && [ -d /usr/local/cuda/nvvm ]; then export CUDA_HOME=/usr/local/cuda; fi
echo "CUDA_HOME=${CUDA_HOME:-}"

requirements() {  # exit 1 if an installed version misses numba-cuda's Requires-Dist or numba's NumPy range
    "$PY" - <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, requires, version
from packaging.requirements import Requirement

ok = True
for owner in ("numba-cuda", "numba"):
    for text in requires(owner) or []:
        req = Requirement(text)
        if req.marker and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            have = version(req.name)
        except PackageNotFoundError:
            have = None
        good = have is not None and req.specifier.contains(have, prereleases=True)
        ok &= good
        print(f"  {owner} needs {req}: {have} {'ok' if good else 'NOT OK'}")
sys.exit(0 if ok else 1)
EOF
}
if ! requirements; then
    step "the image misses numba-cuda's ranges: installing .whl/fallback"
    pip_install .whl/fallback/*.whl && requirements || echo "still not satisfied: see above"
fi
"$PY" -m pip list 2>/dev/null | grep -i -E "^(numpy|numba|numba-cuda|llvmlite|cuda-|nvidia-|torch |scipy|pytest)" || true

step "preflight: one kernel, then learntorch on the GPU"
timeout "$PREFLIGHT_S" "$PY" - <<'EOF' || { echo "PREFLIGHT FAILED: fix this first (gpu_check.py not run)"; exit 3; }
import numpy as np
from cuda import pathfinder
from numba import cuda

for lib in ("nvvm", "nvrtc", "nvJitLink"):
    try:
        found = pathfinder.load_nvidia_dynamic_lib(lib)
        print(f"{lib}: {found.abs_path} ({found.found_via})")
    except Exception as exc:  # report every library, then let the compile below fail with numba's message
        print(f"{lib}: NOT FOUND: {exc}")
from numba.cuda.cudadrv.driver import _have_nvjitlink, driver
print("driver CUDA version:", driver.get_version(), " LTO through nvJitLink:", _have_nvjitlink())
cuda.detect()

@cuda.jit
def twice(a):
    i = cuda.grid(1)
    if i < a.size:
        a[i] *= 2

x = cuda.to_device(np.arange(1000, dtype=np.float32))
twice[4, 256](x)
assert np.array_equal(x.copy_to_host(), 2 * np.arange(1000, dtype=np.float32))
print("kernel: ok")

import learntorch as lt
a = np.random.default_rng(0).standard_normal((65, 33)).astype(np.float32)
t = lt.tensor(a, device="cuda", requires_grad=True)
out = (t @ t.t()).relu().sum()
out.backward()
np.testing.assert_allclose(out.item(), np.maximum(a @ a.T, 0).sum(), rtol=1e-4)
print("learntorch:", lt.cuda.get_device_name(), "matmul, relu, sum, backward: ok")
EOF

step "gpu_check.py: CUDA tests, then benchmarks"
timeout "$CHECK_S" "$PY" benchmarks/gpu_check.py --tests cuda --workers 8 --test-timeout "$TEST_S" \
    --json "$OUT/gpu_check.json"
rc=$?
((rc == 124)) && echo "gpu_check.py stopped at $CHECK_S s: the rows measured so far are in gpu_check.json"
step "done, gpu_check.py exit $rc"
nvidia-smi --query-gpu=name,driver_version,memory.used,memory.total,clocks.sm --format=csv || true
return "$rc"
}

mkdir -p "$OUT"
main 2>&1 | tee -a "$OUT/gpu_run.log"
exit "${PIPESTATUS[0]}"
