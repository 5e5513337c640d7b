#!/usr/bin/env bash
# The GPU checks, on a machine with an NVIDIA GPU, run from anywhere in the repository:
#
#     gpu/check.sh
#
# 1. a venv: $PRIVSIM_VENV (default .venv) if it works; else the one $PYTHON (default
#    python3) already runs in, if any (GPU images keep CuPy there); else a new
#    $PRIVSIM_VENV that sees the system's site-packages. The project is installed in it
#    with extras gpu and dev (dev only where CuPy imports already: a second CuPy wheel
#    would shadow the machine's). Offline, pip fails and what is installed must do
#    (carry wheels and set PYTHONPATH); the checks import from the checkout anyway;
# 2. nvidia-smi and CuPy's view of the device: no usable GPU stops the script here;
# 3. pytest -m gpu: tests/gpu (NumPy/CuPy parity of the structures), the solvers'
#    parity tests (tests/unit/core/test_ot.py, test_kernel_regression.py,
#    test_design.py; they import POT and scikit-learn, which the dev extra brings) and
#    tests/services/test_solve_device.py (a solve job's path on the device);
# 4. python -m bench.gpu_build: CPU and GPU timings in one run, written to
#    bench/results/gpu_build.json.
#
# Environment: PRIVSIM_VENV, PYTHON (makes a new venv; default python3),
# PRIVSIM_SKIP_INSTALL=1 (no pip), BENCH_ARGS (e.g. "--rows 50000 --repeats 3"),
# BENCH_TIMEOUT (seconds, default 300). About 2 to 5 minutes in all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

VENV=${PRIVSIM_VENV:-.venv}
BASE=${PYTHON:-python3}
NEW_ENOUGH='import sys; sys.exit(sys.version_info < (3, 11))'
step() { printf '\n==> %s\n' "$*"; }
die() { printf 'gpu/check.sh: %s\n' "$*" >&2; exit 1; }

step "Python environment"
if "$VENV/bin/python" -c "$NEW_ENOUGH" 2>/dev/null; then
    PY=$VENV/bin/python
elif "$BASE" -c 'import sys; sys.exit(sys.version_info < (3, 11) or sys.prefix == sys.base_prefix)' \
        2>/dev/null; then
    PY=$("$BASE" -c 'import sys; print(sys.executable)')  # already in a venv: use it
else
    "$BASE" -m venv --system-site-packages "$VENV"
    PY=$VENV/bin/python
    "$PY" -c "$NEW_ENOUGH" || die "privsim needs Python >= 3.11"
fi
echo "$PY: $("$PY" --version)"
if [[ "${PRIVSIM_SKIP_INSTALL:-0}" != 1 ]]; then
    extras=gpu,dev
    if "$PY" -c 'import cupy' 2>/dev/null; then extras=dev; fi
    if ! timeout 300 "$PY" -m pip install --quiet --retries 1 --timeout 20 -e ".[$extras]"; then
        echo "gpu/check.sh: pip could not install .[$extras] (offline?); going on with what" \
             "is installed" >&2
    fi
fi
# run from the repository root, so the packages import from the checkout in any case
"$PY" - <<'PYEOF' || die "the environment lacks what the checks need (see above)"
import importlib
import sys

missing = []
for name in ("numpy", "cupy", "array_api_compat", "opendp", "pytest", "pytest_timeout",
             "core.structures", "gpu.backend", "bench.gpu_build"):
    try:
        importlib.import_module(name)
    except Exception as exc:  # ImportError, or a broken install
        missing.append(f"{name}: {exc!r}")
sys.exit("cannot import " + "; ".join(missing) if missing else 0)
PYEOF

step "nvidia-smi"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi
else
    echo "nvidia-smi is not on the PATH; asking CuPy"
fi

step "CuPy and the device"
"$PY" - <<'PYEOF' || die "no usable CUDA device: stopping before the GPU tests and benchmark"
import sys

from gpu.device import load_cupy

cp = load_cupy()
if cp is None:
    sys.exit("gpu.device.load_cupy() found no usable CUDA device")
rt = cp.cuda.runtime
props = rt.getDeviceProperties(0)
name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
print(f"cupy {cp.__version__}; CUDA runtime {rt.runtimeGetVersion()}, "
      f"driver {rt.driverGetVersion()}; {rt.getDeviceCount()} device(s)")
print(f"device 0: {name}, compute capability {props['major']}.{props['minor']}, "
      f"{props['multiProcessorCount']} SMs, {props['totalGlobalMem'] / 2**30:.1f} GiB")
import numpy as np

x = np.linspace(-10.0, 10.0, 1001)
on_device = cp.asnumpy(cp.cos(cp.asarray(x)))  # a kernel compiled by NVRTC, run, copied back
assert np.allclose(on_device, np.cos(x), rtol=0, atol=1e-13), "cos on the GPU is wrong"
PYEOF

step "pytest -m gpu tests/gpu and the solvers' parity tests"
# --noconftest: the GPU tests need no fixture of tests/conftest.py, whose imports (the
# web app, PostgreSQL) a bare GPU machine may lack
"$PY" -m pytest -m gpu tests/gpu tests/unit/core/test_ot.py \
    tests/unit/core/test_kernel_regression.py tests/unit/core/test_design.py \
    tests/services/test_solve_device.py \
    -q -p no:cacheprovider --noconftest

step "python -m bench.gpu_build ${BENCH_ARGS:-}"
# shellcheck disable=SC2086  # BENCH_ARGS is a list of words
timeout "${BENCH_TIMEOUT:-300}" "$PY" -m bench.gpu_build ${BENCH_ARGS:-}

step "all GPU checks passed (figures: bench/results/gpu_build.json unless --out said)"
