"""When a test file ends: once every test collected in it has (see identity.py for what a test
and its progress unit are). The log writer counts; this only says when to write file-end."""

from __future__ import annotations

import time
from typing import Any, Callable

from pytest_threepio.identity import Identities, Test


class FileProgress:
    """The files of a run: started, ended, and how many of their tests have ended."""

    def __init__(self, ids: Identities, emit: Callable[[dict[str, Any]], None]) -> None:
        self.ids = ids
        self.emit = emit
        self.files: dict[str, dict[str, Any]] = {}  # file → start, ended
        self.reported: set[str] = set()  # test ids with a final test-end (retries report again)
        self.done: dict[str, int] = {}  # progress unit → its tests reported
        self.unit_files: dict[str, set[str]] = {}  # progress unit → the files of its tests

    def start(self, file: str) -> None:
        """file-start, the first time the file is seen."""
        if file not in self.files:
            self.files[file] = {"start": time.time(), "ended": False}
            self.emit({"type": "file-start", "file": file})

    def ended(self, file: str) -> bool:
        info = self.files.get(file)
        return info is not None and bool(info["ended"])

    def end(self, file: str, event: dict[str, Any] | None = None) -> None:
        """file-end: ``event`` when given (a collection problem), else with the file's duration."""
        info = self.files[file]
        info["ended"] = True
        self.emit(event or {"type": "file-end", "file": file, "durationMs": round((time.time() - info["start"]) * 1000, 3)})

    def test_ended(self, test: Test) -> None:
        """A test's last attempt ended: its files end once all tests of its unit did."""
        if test.id in self.reported:
            return
        self.reported.add(test.id)
        self.done[test.unit] = self.done.get(test.unit, 0) + 1
        files = self.unit_files.setdefault(test.unit, set())
        files.add(test.file)
        if self._unit_done(test.unit):
            for each in sorted(files):
                if not self.files[each]["ended"]:
                    self.end(each)

    def end_all(self, interrupted: bool) -> None:
        """At the run's end: every file ends, but after an interrupt only those that finished."""
        for unit, files in self.unit_files.items():
            if not interrupted or self._unit_done(unit):
                for file in sorted(files):
                    if not self.files[file]["ended"]:
                        self.end(file)

    def _unit_done(self, unit: str) -> bool:
        return self.done.get(unit, 0) >= self.ids.expected.get(unit, 1 << 30)
