"""The run directory on the pytest side: created under the output directory with a fresh run id,
named the newest run, and let go once the log writer is done with it. The names come from
@threepio/core through ``_shared.json``."""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

from pytest_threepio._shared import GITIGNORE_TEXT, NAMES, RUN_ID_RANDOM_HEX, RUN_ID_STRFTIME, SESSION_ENV, SESSION_RUNS


def create_run_dir(output_dir: Path) -> tuple[str, Path]:
    """A new run directory (with its logs/) under ``output_dir``: its run id and path. Raises OSError."""
    runs = output_dir / NAMES["runs"]
    runs.mkdir(parents=True, exist_ok=True)
    _write_gitignore(output_dir)
    for _ in range(20):
        run_id = _run_id()
        try:
            (runs / run_id).mkdir()
            break
        except FileExistsError:
            continue
    run_dir = runs / run_id
    (run_dir / NAMES["logs"]).mkdir()
    join_session(run_dir)
    return run_id, run_dir


def join_session(run_dir: Path) -> None:
    """Under ``threepio run``: one line in the session's list of runs (never fails the run)."""
    session = os.environ.get(SESSION_ENV["dir"])
    if not session:
        return
    try:
        with open(Path(session) / SESSION_RUNS, "a", encoding="utf-8") as f:
            f.write(f"{run_dir}\n")
    except OSError:
        pass


def point_latest(output_dir: Path, run_id: str) -> None:
    """``latest`` and ``runs/latest`` name this run. Raises OSError."""
    _atomic_write(output_dir / NAMES["latest"], run_id + "\n")
    _link_latest(output_dir / NAMES["runs"], run_id)


def release(run_dir: Path) -> None:
    """The log writer left the run spared from retention for this process: done with it now."""
    marker = run_dir / NAMES["workerMarker"]
    try:
        if marker.read_text("utf-8").strip() == str(os.getpid()):
            marker.unlink()
    except OSError:
        pass


def _run_id() -> str:
    return datetime.now(timezone.utc).strftime(RUN_ID_STRFTIME) + secrets.token_hex(RUN_ID_RANDOM_HEX // 2)


def _write_gitignore(output_dir: Path) -> None:
    """The output directory's own .gitignore, unless there is one (never fails the run)."""
    try:
        with open(output_dir / NAMES["gitignore"], "x", encoding="utf-8") as f:
            f.write(GITIGNORE_TEXT)
    except OSError:
        pass


def _link_latest(runs: Path, run_id: str) -> None:
    """``runs/latest`` → the newest run directory, replaced atomically (where symlinks work)."""
    link = runs / NAMES["latestLink"]
    tmp = runs / f"{NAMES['latestLink']}.{os.getpid()}.tmp"
    try:
        os.symlink(run_id, tmp, target_is_directory=True)
        os.replace(tmp, link)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
