"""``roots dashboard RUN``: check the run and the port, then serve the Streamlit app (this machine only by default)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
from pathlib import Path

from roots.atomic import write_text
from roots.errors import UserError
from roots.layout import STAGES, RunLayout
from roots.visualizer import fonts

APP = Path(__file__).with_name("app.py")
FONTS_ENV = "ROOTS_DASHBOARD_FONTS"  # JSON: script name -> font file served under /app/static/fonts/
MISSING_FONTS_ENV = "ROOTS_DASHBOARD_MISSING_FONTS"


def serving_dir() -> Path:
    """A folder of this machine's cache holding a one-line script that runs ``app.py`` and, beside it,
    the ``static/`` folder Streamlit serves (the fonts); one per installed copy of roots."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(APP).encode()).hexdigest()[:12]
    return cache / "roots" / f"dashboard-{key}"


def prepare_serving(folder: Path) -> tuple[Path, dict[str, str], str]:
    """The script to serve, the fonts served per script, and the start-up note on scripts without a font."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "dashboard.py"
    write_text(script, f"import runpy\nrunpy.run_path({str(APP)!r}, run_name='__main__')\n")
    found = fonts.find_fonts()
    return script, fonts.publish(found, folder / "static"), fonts.missing_message(found)


def streamlit_command(
    run_dir: Path, *, port: int, host: str, languages_dir: Path | None, script: Path = APP
) -> list[str]:
    """The ``streamlit run`` command line that serves the dashboard on ``host:port``."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no developer menu ("Deploy") for reviewers
        "--server.enableStaticServing",
        "true",  # the fonts in static/fonts beside the served script
        "--",
        "--run",
        str(run_dir.resolve()),
    ]
    if languages_dir is not None:
        command += ["--languages-dir", str(languages_dir.resolve())]
    return command


def check_run(run_dir: Path) -> None:
    """The run must exist and hold the output of at least one stage."""
    run = RunLayout(run_dir)
    if not run.root.is_dir():
        raise UserError(f"{run_dir}: run directory not found; pass the --out folder of `roots extract`")
    if not any(run.stage(s).path.is_dir() for s in STAGES):
        raise UserError(
            f"{run_dir}: no stage output found; run `roots extract … --out {run_dir}` and `roots filter {run_dir}` first"
        )


def check_port(host: str, port: int) -> None:
    """Fail with one line when the address cannot be bound (port in use, unknown host)."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise UserError(
            f"--port {port} --host {host}: cannot listen there ({exc.strerror}); pick another --port"
        ) from None


def launch(
    run_dir: Path, *, port: int = 8501, host: str = "127.0.0.1", languages_dir: Path | None = None
) -> None:
    """Serve the dashboard until interrupted."""
    check_run(run_dir)
    if languages_dir is not None and not languages_dir.is_dir():
        raise UserError(
            f"--languages-dir {languages_dir}: folder not found; pass the folder of <lang>.yaml configs"
        )
    check_port(host, port)
    script, served, missing = prepare_serving(serving_dir())
    os.environ[FONTS_ENV] = json.dumps(served)
    os.environ[MISSING_FONTS_ENV] = missing
    if missing:
        print(f"roots dashboard: {missing}", file=sys.stderr, flush=True)
    print(f"roots dashboard: http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    command = streamlit_command(run_dir, port=port, host=host, languages_dir=languages_dir, script=script)
    # replace this process: Ctrl-C and kill reach Streamlit directly and leave no orphan server behind
    os.execv(command[0], command)
