"""The pytest plugin: pytest hooks in, threepio events (docs/design.md, schema version 2) out.

Installed, it is loaded by every pytest run (entry point ``threepio`` in ``pytest11``) and stays
inert unless the run asks for it with ``-p threepio``. Then it runs on the controller only (never
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

import ast
import functools
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, TypeVar, cast

import pytest
from _pytest._io import TerminalWriter
from _pytest.reports import BaseReport

from pytest_threepio import find_node, package_version, report_command
from pytest_threepio._shared import GITIGNORE_TEXT, NAMES, RUN_ID_RANDOM_HEX, RUN_ID_STRFTIME, SCHEMA_VERSION
from pytest_threepio._sidecar_path import SIDECAR
from pytest_threepio.ci import ci_of
from pytest_threepio.counts import TestCounts
from pytest_threepio.events import MAX_TEXT, EventWriter, members, quote
from pytest_threepio.identity import Identities, Test, posix, split
from pytest_threepio.options import Options, pytest_addoption, resolve_options

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
    """Whether the run asked for threepio: ``-p threepio`` on the command line or in addopts."""
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


def _skip_reason(report: BaseReport) -> str | None:
    """The reason of a skip, as pytest -rs shows it (without its ``Skipped: `` prefix)."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason[len("Skipped: ") :] if reason.startswith("Skipped: ") else reason
    return None


def _unquoted(value: Any) -> Any:
    """``"'1'"`` → ``'1'``: one layer of repr off a value that has one too many."""
    try:
        inner = ast.literal_eval(value) if isinstance(value, str) else value
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value
    return inner if isinstance(inner, str) else value


def _failing_line(report: BaseReport, path: str) -> int | None:
    """The line of ``path`` in the failure's traceback nearest to where it failed."""
    entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", None) or []
    target = os.path.realpath(path)
    for entry in reversed(entries):
        where = getattr(entry, "reprfileloc", None)
        if where is not None and os.path.realpath(where.path) == target:
            return int(where.lineno)
    return None


def _longrepr_text(report: BaseReport) -> str:
    """The failure as pytest prints it. (``report.longreprtext`` strips it, and with it the first
    line's indentation: ``def test_x():`` above ``>       assert …``.)"""
    try:
        out = io.StringIO()
        writer = TerminalWriter(out)
        writer.hasmarkup = False
        report.toterminal(writer)
        return out.getvalue().rstrip().lstrip("\n")
    except Exception:  # pytest's own text, if printing it here fails
        return report.longreprtext


