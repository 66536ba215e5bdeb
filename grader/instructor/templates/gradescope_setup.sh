#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu base image, when it builds the autograder.
# It installs Python, a CPU build of torch (pinned, from PyTorch's CPU index: the default wheel
# from PyPI would bring gigabytes of CUDA), bubblewrap for the sandbox, and the grader.
#
# AUTOGRADER_ROOT (default /autograder) moves the tree; GRADER_SETUP_SKIP_SYSTEM=1 skips apt and
# torch (the grader's own tests, on a machine that has them) but still installs the grader.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
TORCH_VERSION="@TORCH_VERSION@"
VENV="$ROOT/venv"

if [ -z "${GRADER_SETUP_SKIP_SYSTEM:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap ca-certificates
fi

# A virtual environment: Ubuntu's own python3 refuses pip installs (PEP 668). run_autograder puts
# its bin/ first on PATH, so `python3` there is this one.
PY="$VENV/bin/python3"

if [ -z "${GRADER_SETUP_SKIP_SYSTEM:-}" ]; then
    python3 -m venv "$VENV"  # clean: nothing of the image's own Python packages
    "$PY" -m pip install --upgrade pip
    "$PY" -m pip install "torch==${TORCH_VERSION}" --index-url "@CPU_INDEX@"
    # torch is already there, so the grader's `torch>=...` pulls no other build.
    "$PY" -m pip install "$SOURCE/grader"
else
    # The machine already has torch and the grader's dependencies (seen through
    # --system-site-packages) and a pip and setuptools of its own: install the grader alone
    # with those, without reaching an index.
    # (--system-site-packages would show the *base* interpreter's packages where python3 is
    # itself a venv's: a .pth file shows the venv this python3 sees instead.)
    python3 -m venv --without-pip "$VENV"
    purelib=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    python3 -c 'import site; print("\n".join(f"import site; site.addsitedir({p!r})" for p in site.getsitepackages()))' \
        > "$purelib/zz_machine_site.pth"
    offline=()
    if python3 -c "import setuptools" 2>/dev/null; then offline=(--no-build-isolation --no-index); fi
    python3 -m pip --python "$PY" install --no-deps --ignore-installed "${offline[@]}" "$SOURCE/grader"
fi

# The hidden tests are for the grader (root) alone: a worker that runs as another user, where
# namespaces are refused, must not read them.
chmod -R go-rwx "$SOURCE/course/tests"

"$PY" -c "import grader.engine, torch; print('grader installed; torch', torch.__version__)"

# What the assignment on Gradescope must be set to (also printed by `grader gradescope-package`).
cat <<'GRADER_SETTINGS'
@SETTINGS@
GRADER_SETTINGS
