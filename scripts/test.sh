#!/usr/bin/env bash
# The README's test command: installs everything the test suite needs, then lints and runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
python3 -m pip install -q -e ".[dev]"

python3 -m ruff check roots tests benchmarks
python3 -m pytest -q -p no:cacheprovider "$@"
