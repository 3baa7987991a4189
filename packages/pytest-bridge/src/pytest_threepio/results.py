"""The run and its tests as events: run-start, each test's identity encoded once, its phases
(setup, call, teardown) made one status, its test-end put together, subtests, and the run's
status from pytest's exit status. Counting and file statuses are the log writer's."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

import pytest

from pytest_threepio import package_version
from pytest_threepio._shared import SCHEMA_VERSION
from pytest_threepio.ci import ci_of
from pytest_threepio.events import members, quote
from pytest_threepio.identity import split
from pytest_threepio.reports import error_of, skip_reason, unquoted


def ident_members(test_id: str, file: str, name: str | None = None, suite: list[str] | None = None, parent: str | None = None) -> tuple[str, str]:
    """A test's identity as JSON members, encoded once for all its events: ``"file":…,"test":{…}``
    (test-start, test-end) and ``"file":…,"testId":…`` (output)."""
    if name is None or suite is None:
        _, suite, name = split(test_id)
    f, i = quote(file), quote(test_id)
    suites = ",".join(map(quote, suite))
    more = f',"parent":{quote(parent)}' if parent else ""
    return f'"file":{f},"test":{{"id":{i},"name":{quote(name)},"suite":[{suites}]{more}}}', f'"file":{f},"testId":{i}'


def record_phase(state: dict[str, Any], report: pytest.TestReport, error: Callable[[], dict[str, Any] | None]) -> None:
    """One phase's report folded into the test's state: status, error, reason and duration."""
    outcome: str = report.outcome
    wasxfail = hasattr(report, "wasxfail")
    earlier = state.get("status")
    if report.when == "setup":
        if outcome == "failed":
            state.update(status="error", error=error())
        elif outcome == "skipped":
            state.update(status="xfailed" if wasxfail else "skipped", error=None)
            state["reason"] = report.wasxfail if wasxfail else skip_reason(report)
    elif report.when == "call":
        if outcome == "failed":
            state.update(status="failed", error=error())
        elif outcome == "skipped":
            state.update(status="xfailed" if wasxfail else "skipped")
            state["reason"] = report.wasxfail if wasxfail else skip_reason(report)
        else:
            state.update(status="xpassed" if wasxfail else "passed")
            if wasxfail:
                state["reason"] = report.wasxfail
    elif report.when == "teardown" and outcome == "failed":
        if earlier in ("failed", "error"):
            # pytest reports both (one failure or error, one error): both are kept.
            state["teardown_error"] = error_of(report)
        else:
            state.update(status="error", error=error())
    if report.when == "call" or (report.when == "setup" and outcome != "passed"):
        state["duration"] = report.duration * 1000


def end_members(
    ident: tuple[str, str],
    status: str,
    duration: float | None,
    attempt: int | None,
    error: dict[str, Any] | None,
    reason: str | None,
    teardown_error: dict[str, str] | None,
    line: int | None,
) -> str:
    """A test-end's fields but type, seq and time, as JSON object members."""
    # Put together by hand (this runs once per test); the rare parts by the JSON encoder.
    body = f'{ident[0]},"status":"{status}"'
    if duration is not None:
        body += f',"durationMs":{round(duration, 3)!r}'
    if attempt is not None:
        body += f',"attempt":{attempt}'
    if error or reason or teardown_error:
        rare = {"error": error, "reason": reason, "teardownError": teardown_error}
        body += "," + members({k: v for k, v in rare.items() if v})
    if line:
        body += f',"location":{{"line":{line}}}'
    return body


def subtest(test_id: str, file: str, report: pytest.TestReport, context: Any) -> tuple[tuple[str, str], str, str | None]:
    """A pytest 9 subtest as a test of its own, under its test's suites, named as pytest prints
    it (``test_x [msg] (i=1)``), its ``parent`` the test that reruns it: identity, status, reason."""
    _, suite, name = split(test_id)
    kwargs = dict(context.kwargs)
    if hasattr(report, "node"):  # xdist: pytest's report round trip quotes the values again
        kwargs = {k: unquoted(v) for k, v in kwargs.items()}
    label = f" [{context.msg}]" if getattr(context, "msg", None) is not None else ""
    params = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    sub = f"{name}{label}{f' ({params})' if params else ''}"
    outcome, wasxfail = report.outcome, hasattr(report, "wasxfail")
    status = "xfailed" if wasxfail and outcome == "skipped" else {"passed": "passed", "failed": "failed"}.get(outcome, "skipped")
    reason: str | None = report.wasxfail if status == "xfailed" else skip_reason(report) if status == "skipped" else None
    return ident_members(f"{test_id}::{sub}", file, sub, suite, parent=test_id), status, reason


def run_outcome(code: int, collection_errors: int, any_test_ended: bool, internal_error: str | None) -> tuple[str, str]:
    """The run's status and reason from pytest's exit status."""
    status = {0: "passed", 1: "failed", 2: "interrupted", 5: "passed"}.get(code, "error")
    reason = {2: "interrupted (KeyboardInterrupt or a stop request)", 5: "no tests were collected"}.get(code, f"pytest exit status {code}")
    if code == 2 and collection_errors and not any_test_ended:
        reason = f"pytest stopped after {collection_errors} collection error(s), before running any test; --continue-on-collection-errors runs the tests that were collected"
    if code == 3 and internal_error:
        reason = f"pytest INTERNALERROR: {internal_error}"
    return status, reason


def run_start(run_id: str, root_dir: str) -> dict[str, Any]:
    """The run-start event of this pytest process."""
    return {
        "type": "run-start",
        "schema": SCHEMA_VERSION,
        "runId": run_id,
        "runner": {"name": "pytest", "version": pytest.__version__},
        "reporter": {"name": "pytest-threepio", "version": package_version()},
        "rootDir": root_dir,
        "cwd": os.getcwd(),
        # As typed (`python -m pytest …`), where Python keeps it (3.10+).
        "argv": list(getattr(sys, "orig_argv", None) or sys.argv),
        "pid": os.getpid(),
        **({"ci": ci} if (ci := ci_of(os.environ, sys.argv)) else {}),
    }
