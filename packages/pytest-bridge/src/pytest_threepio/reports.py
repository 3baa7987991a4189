"""pytest's reports as threepio facts: a skip's reason, a failure's text, message and line."""

from __future__ import annotations

import ast
import io
import os
from typing import Any

from _pytest._io import TerminalWriter
from _pytest.reports import BaseReport


def skip_reason(report: BaseReport) -> str | None:
    """The reason of a skip, as pytest -rs shows it (without its ``Skipped: `` prefix)."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason[len("Skipped: ") :] if reason.startswith("Skipped: ") else reason
    return None


def unquoted(value: Any) -> Any:
    """``"'1'"`` → ``'1'``: one layer of repr off a value that has one too many."""
    try:
        inner = ast.literal_eval(value) if isinstance(value, str) else value
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value
    return inner if isinstance(inner, str) else value


def failing_line(report: BaseReport, path: str) -> int | None:
    """The line of ``path`` in the failure's traceback nearest to where it failed."""
    entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", None) or []
    target = os.path.realpath(path)
    for entry in reversed(entries):
        where = getattr(entry, "reprfileloc", None)
        if where is not None and os.path.realpath(where.path) == target:
            return int(where.lineno)
    return None


def longrepr_text(report: BaseReport) -> str:
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


def error_of(report: BaseReport) -> dict[str, str] | None:
    """The report's failure as an event's error: the crash message, and the text pytest prints."""
    longrepr = report.longrepr
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        return {"message": str(longrepr[2])}
    text = longrepr_text(report)
    crash = getattr(longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if not message:
        message = text.splitlines()[-1] if text else str(longrepr)
    return {"message": message, "stack": text} if text and text != message else {"message": message}


def error_with_line(report: BaseReport, path: str) -> dict[str, Any] | None:
    """The report's error, with the line of ``path`` (the test file) where it failed (the last frame there)."""
    error: dict[str, Any] | None = error_of(report)
    line = failing_line(report, path)
    if error is not None and line:
        error["line"] = line
    return error
