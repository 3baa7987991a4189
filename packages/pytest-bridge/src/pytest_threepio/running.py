"""Tests between their start and their last result: each phase's report folded into the test's
state, one test-end for each attempt, and the file's progress and the counts told when a test is
done. The plugin's hooks hand their reports over here."""

from __future__ import annotations

import os
from typing import Any

import pytest
from _pytest.reports import BaseReport

from pytest_threepio.counts import TestCounts
from pytest_threepio.events import MAX_TEXT, EventWriter, quote
from pytest_threepio.identity import Identities, Test
from pytest_threepio.progress import FileProgress
from pytest_threepio.reports import error_of, error_with_line
from pytest_threepio.results import end_members, ident_members, record_phase, subtest


class RunningTests:
    """The tests of a run while they run."""

    def __init__(self, writer: EventWriter, ids: Identities, progress: FileProgress, counts: TestCounts, rootpath: str) -> None:
        self.writer = writer
        self.ids = ids
        self.progress = progress
        self.counts = counts
        self.rootpath = rootpath
        self.tests: dict[str, dict[str, Any]] = {}  # test id → phase results while it runs

    def state_of(self, test: Test) -> dict[str, Any]:
        """A running test's phase results so far, started when its first hook or report arrives."""
        state = self.tests.get(test.id)
        if state is None:
            state = self.tests[test.id] = {"attempt": 0, "test": test, "ident": ident_members(test.id, test.file)}
        return state

    def start(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        """A test starts: test-start, flushed before the test body runs."""
        test = self.ids.of(nodeid, location)
        self.progress.start(test.file)
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

    def report(self, report: pytest.TestReport) -> None:
        """One phase's report: its captured output, and its outcome folded into the test's."""
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
                    self.writer.emit({"type": "output", "file": test.file, "testId": test.id, "stream": stream, "text": content})
                else:
                    self.writer.emit_json("output", f'{state["ident"][1]},"stream":"{stream}","text":{quote(content)}')
        outcome: str = report.outcome  # pytest-rerunfailures adds "rerun"
        if outcome == "passed" and when != "call":
            if when == "setup" or when == "teardown":
                return  # a passing setup or teardown changes nothing (the common case)
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
            self.end_test(test, "error", error_of(report) or {"message": "the test process crashed"}, attempt=state["attempt"])
            return
        record_phase(state, report, lambda: self.error(report, test))

    def end_subtest(self, test: Test, report: pytest.TestReport, context: Any) -> None:
        """pytest 9 subtests: each is a test of its own (see results.subtest)."""
        ident, status, reason = subtest(test.id, test.file, report, context)
        error = self.error(report, test) if report.outcome == "failed" else None
        self.end_test(test, status, error, ident=ident, subtest=True, reason=reason)

    def error(self, report: BaseReport, test: Test) -> dict[str, Any] | None:
        return error_with_line(report, os.path.join(self.rootpath, test.file))

    def finish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        """A test's phases are over: its last attempt's test-end."""
        test = self.ids.of(nodeid, location)
        state = self.tests.get(test.id)
        if state is None:
            return
        if state.pop("rerun", False):
            return  # another attempt follows
        self.tests.pop(test.id)
        get = state.get
        self.end_test(
            state["test"],
            get("status") or "passed",
            get("error"),
            ident=get("ident"),
            attempt=state["attempt"],
            duration=get("duration"),
            line=get("line"),
            reason=get("reason"),
            teardown_error=get("teardown_error"),
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
        self.progress.start(file)
        if ident is None:
            ident = ident_members(test.id, file)
        if error and "line" in error:  # where it failed, rather than where the test is defined
            error = dict(error)
            line = error.pop("line")
        body = end_members(ident, status, duration, attempt if attempt or retry else None, error, reason, teardown_error, line)
        self.writer.emit_json("test-end", body)
        if not retry:
            self.counts.add(status, teardown_error is not None)
        if not retry and not subtest:  # subtests are not among the collected items
            self.progress.test_ended(test)

    def cut_short(self) -> None:
        """The run ends: a test with a result so far gets its test-end."""
        for test_id, state in list(self.tests.items()):
            self.tests.pop(test_id)
            if state.get("status"):
                self.end_test(state["test"], state["status"], state.get("error"), ident=state["ident"], attempt=state["attempt"])