def _error(report: BaseReport) -> dict[str, str] | None:
    longrepr = report.longrepr
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        return {"message": str(longrepr[2])}
    text = _longrepr_text(report)
    crash = getattr(longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if not message:
        message = text.splitlines()[-1] if text else str(longrepr)
    return {"message": message, "stack": text} if text and text != message else {"message": message}


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
        self.no_node: str | None = None
        self.warned_early = False
        self.sigterm_pending = False
        self.writer: EventWriter | None = None
        self.run_dir: Path | None = None
        self.sidecar: subprocess.Popen[bytes] | None = None
        self.start = time.time()
        self.tests: dict[str, dict[str, Any]] = {}  # test id → phase results while it runs
        self.reported: set[str] = set()  # test ids with a final test-end (retries report again)
        self.counts = TestCounts()  # for the closing line when the log writer cannot run
        self.files: dict[str, dict[str, Any]] = {}  # file → start, ended
        self.done: dict[str, int] = {}  # progress unit → its tests reported
        self.unit_files: dict[str, set[str]] = {}  # progress unit → the files of its tests
        self.rel_cache: dict[Any, str] = {}
        self.ids = Identities(self.rel)
        self.collect_handled: set[int] = set()
        self.collection_errors = 0
        self.internal_error: str | None = None
        self.ended = False
        self.previous_sigterm: Any = None
        self.forwarder: threading.Thread | None = None
        self.status = "running"

    # --- session -------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    @_guarded
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        for warning in self.option_warnings:
            sys.stderr.write(f"threepio: warning: {warning}\n")
        try:
            runs = self.output_dir / NAMES["runs"]
            runs.mkdir(parents=True, exist_ok=True)
            _write_gitignore(self.output_dir)
            for _ in range(20):
                run_id = _run_id()
                try:
                    (runs / run_id).mkdir()
                    break
                except FileExistsError:
                    continue
            self.run_id = run_id
            self.run_dir = runs / run_id
            (self.run_dir / NAMES["logs"]).mkdir()
            self.writer = EventWriter(str(self.run_dir / NAMES["events"]))
        except (OSError, ValueError) as err:  # ValueError: a bad THREEPIO_SIMULATE_FAULT
            sys.stderr.write(f"threepio: warning: not recording this run: {err}\n")
            return
        self.emit(
            {
                "type": "run-start",
                "schema": SCHEMA_VERSION,
                "runId": self.run_id,
                "runner": {"name": "pytest", "version": pytest.__version__},
                "reporter": {"name": "pytest-threepio", "version": package_version()},
                "rootDir": str(self.config.rootpath),
                "cwd": os.getcwd(),
                # As typed (`python -m pytest …`), where Python keeps it (3.10+).
                "argv": list(getattr(sys, "orig_argv", None) or sys.argv),
                "pid": os.getpid(),
                **({"ci": ci} if (ci := ci_of(os.environ, sys.argv)) else {}),
            }
        )
        self.writer.flush()  # on disk before collection starts: a kill from here on leaves a run
        try:
            _atomic_write(self.output_dir / NAMES["latest"], self.run_id + "\n")
            _link_latest(self.output_dir / NAMES["runs"], self.run_id)
        except OSError as err:
            sys.stderr.write(f"threepio: warning: could not update {self.output_dir / NAMES['latest']}: {err}\n")
        self.start_sidecar()
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            self.previous_sigterm = signal.signal(signal.SIGTERM, self.on_sigterm)

    def start_sidecar(self) -> None:
        node = find_node()
        if not node or not SIDECAR.exists():
            self.no_node = (
                "Node.js was not found (set THREEPIO_NODE, install pytest-threepio[node], or put node on PATH)" if not node else f"the log writer {SIDECAR} is missing from this installation"
            )
            return
        args = [node, str(SIDECAR), "ingest", str(self.run_dir), "--pid", str(os.getpid()), "--keep", str(self.keep_runs)]
        for name, path in self.exports.items():
            args += [f"--{name}", path]
        try:
            # Its own session: a Ctrl+C in the terminal must not stop it before it has flushed.
            self.sidecar = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as err:
            sys.stderr.write(f"threepio: warning: could not start the log writer ({err}); events.jsonl is still complete.\n")
            return
        self.forwarder = threading.Thread(target=self.forward_sidecar_stderr, args=(self.sidecar.stderr,), name="threepio-log-writer-stderr", daemon=True)
        self.forwarder.start()

    def forward_sidecar_stderr(self, stream: Any) -> None:
        """The log writer's stderr, with its warnings folded into the run's one warning."""
        try:
            for raw in stream:
                line = raw.decode("utf-8", "replace")
                if line.startswith("threepio: warning:") and self.writer is not None:
                    self.writer.warn(line)
                else:
                    sys.stderr.write(line)
        except (OSError, ValueError):
            pass  # pytest's stderr or the pipe went away: the run directory matters more
        finally:
            stream.close()

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
        info = self.files.get(file)
        if info is not None and info["ended"]:
            return
        self.file_start(file)
        event: dict[str, Any] = {"type": "file-end", "file": file}
        if report.failed:
            self.collection_errors += 1
            event["failedToLoad"] = True
            event["error"] = _error(report) or {"message": "collection failed"}
        else:
            event["skipReason"] = _skip_reason(report) or ""
        self.emit(event)
        self.files[file]["ended"] = True

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

    # --- tests ---------------------------------------------------------------------------------

    def file_start(self, file: str) -> None:
        if file not in self.files:
            self.files[file] = {"start": time.time(), "ended": False}
            self.emit({"type": "file-start", "file": file})

    def state_of(self, test: Test) -> dict[str, Any]:
        """A running test's phase results so far, started when its first hook or report arrives."""
        state = self.tests.get(test.id)
        if state is None:
            state = self.tests[test.id] = {"attempt": 0, "test": test, "ident": self.ident(test.id, test.file)}
        return state

    @_guarded
    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        if self.writer is None:
            return
        test = self.ids.of(nodeid, location)
        self.file_start(test.file)
        state = self.tests.get(test.id)
        if state is None:
            state = self.state_of(test)
        else:
            for key in ("status", "error", "rerun"):
                state.pop(key, None)
        if location and location[1] is not None:
            state["line"] = location[1] + 1
        # On its way to the kernel before the test runs: a crash in it loses nothing recorded.
        self.writer.emit_json("test-start", state["ident"][0], flush=True)

    @staticmethod
    def ident(test_id: str, file: str, name: str | None = None, suite: list[str] | None = None, parent: str | None = None) -> tuple[str, str]:
        """A test's identity as JSON members, encoded once for all its events: ``"file":…,"test":{…}``
        (test-start, test-end) and ``"file":…,"testId":…`` (output)."""
        if name is None or suite is None:
            _, suite, name = split(test_id)
        f, i = quote(file), quote(test_id)
        suites = ",".join(map(quote, suite))
        more = f',"parent":{quote(parent)}' if parent else ""
        return f'"file":{f},"test":{{"id":{i},"name":{quote(name)},"suite":[{suites}]{more}}}', f'"file":{f},"testId":{i}'

    @_guarded
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.writer is None:
            return
        test = self.ids.of(report.nodeid, report.location)
        state = self.state_of(test)
        when = report.when
        # Only this phase's captured output: pytest repeats earlier phases' sections.
        if report.sections:
            suffix = " " + when
            for title, content in report.sections:
                if not content or not title.endswith(suffix):
                    continue
                stream = "stdout" if "stdout" in title else "stderr"
                if len(content) > MAX_TEXT:  # split over several events
                    self.emit({"type": "output", "file": test.file, "testId": test.id, "stream": stream, "text": content})
                else:
                    self.writer.emit_json("output", f'{state["ident"][1]},"stream":"{stream}","text":{quote(content)}')
        outcome: str = report.outcome  # pytest-rerunfailures adds "rerun"
        if outcome == "passed" and when != "call":
            if when == "setup" or when == "teardown":
                return  # a passing setup or teardown changes nothing (the common case)
        wasxfail = hasattr(report, "wasxfail")
        context = getattr(report, "context", None)
        if context is not None and hasattr(context, "kwargs"):
            self.end_subtest(test, report, context)
            return
        if outcome == "rerun":  # pytest-rerunfailures: this attempt failed, another follows
            self.end_test(test, "failed", self.error(report, test), attempt=state["attempt"], retry=True)
            state["attempt"] += 1
            state["rerun"] = True  # this attempt is reported: its logfinish adds nothing
            return
        if when not in ("setup", "call", "teardown"):
            # xdist reports a worker that died mid-test this way (when="???"), with no logfinish.
            self.tests.pop(test.id, None)
            self.end_test(test, "error", _error(report) or {"message": "the test process crashed"}, attempt=state["attempt"])
            return
        earlier = state.get("status")
        if report.when == "setup":
            if outcome == "failed":
                state.update(status="error", error=self.error(report, test))
            elif outcome == "skipped":
                state.update(status="xfailed" if wasxfail else "skipped", error=None)
                state["reason"] = report.wasxfail if wasxfail else _skip_reason(report)
        elif report.when == "call":
            if outcome == "failed":
                state.update(status="failed", error=self.error(report, test))
            elif outcome == "skipped":
                state.update(status="xfailed" if wasxfail else "skipped")
                state["reason"] = report.wasxfail if wasxfail else _skip_reason(report)
            else:
                state.update(status="xpassed" if wasxfail else "passed")
                if wasxfail:
                    state["reason"] = report.wasxfail
        elif report.when == "teardown" and outcome == "failed":
            if earlier in ("failed", "error"):
                # pytest reports both (one failure or error, one error): both are kept.
                state["teardown_error"] = _error(report)
            else:
                state.update(status="error", error=self.error(report, test))
        if report.when == "call" or (report.when == "setup" and outcome != "passed"):
            state["duration"] = report.duration * 1000

    def end_subtest(self, test: Test, report: pytest.TestReport, context: Any) -> None:
        """pytest 9 subtests: each is a test of its own, under its test's suites, named as pytest
        prints it (``test_x [msg] (i=1)``); its ``parent`` is the test that reruns it."""
        _, suite, name = split(test.id)
        kwargs = dict(context.kwargs)
        if hasattr(report, "node"):  # xdist: pytest's report round trip quotes the values again
            kwargs = {k: _unquoted(v) for k, v in kwargs.items()}
        label = f" [{context.msg}]" if getattr(context, "msg", None) is not None else ""
        params = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        sub = f"{name}{label}{f' ({params})' if params else ''}"
        outcome, wasxfail = report.outcome, hasattr(report, "wasxfail")
        status = "xfailed" if wasxfail and outcome == "skipped" else {"passed": "passed", "failed": "failed"}.get(outcome, "skipped")
        reason: str | None = report.wasxfail if status == "xfailed" else _skip_reason(report) if status == "skipped" else None
        error = self.error(report, test) if outcome == "failed" else None
        ident = self.ident(f"{test.id}::{sub}", test.file, sub, suite, parent=test.id)
        self.end_test(test, status, error, ident=ident, subtest=True, reason=reason)

    def error(self, report: BaseReport, test: Test) -> dict[str, Any] | None:
        """The report's error, with the line of the test file where it failed (the last frame there)."""
        error: dict[str, Any] | None = _error(report)
        line = _failing_line(report, os.path.join(self.config.rootpath, test.file))
        if error is not None and line:
            error["line"] = line
        return error

    @_guarded
    def pytest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        test = self.ids.of(nodeid, location)
        state = self.tests.get(test.id)
        if state is None:
            return
        if state.pop("rerun", False):
            return  # another attempt follows
        self.tests.pop(test.id)
        self.end_with(state)

    def end_with(self, state: dict[str, Any]) -> None:
        """A test's last attempt, from its phases' results."""
        self.end_test(
            state["test"],
            state.get("status") or "passed",
            state.get("error"),
            ident=state.get("ident"),
            attempt=state["attempt"],
            duration=state.get("duration"),
            line=state.get("line"),
            reason=state.get("reason"),
            teardown_error=state.get("teardown_error"),
        )

    def end_test(
        self,
        test: Test,
        status: str,
        error: dict[str, Any] | None,
        *,
        ident: tuple[str, str] | None = None,
        attempt: int = 0,
        retry: bool = False,
        duration: float | None = None,
        line: int | None = None,
        subtest: bool = False,
        reason: str | None = None,
        teardown_error: dict[str, str] | None = None,
    ) -> None:
        file = test.file
        self.file_start(file)
        if ident is None:
            ident = self.ident(test.id, file)
        if error and "line" in error:  # where it failed, rather than where the test is defined
            error = dict(error)
            line = error.pop("line")
        # Put together by hand (this runs once per test); the rare parts by the JSON encoder.
        body = f'{ident[0]},"status":"{status}"'
        if duration is not None:
            body += f',"durationMs":{round(duration, 3)!r}'
        if attempt or retry:
            body += f',"attempt":{attempt}'
        if error or reason or teardown_error:
            rare = {"error": error, "reason": reason, "teardownError": teardown_error}
            body += "," + members({k: v for k, v in rare.items() if v})
        if line:
            body += f',"location":{{"line":{line}}}'
        if self.writer is not None:
            self.writer.emit_json("test-end", body)
        if not retry:
            self.counts.add(status, teardown_error is not None)
        if retry or subtest or test.id in self.reported:  # subtests are not among the collected items
            return
        # Progress only: a file ends once all its tests did.
        self.reported.add(test.id)
        self.done[test.unit] = self.done.get(test.unit, 0) + 1
        files = self.unit_files.setdefault(test.unit, set())
        files.add(file)
        if self.unit_done(test.unit):
            for each in sorted(files):
                if not self.files[each]["ended"]:
                    self.end_file(each)

    def unit_done(self, unit: str) -> bool:
        return self.done.get(unit, 0) >= self.ids.expected.get(unit, 1 << 30)

    def end_file(self, file: str) -> None:
        info = self.files[file]
        info["ended"] = True
        self.emit({"type": "file-end", "file": file, "durationMs": round((time.time() - info["start"]) * 1000, 3)})

    # --- end -----------------------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    @_guarded
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        code = int(exitstatus)
        status = {0: "passed", 1: "failed", 2: "interrupted", 5: "passed"}.get(code, "error")
        reason = {2: "interrupted (KeyboardInterrupt or a stop request)", 5: "no tests were collected"}.get(code, f"pytest exit status {code}")
        if code == 2 and self.collection_errors and not self.reported:
            reason = f"pytest stopped after {self.collection_errors} collection error(s), before running any test; --continue-on-collection-errors runs the tests that were collected"
        if code == 3 and self.internal_error:
            reason = f"pytest INTERNALERROR: {self.internal_error}"
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
        for test_id, state in list(self.tests.items()):  # tests cut short
            self.tests.pop(test_id)
            if state.get("status"):
                self.end_test(state["test"], state["status"], state.get("error"), ident=state["ident"], attempt=state["attempt"])
        for unit, files in self.unit_files.items():
            if status != "interrupted" or self.unit_done(unit):
                for file in sorted(files):
                    if not self.files[file]["ended"]:
                        self.end_file(file)
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
        if self.sidecar is not None and not self.writer.complete:
            # run-end never reached events.jsonl (the disk refused it): the log writer finishes
            # once it sees that pytest is gone, so do not wait for it.
            self.sidecar = None
        if self.sidecar is not None:
            try:
                self.sidecar.wait(timeout=self.sidecar_wait)
            except subprocess.TimeoutExpired:
                self.writer.warn(f"threepio: warning: the log writer did not finish within {self.sidecar_wait:g} s; `{report_command()} report {self.run_dir}` completes the run directory.\n")
                self.sidecar = None
        if self.forwarder is not None and self.sidecar is not None:
            self.forwarder.join(timeout=1)  # its last lines, once it has exited
        if not self.quiet:
            # After pytest's own summary, even when stdout is a buffered pipe shared with stderr.
            sys.stdout.flush()
            sys.stderr.write(self.closing_line(finished=self.sidecar is not None) + "\n")
            sys.stderr.flush()
        if self.sidecar is not None and os.environ.get("GITHUB_ACTIONS") == "true" and any(self.github.values()):
            self.report_to_github()
        self.release_run_dir()

    def report_to_github(self) -> None:
        """Failure annotations and the step summary, by the log writer (`threepio github`)."""
        node = find_node()
        if not node:
            return
        env = {
            **os.environ,
            "THREEPIO_GITHUB_ANNOTATIONS": str(self.github["annotations"]).lower(),
            "THREEPIO_GITHUB_SUMMARY": str(self.github["summary"]).lower(),
            "THREEPIO_PROG": report_command(),
        }
        try:
            done = subprocess.run([node, str(SIDECAR), "github", str(self.run_dir)], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=self.sidecar_wait)
        except (OSError, subprocess.TimeoutExpired) as err:
            sys.stderr.write(f"threepio: warning: could not report to GitHub Actions: {err}\n")
            return
        sys.stderr.write(done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace"))
        sys.stderr.flush()

    def release_run_dir(self) -> None:
        """The log writer left the run spared from retention for this process: done with it now."""
        assert self.run_dir is not None
        marker = self.run_dir / NAMES["workerMarker"]
        try:
            if marker.read_text("utf-8").strip() == str(os.getpid()):
                marker.unlink()
        except OSError:
            pass

    def closing_line(self, finished: bool) -> str:
        """The log writer's headline from run.json (it alone counts); without it, where the events are."""
        assert self.run_dir is not None
        summary: dict[str, Any] = {}
        if finished:
            try:
                summary = json.loads((self.run_dir / NAMES["summaryJson"]).read_text("utf-8"))
            except (OSError, ValueError):
                pass
        seconds = time.time() - self.start
        if summary.get("closing"):
            # The log writer's own words, as the JavaScript reporters print them.
            return f"threepio: {summary['closing']} · {self.shown(self.run_dir / NAMES['summaryMd'])}"
        events = self.shown(self.run_dir / NAMES["events"])
        why = self.no_node or "the log writer did not finish"
        then = "with Node.js installed, " if self.no_node else ""
        return (
            f"threepio: {self.status.upper()} · {self.counts.words()} · {seconds:.1f} s · logs and summary not written: {why}. "
            f"Every event is in {events}; {then}`{report_command()} report {self.shown(self.run_dir)}` writes them."
        )

    @staticmethod
    def shown(path: Path) -> Path:
        try:
            return path.relative_to(Path.cwd())
        except ValueError:
            return path

    def emit(self, event: dict[str, Any]) -> None:
        if self.writer is not None:
            self.writer.emit(event)
