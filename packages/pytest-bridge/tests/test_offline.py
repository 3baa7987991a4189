"""``ls`` and ``show`` without Node.js: what is on disk, in the log writer's own words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _command(args: list[str], node: bool, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("THREEPIO_NODE", "FORCE_COLOR", "NO_COLOR")}
    if not node:
        env["PATH"] = os.path.dirname(sys.executable)  # no node on PATH
    return subprocess.run([sys.executable, "-m", "pytest_threepio", *args], capture_output=True, text=True, check=False, cwd=cwd, env=env)


def test_ls_and_show_read_the_log_writers_summary_the_same_without_node(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(test_x="def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n")
    run = run_threepio()
    out = run.run_dir.parent.parent
    with_node = _command(["ls", "--dir", str(out)], True, pytester.path)
    without = _command(["ls", "--dir", str(out)], False, pytester.path)
    assert with_node.returncode == 0 and without.returncode == 0, without.stderr
    assert without.stdout == with_node.stdout  # the same line: id, status, runner, headline, duration
    assert "FAILED" in without.stdout and "1 failed, 1 passed" in without.stdout
    shown = _command(["show", "--dir", str(out)], False, pytester.path)
    assert shown.stdout == (run.run_dir / "test-run.md").read_text("utf-8")
    as_json = _command(["show", run.run_dir.name[:12], "--json", "--dir", str(out)], False, pytester.path)
    assert as_json.stdout == (run.run_dir / "run.json").read_text("utf-8")


def test_a_run_never_summarised_is_listed_with_its_status_and_show_says_what_to_do(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_bad():\n    assert 0\n")
    out = pytester.path / ".3pio"
    env_path = os.environ["PATH"]
    os.environ["PATH"] = os.path.dirname(sys.executable)
    try:
        pytester.runpytest_subprocess("-p", "threepio", "-p", "no:cacheprovider", "--threepio-dir", str(out))
    finally:
        os.environ["PATH"] = env_path
    listed = _command(["ls", "--dir", str(out)], False, pytester.path)
    assert listed.returncode == 0
    assert "FAILED" in listed.stdout and "summary not written (the log writer needs Node.js)" in listed.stdout
    shown = _command(["show", "--dir", str(out)], False, pytester.path)
    assert shown.returncode == 1 and "test-run.md is not written: Node.js was not found" in shown.stderr
    assert "events.jsonl" in shown.stderr and "`report " in shown.stderr
    other = _command(["follow", "--dir", str(out)], False, pytester.path)
    assert other.returncode == 1 and "Node.js was not found" in other.stderr
