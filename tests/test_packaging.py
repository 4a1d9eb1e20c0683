"""Packaging: the language configs, demo texts and filter data travel in the wheel; shipped configs can be
exported and a user's folder overrides them. (scripts/check_wheel.sh installs the wheel and runs it.)"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from roots import packaged
from roots.errors import UserError
from roots.filters.stage import resolve_languages_dir
from tests.conftest import REPO, run_roots


@pytest.mark.slow
def test_wheel_carries_language_configs_demo_texts_and_filter_data(tmp_path: Path) -> None:
    # build from a copy without .git or build/: what gets in must come from the build configuration alone
    src = tmp_path / "src"
    subprocess.run(
        f"mkdir {src} && tar -C {REPO} --exclude=./.git --exclude=./build --exclude='*.egg-info' "
        f"--exclude=__pycache__ -cf - . | tar -C {src} -xf -",
        shell=True,
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("roots-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    configs = {p.name for p in (REPO / "configs" / "languages").glob("*.yaml")}
    assert {f"roots/configs_languages/{n}" for n in configs} <= names
    assert {f"roots/demo/texts/{p.name}" for p in (REPO / "roots" / "demo" / "texts").glob("*.txt")} <= names
    assert {f"roots/filters/data/{p.name}" for p in (REPO / "roots" / "filters" / "data").glob("*.txt")} <= names


def test_checkout_uses_its_own_configs_folder() -> None:
    assert packaged.languages_dir() == REPO / "configs" / "languages"


def test_default_languages_dir_is_the_shipped_one_from_any_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no configs/languages here
    assert resolve_languages_dir("configs/languages") == packaged.languages_dir()
    own = tmp_path / "mine"
    own.mkdir()
    assert resolve_languages_dir(str(own)) == own.resolve()  # a user's folder overrides
    with pytest.raises(UserError, match="folder not found"):
        resolve_languages_dir(str(tmp_path / "missing"))


def test_installed_without_packaged_configs_is_one_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(packaged, "checkout_root", lambda: None)  # as installed, but the data folder is absent
    with pytest.raises(UserError, match="language configs are missing"):
        packaged.languages_dir()


def test_languages_export_copies_the_shipped_configs_and_keeps_edits(tmp_path: Path) -> None:
    dest = tmp_path / "langs"
    result = run_roots("languages", "export", str(dest), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shipped = REPO / "configs" / "languages"
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == {
        p.name: p.read_bytes() for p in shipped.glob("*.yaml")
    }
    (dest / "en.yaml").write_text("# my edit\n", encoding="utf-8")
    again = run_roots("languages", "export", str(dest), cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0 and "--overwrite" in again.stderr
    assert (dest / "en.yaml").read_text(encoding="utf-8") == "# my edit\n"
    forced = run_roots("languages", "export", str(dest), "--overwrite", cwd=tmp_path)
    assert forced.returncode == 0 and (dest / "en.yaml").read_bytes() == (shipped / "en.yaml").read_bytes()


def test_version() -> None:
    result = run_roots("--version")
    assert result.returncode == 0 and "0.1.0" in result.stdout
