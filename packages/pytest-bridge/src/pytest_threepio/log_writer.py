"""The log writer beside pytest: ``threepio ingest``, a Node process of its own that keeps the
run directory's logs and summaries up to date from events.jsonl, and the closing line it words.
Without Node, events.jsonl is still complete, and the closing line says how to finish the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from pytest_threepio import find_node, report_command
from pytest_threepio._shared import NAMES
from pytest_threepio._sidecar_path import log_writer_script
from pytest_threepio.events import EventWriter


class LogWriter:
    """The log writer process of one run."""

    def __init__(self, run_dir: Path, keep_runs: int, exports: dict[str, str], timeout: float) -> None:
        self.run_dir = run_dir
        self.keep_runs = keep_runs
        self.exports = exports
        self.timeout = timeout
        #: Why there is no log writer: Node or the bundled log writer is missing.
        self.no_node: str | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.forwarder: threading.Thread | None = None

    def start(self, writer: EventWriter) -> None:
        """Starts ``threepio ingest`` on the run directory; its warnings become the run's one."""
        node = find_node()
        script = log_writer_script()
        if not node or not script.exists():
            self.no_node = "Node.js was not found (set THREEPIO_NODE, install pytest-threepio[node], or put node on PATH)" if not node else f"the log writer {script} is missing from this installation"
            return
        args = [node, str(script), "ingest", str(self.run_dir), "--pid", str(os.getpid()), "--keep", str(self.keep_runs)]
        for name, path in self.exports.items():
            args += [f"--{name}", path]
        try:
            # Its own session: a Ctrl+C in the terminal must not stop it before it has flushed.
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as err:
            sys.stderr.write(f"threepio: warning: could not start the log writer ({err}); events.jsonl is still complete.\n")
            return
        self.forwarder = threading.Thread(target=self._forward, args=(self.process.stderr, writer), name="threepio-log-writer-stderr", daemon=True)
        self.forwarder.start()

    def _forward(self, stream: Any, writer: EventWriter) -> None:
        """The log writer's stderr, with its warnings folded into the run's one warning."""
        try:
            for raw in stream:
                line = raw.decode("utf-8", "replace")
                if line.startswith("threepio: warning:"):
                    writer.warn(line)
                else:
                    sys.stderr.write(line)
        except (OSError, ValueError):
            pass  # pytest's stderr or the pipe went away: the run directory matters more
        finally:
            stream.close()

    def wait(self, writer: EventWriter) -> bool:
        """Waits for the log writer to finish the run directory; whether it did."""
        if self.process is None:
            return False
        if not writer.complete:
            # run-end never reached events.jsonl (the disk refused it): the log writer finishes
            # once it sees that pytest is gone, so do not wait for it.
            return False
        try:
            self.process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            writer.warn(f"threepio: warning: the log writer did not finish within {self.timeout:g} s; `{report_command()} report {self.run_dir}` completes the run directory.\n")
            return False
        if self.forwarder is not None:
            self.forwarder.join(timeout=1)  # its last lines, once it has exited
        return True

    def report_to_github(self, github: dict[str, bool]) -> None:
        """Under GitHub Actions: failure annotations and the step summary (`threepio github`)."""
        if os.environ.get("GITHUB_ACTIONS") != "true" or not any(github.values()):
            return
        node = find_node()
        if not node:
            return
        env = {
            **os.environ,
            "THREEPIO_GITHUB_ANNOTATIONS": str(github["annotations"]).lower(),
            "THREEPIO_GITHUB_SUMMARY": str(github["summary"]).lower(),
            "THREEPIO_PROG": report_command(),
        }
        try:
            done = subprocess.run([node, str(log_writer_script()), "github", str(self.run_dir)], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=self.timeout)
        except (OSError, subprocess.TimeoutExpired) as err:
            sys.stderr.write(f"threepio: warning: could not report to GitHub Actions: {err}\n")
            return
        sys.stderr.write(done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace"))
        sys.stderr.flush()


def closing_line(run_dir: Path, finished: bool, status: str, words: str, seconds: float, no_node: str | None) -> str:
    """The log writer's headline from run.json (it alone counts); without it, where the events are."""
    summary: dict[str, Any] = {}
    if finished:
        try:
            summary = json.loads((run_dir / NAMES["summaryJson"]).read_text("utf-8"))
        except (OSError, ValueError):
            pass
    if summary.get("closing"):
        # The log writer's own words, as the JavaScript reporters print them.
        return f"threepio: {summary['closing']} · {_shown(run_dir / NAMES['summaryMd'])}"
    events = _shown(run_dir / NAMES["events"])
    why = no_node or "the log writer did not finish"
    then = "with Node.js installed, " if no_node else ""
    return f"threepio: {status.upper()} · {words} · {seconds:.1f} s · logs and summary not written: {why}. Every event is in {events}; {then}`{report_command()} report {_shown(run_dir)}` writes them."


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
