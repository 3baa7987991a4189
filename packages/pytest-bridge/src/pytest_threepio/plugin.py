"""The pytest plugin: pytest hooks in, threepio events (docs/design.md, schema version 2) out.

Installed, it is loaded by every pytest run (entry point ``threepio`` in ``pytest11``) and stays
inert unless the run asks for it with ``-p threepio`` or runs under ``threepio run`` (which lends
this package through PYTHONPATH where it is not installed: see ``session_plugin``). Then it runs on the controller only (never
in xdist workers), writes events.jsonl itself, and starts the log writer (``threepio ingest``, a
Node process in its own session) to keep the per-file logs and summaries up to date. Without
Node, events.jsonl is still complete.

No hook of this plugin raises into pytest: threepio's own trouble is one warning on stderr and a
``diagnostic`` event, and the run's outcome, exit status and output stay as without it.

It reports facts only: which file a test belongs to (its path relative to rootdir), how each
phase ended, which files failed to collect or were skipped as a whole. Counting and statuses of
files and runs are the log writer's (RunState), from these events.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable, TypeVar, cast

import pytest

from pytest_threepio._shared import NAMES, SESSION_ENV
from pytest_threepio.counts import TestCounts
from pytest_threepio.events import EventWriter
from pytest_threepio.identity import Identities, posix
from pytest_threepio.log_writer import LogWriter, closing_line
from pytest_threepio.options import Options, pytest_addoption, resolve_options
from pytest_threepio.progress import FileProgress
from pytest_threepio.reports import error_of, skip_reason
from pytest_threepio.results import run_outcome, run_start
from pytest_threepio.run_dir import create_run_dir, point_latest, release
from pytest_threepio.running import RunningTests

__all__ = ["pytest_addoption", "pytest_configure"]

F = TypeVar("F", bound=Callable[..., Any])


def _guarded(fn: F) -> F:
    """A hook of the recorder that never raises into pytest: trouble becomes one warning."""

    @functools.wraps(fn)
    def guarded(self: Recorder, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except Exception as err:  # anything of ours; KeyboardInterrupt and exits pass through
            self.problem(f"{fn.__name__} failed: {err!r}")
            return None

    return cast(F, guarded)


def requested(config: pytest.Config) -> bool:
    """Whether the run asked for threepio: ``-p threepio`` on the command line or in addopts, or
    a ``threepio run`` session around it."""
    if os.environ.get(SESSION_ENV["dir"]):
        return True
    for namespace in (getattr(config, "known_args_namespace", None), config.option):
        plugins = getattr(namespace, "plugins", None) or []
        if "threepio" in plugins:
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    # Installed but not asked for: nothing at all. xdist workers report to the controller.
    if not requested(config) or hasattr(config, "workerinput"):
        return
    try:
        options = resolve_options(config, os.environ)
        recorder = Recorder(config, options)
    except Exception as err:  # never break the run
        sys.stderr.write(f"threepio: warning: not recording this run: {err!r}\n")
        return
    config.pluginmanager.register(recorder, "threepio-recorder")


class Recorder:
    """Turns one pytest session into one threepio run."""

    def __init__(self, config: pytest.Config, options: Options) -> None:
        self.config = config
        root = Path(str(config.rootpath))
        out = options.output_dir
        self.output_dir = Path(out) if os.path.isabs(out) else root / out
        self.keep_runs = options.keep_runs
        self.quiet = options.quiet
        self.github = {"annotations": options.github_annotations, "summary": options.github_summary}
        root = Path(str(config.rootpath))
        self.exports = {name: str(root / path) for name, path in (("junit", options.junit), ("ctrf", options.ctrf)) if path}
        self.sidecar_wait = options.sidecar_timeout
        # Option problems: one warning each, written once the run has started (they are few).
        self.option_warnings = options.warnings
        self.warned_early = False
        self.sigterm_pending = False
        self.writer: EventWriter | None = None
        self.run_dir: Path | None = None
        self.log_writer: LogWriter | None = None
        self.start = time.time()
        self.running: RunningTests | None = None  # from session start, while recording
        self.counts = TestCounts()  # for the closing line when the log writer cannot run
        self.rel_cache: dict[Any, str] = {}
        self.ids = Identities(self.rel)
        self.progress = FileProgress(self.ids, self.emit)
        self.collect_handled: set[int] = set()
        self.collection_errors = 0
        self.internal_error: str | None = None
        self.ended = False
        self.previous_sigterm: Any = None
        self.status = "running"

    # --- session -------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    @_guarded
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        for warning in self.option_warnings:
            sys.stderr.write(f"threepio: warning: {warning}\n")
        try:
            self.run_id, self.run_dir = create_run_dir(self.output_dir)
            self.writer = EventWriter(str(self.run_dir / NAMES["events"]))
        except (OSError, ValueError) as err:  # ValueError: a bad THREEPIO_SIMULATE_FAULT
            sys.stderr.write(f"threepio: warning: not recording this run: {err}\n")
            return
        self.running = RunningTests(self.writer, self.ids, self.progress, self.counts, str(self.config.rootpath))
        self.emit(run_start(self.run_id, str(self.config.rootpath)))
        self.writer.flush()  # on disk before collection starts: a kill from here on leaves a run
        try:
            point_latest(self.output_dir, self.run_id)
        except OSError as err:
            sys.stderr.write(f"threepio: warning: could not update {self.output_dir / NAMES['latest']}: {err}\n")
        self.log_writer = LogWriter(self.run_dir, self.keep_runs, self.exports, self.sidecar_wait)
        self.log_writer.start(self.writer)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            self.previous_sigterm = signal.signal(signal.SIGTERM, self.on_sigterm)

    def on_sigterm(self, signum: int, frame: Any) -> None:
        """SIGTERM: finish the record, then die of the signal as pytest would have. The work
        waits for the event writer if the signal interrupted it (see events.py)."""
        if self.writer is None:
            self.die_of_sigterm()
        else:
            self.writer.run_when_safe(self.terminate)

    def terminate(self) -> None:
        if self.ended and self.writer is not None and not self.writer.closed:
            # The session is being finished on the main thread: die once that is done.
            self.sigterm_pending = True
            return
        self.finish("interrupted", "received SIGTERM")  # flushes and fsyncs
        self.die_of_sigterm()

    @staticmethod
    def die_of_sigterm() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    # --- collection ----------------------------------------------------------------------------

    def rel(self, path: Any) -> str:
        """A path relative to rootdir, POSIX (``../`` when outside it), as events carry files."""
        rel = self.rel_cache.get(path)
        if rel is None:
            rel = posix(os.path.relpath(os.fspath(path), self.config.rootpath))
            self.rel_cache[path] = rel
        return rel

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Any:
        """Collection errors and whole-file skips, with the collector's own path."""
        report = yield
        try:
            if report.failed or (report.skipped and isinstance(collector, pytest.File)):
                self.collect_handled.add(id(report))
                # A test file by its path; anything else (a directory's conftest, a class) by its id.
                where = self.rel(collector.path) if isinstance(collector, pytest.File) else report.nodeid
                self.collect_problem(where, report)
        except Exception as err:  # never break collection
            self.problem(f"recording a collection result failed: {err!r}")
        return report

    @_guarded
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # Under xdist, collection reports come from the workers: the node id is all there is.
        if id(report) in self.collect_handled or not report.nodeid or report.passed:
            return
        self.collect_problem(report.nodeid, report)

    def collect_problem(self, file: str, report: pytest.CollectReport) -> None:
        if self.progress.ended(file):
            return
        self.progress.start(file)
        event: dict[str, Any] = {"type": "file-end", "file": file}
        if report.failed:
            self.collection_errors += 1
            event["failedToLoad"] = True
            event["error"] = error_of(report) or {"message": "collection failed"}
        else:
            event["skipReason"] = skip_reason(report) or ""
        self.progress.end(file, event)

    @_guarded
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.ids.collected(session.items)

    @pytest.hookimpl(optionalhook=True)
    @_guarded
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        # The controller has no items: files come from the reports' locations as they arrive.
        self.ids.collected_ids(ids)

    def problem(self, message: str) -> None:
        """threepio's own trouble: one warning for the run, a diagnostic event each time."""
        line = f"threepio: warning: {message} (the test run goes on)\n"
        if self.writer is None:
            if not self.warned_early:
                self.warned_early = True
                sys.stderr.write(line)
            return
        self.writer.warn(line)
        if not self.writer.closed:
            self.emit({"type": "diagnostic", "level": "error", "message": message, "code": "EREPORTER"})

    # --- tests: the running tests' own module turns their reports into events ---------------

    @_guarded
    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        if self.running is not None:
            self.running.start(nodeid, location)

    @_guarded
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.running is not None:
            self.running.report(report)

    @_guarded
    def pytest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        if self.running is not None:
            self.running.finish(nodeid, location)

    # --- end -----------------------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    @_guarded
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        status, reason = run_outcome(int(exitstatus), self.collection_errors, bool(self.progress.reported), self.internal_error)
        self.finish(status, reason)

    @_guarded
    def pytest_internalerror(self, excrepr: Any, excinfo: Any) -> None:
        lines = str(excrepr).strip().splitlines()
        self.internal_error = lines[-1].removeprefix("E   ").strip() if lines else "unknown"

    def finish(self, status: str, reason: str) -> None:
        if self.ended or self.writer is None:
            return
        self.ended = True
        self.status = status
        if self.running is not None:
            self.running.cut_short()
        self.progress.end_all(interrupted=status == "interrupted")
        self.emit({"type": "run-end", "status": status, "durationMs": round((time.time() - self.start) * 1000, 3), "reason": reason})
        self.writer.close()
        if self.sigterm_pending:
            self.die_of_sigterm()

    @_guarded
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.writer is None:
            return
        self.finish("interrupted", "pytest stopped before the session finished")
        if self.previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self.previous_sigterm)
        finished = self.log_writer is not None and self.log_writer.wait(self.writer)
        if not self.quiet:
            # After pytest's own summary, even when stdout is a buffered pipe shared with stderr.
            sys.stdout.flush()
            sys.stderr.write(self.closing_line(finished) + "\n")
            sys.stderr.flush()
        if finished and self.log_writer is not None:
            self.log_writer.report_to_github(self.github)
        assert self.run_dir is not None
        release(self.run_dir)

    def closing_line(self, finished: bool) -> str:
        assert self.run_dir is not None
        no_node = self.log_writer.no_node if self.log_writer else None
        return closing_line(self.run_dir, finished, self.status, self.counts.words(), time.time() - self.start, no_node)

    def emit(self, event: dict[str, Any]) -> None:
        if self.writer is not None:
            self.writer.emit(event)
