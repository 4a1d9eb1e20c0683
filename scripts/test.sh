#!/usr/bin/env bash
# The README's test command: installs everything the test suite needs, then lints and runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# Megatron conformance tests: the CPU torch wheel FIRST (else megatron-core pulls the CUDA build)
python3 -m pip install torch==2.13.0 -q
python3 -m pip install -q "megatron-core>=0.16.1" "transformers>=4.40"
python3 -m pip install -q -e ".[dev,ray]"
# the example filter plugin the plugin tests use (a real package with a roots.filters entry point)
python3 -m pip install -q --no-deps --no-build-isolation -e tests/plugins/roots-shouting
# dashboard browser test: Debian's chromium, driven by Playwright (never `playwright install`)
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && apt-get install -y -qq chromium
fi

# PDF source tests: real embedded fonts for Chinese and Devanagari (DejaVu covers Latin, Cyrillic, Arabic)
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [ ! -f /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf ] \
  || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  apt-get update -qq && apt-get install -y -qq fonts-dejavu-core fonts-wqy-microhei fonts-lohit-deva
fi

# dashboard: the Noto fonts it serves for every script of the 46 languages (browsers need none installed)
if [ ! -f /usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-noto-core fonts-noto-cjk
fi

python3 -m ruff check roots tests benchmarks
python3 -m mypy roots  # [tool.mypy] in pyproject.toml
# a non-editable install of the wheel runs the demo and every stage from a folder outside the checkout
bash scripts/check_wheel.sh
# one worker per core (pytest-xdist); a test file stays on one worker, so its module fixtures are built once
python3 -m pytest -q -p no:cacheprovider -n auto --dist loadfile --durations=15 "$@"
