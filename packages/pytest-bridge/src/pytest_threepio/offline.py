"""``ls`` and ``show`` without Node.js: read from what is on disk. run.json and test-run.md where
the log writer wrote them (its own words, nothing recounted here), else the first and last lines
of events.jsonl: the run's id, runner and status. Every other command needs the log writer."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from pytest_threepio._shared import NAMES, RUN_ID_RANDOM_HEX, RUN_ID_STRFTIME

DEFAULT_OUTPUT_DIR = ".3pio"
#: A run directory's name: the run id's time format and its random hex digits.
_RUN_ID = re.compile(re.sub(r"%[Ymd HMS]", lambda m: r"\d{4}" if m.group() == "%Y" else r"\d{2}", RUN_ID_STRFTIME) + f"[0-9a-f]{{{RUN_ID_RANDOM_HEX}}}")


class Refused(Exception):
    """A command this module cannot answer well: the message says why and what to do."""


def answer(args: list[str], no_node: str) -> int | None:
    """Runs ``ls`` or ``show`` from disk; None for a command that needs the log writer."""
    if not args or args[0] not in ("ls", "show"):
        return None
    command, rest = args[0], args[1:]
    try:
        positionals, dir_arg, as_json = _parse(rest)
        output_dir = Path(dir_arg or os.environ.get("THREEPIO_DIR", "").strip() or DEFAULT_OUTPUT_DIR)
        if command == "ls":
            if positionals:
                raise Refused(f'ls takes no run; received "{positionals[0]}"')
            return _ls(output_dir, as_json)
        if len(positionals) > 1:
            raise Refused(f'show takes one run; received "{positionals[1]}"')
        return _show(_find_run(output_dir, positionals[0] if positionals else None), as_json, no_node)
    except Refused as err:
        sys.stderr.write(f"pytest-threepio: {err}\n")
        return 1


def _parse(args: list[str]) -> tuple[list[str], str | None, bool]:
    positionals: list[str] = []
    dir_arg: str | None = None
    as_json = False
    it = iter(args)
    for a in it:
        if a == "--json":
            as_json = True
        elif a == "--dir":
            dir_arg = next(it, None)
            if not dir_arg:
                raise Refused("--dir needs a value: --dir <dir>")
        elif a.startswith("--dir="):
            dir_arg = a[len("--dir=") :]
        elif a.startswith("-"):
            raise Refused(f'"{a}" needs the log writer (Node.js); without it, ls and show take --dir and --json')
        else:
            positionals.append(a)
    return positionals, dir_arg, as_json


def _run_ids(output_dir: Path) -> list[str]:
    try:
        names = os.listdir(output_dir / NAMES["runs"])
    except OSError:
        return []
    return sorted(n for n in names if _RUN_ID.fullmatch(n))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _events_ends(path: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """run-start and run-end, from the first and the last line of events.jsonl."""
    try:
        with path.open("rb") as f:
            first = f.readline()
            f.seek(max(0, path.stat().st_size - 65536))
            tail = f.read().splitlines()
    except OSError:
        return None, None

    def parsed(line: bytes) -> dict[str, Any] | None:
        try:
            value = json.loads(line)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    start = parsed(first)
    end = parsed(tail[-1]) if tail else None
    return (start if start and start.get("type") == "run-start" else None, end if end and end.get("type") == "run-end" else None)


def _listing(run_dir: Path) -> dict[str, Any]:
    summary = _read_json(run_dir / NAMES["summaryJson"])
    if summary is not None:
        runner = summary.get("runner")
        closing = str(summary.get("closing", ""))
        return {
            "runId": run_dir.name,
            "status": summary.get("status", "UNKNOWN"),
            "runner": f"{runner['name']} {runner['version']}" if isinstance(runner, dict) else None,
            "headline": summary.get("headline"),
            # The log writer's own words for the duration: the closing line's last part.
            "took": closing.rsplit(" · ", 1)[-1] if " · " in closing else "",
        }
    start, end = _events_ends(run_dir / NAMES["events"])
    runner = start.get("runner") if start else None
    return {
        "runId": run_dir.name,
        "status": str(end["status"]).upper() if end else "INCOMPLETE",
        "runner": f"{runner['name']} {runner['version']}" if isinstance(runner, dict) else None,
        "headline": "summary not written (the log writer needs Node.js)",
        "took": "",
    }


def _ls(output_dir: Path, as_json: bool) -> int:
    runs = [_listing(output_dir / NAMES["runs"] / run_id) for run_id in reversed(_run_ids(output_dir))]
    if as_json:
        sys.stdout.write(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    elif not runs:
        sys.stdout.write(f"no runs in {output_dir.resolve()}\n")
    for r in [] if as_json else runs:
        parts = [r["runId"], str(r["status"]).ljust(11), r["runner"] or "", r["headline"] or "", r["took"]]
        sys.stdout.write("  ".join(p for p in parts if p) + "\n")
    return 0


def _find_run(output_dir: Path, arg: str | None) -> Path:
    if arg and ("/" in arg or arg.startswith(".")) and (Path(arg) / NAMES["events"]).exists():
        return Path(arg)
    ids = _run_ids(output_dir)
    if not arg or arg == "latest":
        try:
            latest = (output_dir / NAMES["latest"]).read_text("utf-8").strip()
        except OSError:
            latest = ids[-1] if ids else ""
        if not latest:
            raise Refused(f"no runs in {output_dir.resolve()}; run pytest -p threepio first, or pass --dir")
        return output_dir / NAMES["runs"] / latest
    matches = [i for i in ids if i.startswith(arg)]
    if len(matches) != 1:
        raise Refused(f'"{arg}" matches {len(matches)} runs in {output_dir.resolve()}; ls lists them')
    return output_dir / NAMES["runs"] / matches[0]


def _show(run_dir: Path, as_json: bool, no_node: str) -> int:
    path = run_dir / NAMES["summaryJson" if as_json else "summaryMd"]
    try:
        sys.stdout.write(path.read_text("utf-8"))
        return 0
    except OSError:
        pass
    events = run_dir / NAMES["events"]
    raise Refused(f"{path} is not written: {no_node}. Every event of the run is in {events}; with Node.js installed, `report {run_dir}` writes the summary.")
