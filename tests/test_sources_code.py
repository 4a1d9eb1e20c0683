"""The code source: folder trees, jsonl and HF datasets of source files (issue #19.1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from roots.config import absolute_paths
from roots.errors import UserError
from roots.layout import RunLayout
from roots.pipeline import extract_config, run_stages
from tests.fixtures_sources import assert_balanced, errors, rows, stats

PYTHON = 'def greet(name):\n    """Say hello."""\n    return f"hello {name}"\n'
CPP = "#include <vector>\n\nint main() {\n    std::vector<int> v{1, 2};\n    return v.size();\n}\n"


def extract_code(out: Path, **source: Any) -> RunLayout:
    config = extract_config(
        absolute_paths({"type": "code", **source}, Path.cwd()), out, {"workers": 1}, False
    )
    return run_stages(config, ["extract"])


def _write(root: Path, rel: str, data: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Two repositories: code in several languages, vendored and minified files, a binary, a big file."""
    root = tmp_path / "repos"
    _write(root, "alpha/src/greet.py", PYTHON)
    _write(root, "alpha/src/main.C", CPP)  # upper-case .C is C++ in ROOTS's table
    _write(root, "alpha/README.md", "# alpha\n")
    _write(root, "alpha/node_modules/left/index.js", "module.exports = 1;\n")
    _write(root, "alpha/web/app.min.js", "var a=1;var b=2;\n")
    _write(root, "beta/lib/legacy.java", "// Fran\xe7ois wrote this\nclass Legacy {}\n".encode("cp1252"))
    _write(root, "beta/lib/blob.go", b"package main\n\x00\x01\x02binary")
    _write(root, "beta/lib/huge.rs", "// x\n" * (1024 * 1024 // 5 + 1))
    _write(root, "beta/lib/util.kt", "fun main() = println(1)\n")
    return root


def test_a_folder_tree_keeps_code_and_records_every_skip(tree, tmp_path):
    run = extract_code(tmp_path / "run", paths=[str(tree)])
    docs = {d["meta"]["path"]: d for d in rows(run)}
    assert set(docs) == {"alpha/src/greet.py", "alpha/src/main.C", "beta/lib/legacy.java"}
    greet = docs["alpha/src/greet.py"]
    assert greet["text"] == PYTHON and greet["lang"] == "code-python"
    assert greet["meta"] | {"charset": None} == {
        "repo": "alpha",
        "path": "alpha/src/greet.py",
        "license": None,
        "size": len(PYTHON),
        "lines": 3,
        "charset": None,
    }
    assert docs["alpha/src/main.C"]["lang"] == "code-cpp"
    legacy = docs["beta/lib/legacy.java"]
    assert legacy["text"].startswith("// François") and legacy["meta"]["repo"] == "beta"
    reasons = {e["locator"]: e["reason"] for e in errors(run)}
    assert reasons == {
        "alpha/node_modules/left/index.js": "vendored",
        "alpha/web/app.min.js": "vendored",
        "beta/lib/blob.go": "binary",
        "beta/lib/huge.rs": "too_large",
    }
    assert_balanced(run)
    assert stats(run)["skipped"] == {"not_code": 2}  # README.md and util.kt: counted, not documents


def test_extensions_languages_repo_licence_and_globs_are_configurable(tree, tmp_path):
    run = extract_code(
        tmp_path / "run",
        paths=[str(tree / "beta")],
        repo="beta-org/beta",
        license="MIT",
        extensions={".kt": "kotlin"},
        languages=["kotlin", "rust", "go"],
        skip_globs=["*/blob.go"],
        max_file_bytes=2 * 1024 * 1024,
    )
    docs = rows(run)
    assert sorted(d["lang"] for d in docs) == ["code-kotlin", "code-rust"]
    assert {d["meta"]["repo"] for d in docs} == {"beta-org/beta"}
    assert {d["meta"]["license"] for d in docs} == {"MIT"}
    assert [(e["locator"], e["reason"]) for e in errors(run)] == [("lib/blob.go", "vendored")]
    assert_balanced(run)


def _records() -> list[dict[str, Any]]:
    return [
        {"content": PYTHON, "path": "pkg/greet.py", "repo": "org/a", "license": "MIT", "stars": 3},
        {"content": CPP, "path": "src/main.cc", "repo": "org/b", "license": ["Apache-2.0"], "stars": 1},
        {"content": "x = 1\n", "path": "third_party/x.py", "repo": "org/c", "license": "MIT", "stars": 0},
        {"content": "notes\n", "path": "NOTES.txt", "repo": "org/c", "license": "MIT", "stars": 0},
        {"content": "y = 2\n", "repo": "org/c", "license": "MIT", "stars": 0},
    ]


def _check_rows(run: RunLayout) -> None:
    docs = rows(run)
    assert [(d["lang"], d["meta"]["repo"], d["meta"]["license"]) for d in docs] == [
        ("code-python", "org/a", "MIT"),
        ("code-cpp", "org/b", ["Apache-2.0"]),
    ]
    assert docs[0]["meta"]["stars"] == 3 and docs[0]["meta"]["lines"] == 3
    assert sorted(e["reason"] for e in errors(run)) == ["missing_path", "not_code", "vendored"]
    assert_balanced(run)


def test_jsonl_rows(tmp_path):
    path = tmp_path / "code.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    _check_rows(extract_code(tmp_path / "run", input="jsonl", paths=[str(path)]))


def test_hf_dataset_rows(tmp_path):
    records = _records()
    for r in records:
        r["license"] = r["license"] if isinstance(r["license"], list) else [r["license"]]
        r.setdefault("path", None)
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "code.parquet")
    run = extract_code(tmp_path / "run", input="hf", paths=[str(tmp_path / "code.parquet")])
    docs = rows(run)
    assert [(d["lang"], d["meta"]["license"]) for d in docs] == [
        ("code-python", ["MIT"]),
        ("code-cpp", ["Apache-2.0"]),
    ]
    assert sorted(e["reason"] for e in errors(run)) == ["missing_path", "not_code", "vendored"]
    assert_balanced(run)


def test_hf_needs_one_dataset(tmp_path):
    pq.write_table(pa.Table.from_pylist(_records()[:1]), tmp_path / "code.parquet")
    with pytest.raises(UserError, match="exactly one dataset"):
        extract_code(tmp_path / "run", input="hf", paths=[str(tmp_path / "code.parquet")] * 2)


def test_licences_permissive_by_default_with_allow_and_deny_lists(tmp_path):
    records = [
        {"content": PYTHON, "path": f"m{i}.py", "repo": "org/a", "license": lic}
        for i, lic in enumerate(["mit", "GPL-3.0", ["gpl-2.0", "Apache-2.0"], None, "AGPL-3.0"])
    ]
    path = tmp_path / "code.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    def kept(out: str, **source: Any) -> list[str]:
        run = extract_code(tmp_path / out, input="jsonl", paths=[str(path)], **source)
        assert_balanced(run)
        assert {e["reason"] for e in errors(run)} <= {"license"}
        return [d["meta"]["path"] for d in rows(run)]

    assert kept("default") == ["m0.py", "m2.py", "m3.py"]  # permissive (any case), mixed, unknown
    assert kept("gpl", licenses_allow=None, licenses_deny=["agpl-3.0"], keep_unlicensed=False) == [
        "m0.py",
        "m1.py",
        "m2.py",
    ]
    assert kept("strict", licenses_deny=["GPL-2.0"], keep_unlicensed=False) == ["m0.py"]
