#!/usr/bin/env bash
# elyra-node.sh VENV_PYTHON BOOTSTRAPPER WORKDIR -- ARGS...: one generic node
# the way Elyra 4.0.0's KFP pod runs it, from a fresh WORKDIR: its command
# copies bootstrapper.py and requirements-elyra.txt there (here from the
# venv, not downloaded: that part is left out), runs `pip freeze >
# requirements-current.txt`, then `python bootstrapper.py ARGS`. The
# requirements are the venv's own freeze, so nothing is installed: the
# cheapest case for Elyra. bench/run's overhead benchmark times it.
set -euo pipefail
py=$1 boot=$2 wd=$3
shift 4
mkdir -p "$wd"
cd "$wd"
cp "$boot" bootstrapper.py
"$py" -m pip freeze --disable-pip-version-check >requirements-current.txt
cp requirements-current.txt requirements-elyra.txt
exec "$py" bootstrapper.py "$@"
