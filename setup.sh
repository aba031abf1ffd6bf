#!/usr/bin/env bash
# One command from a fresh machine (Debian, Python 3.11) to a working narrascope in .venv.
# Installs the CPU build of PyTorch (the model stages need it) before anything else can pull
# a multi-GB CUDA build, then the package with its dev tools. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "narrascope needs Python 3.11+"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=".venv/bin/python -m pip"
$PIP install --quiet --upgrade pip
# A local CPU wheel when the machine has one; otherwise PyTorch's CPU-only index.
if ls /opt/wheels/torch-2.13.0+cpu-*.whl >/dev/null 2>&1; then
  TORCH_SOURCE=(--find-links /opt/wheels)
else
  TORCH_SOURCE=(--extra-index-url https://download.pytorch.org/whl/cpu)
fi
$PIP install --quiet "${TORCH_SOURCE[@]}" "torch==2.13.0" -e ".[dev]"
echo "narrascope is ready: .venv/bin/narrascope analyze ARTICLE --format html -o report.html"
