#!/usr/bin/env bash
# A non-editable install works from any folder: build the wheel, install it into a fresh virtual
# environment outside the checkout, then run `roots demo` and each stage command from an empty folder.
# The environment reuses the already installed dependencies (--system-site-packages, --no-deps) to stay
# fast; the check that counts is that `roots` is imported from the wheel and that no path it uses lies
# in the checkout.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# build from a copy of the sources: a stale build/ folder in the checkout could leak removed files into the wheel
mkdir "$work/src"
tar -C "$repo" --exclude=./.git --exclude=./build --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C "$work/src" -xf -
python3 -m pip wheel "$work/src" --no-deps --no-build-isolation -q -w "$work/wheel"
python3 -m venv --system-site-packages "$work/venv"
"$work/venv/bin/python" -m pip install -q --no-deps "$work"/wheel/roots-*.whl
roots="$work/venv/bin/roots"
mkdir "$work/cwd" && cd "$work/cwd"

where=$("$work/venv/bin/python" -c 'import roots; print(roots.__file__)')
case "$where" in "$work/venv/"*) ;; *) echo "check_wheel: roots imported from $where, not from the wheel"; exit 1 ;; esac
"$roots" --version
"$roots" demo --out demo --workers 2 > demo.log || { cat demo.log; exit 1; }
if grep -rl "$repo" demo/pipeline.yaml demo/run/config.yaml; then
  echo "check_wheel: the demo run uses files of the checkout $repo"; exit 1
fi
# every stage on its own, with the default (shipped) language configs, then with an exported copy
"$roots" extract jsonl demo/corpus/extra.jsonl --out out --workers 1 > stages.log
"$roots" filter out --workers 1 >> stages.log
"$roots" dedup out --workers 1 >> stages.log
"$roots" export megatron out --tokenizer demo/tokenizer --workers 1 >> stages.log
test -s out/export/data_path.txt
"$roots" languages export langs >> stages.log
# a fresh run filtered with the exported copy (on `out` it would be "already done": the configs are the same bytes)
"$roots" extract jsonl demo/corpus/extra.jsonl --out out2 --workers 1 >> stages.log
"$roots" filter out2 --languages-dir langs --workers 1 >> stages.log
grep -q "$work/cwd/langs" out2/filter/stats.json || { echo "check_wheel: filter --languages-dir langs did not use langs"; exit 1; }
echo "check_wheel: the wheel's roots ran the demo and every stage from $work/cwd"
