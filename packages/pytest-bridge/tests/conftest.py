"""Helpers for running pytest with ``-p threepio`` in a subprocess and reading its run directory."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SCHEMA = json.loads(Path(os.environ["THREEPIO_SCHEMA"]).read_text("utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


@dataclass
class Run:
    result: pytest.RunResult
    run_dir: Path
    events: list[dict[str, Any]]
    junit: dict[str, int]

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.run_dir / "run.json").read_text("utf-8"))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    def log(self, file: str) -> str:
        return (self.run_dir / "logs" / (file + ".log")).read_text("utf-8")


def junit_counts(path: Path) -> dict[str, int]:
    """pytest's own --junitxml, element by element: each <failure>, <error> and <skipped> once, and
    a testcase without any of them as passed (a test that failed and then errored in teardown is
    two testcases; one with a setup and a teardown error carries two <error>s)."""
    counts = {"passed": 0, "failures": 0, "errors": 0, "skipped": 0}
    if path.exists():
        for case in ET.parse(path).getroot().iter("testcase"):
            kinds = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
            for kind in kinds:
                counts["failures" if kind == "failure" else "errors" if kind == "error" else "skipped"] += 1
            if not kinds:
                counts["passed"] += 1
    return counts


def threepio_as_junit(summary: dict[str, Any]) -> dict[str, int]:
    """run.json in junitxml's terms (docs/design.md, "Counting"): errors are tests that errored,
    teardown errors of failed tests and files that failed to collect; skipped are skipped and
    xfailed tests and files skipped as a whole; xpassed tests pass."""
    c, files = summary["counts"], summary["files"]
    return {
        "passed": c["passed"] + c["xpassed"],
        "failures": c["failed"],
        "errors": c["error"] + summary["teardownErrors"] + files["error"],
        "skipped": c["skipped"] + c["xfailed"] + files["skippedAsWhole"],
    }


@pytest.fixture
def run_threepio(pytester: pytest.Pytester):
    def run(*args: str) -> Run:
        out = pytester.path / ".3pio"
        junit = pytester.path / "junit.xml"
        result = pytester.runpytest_subprocess("-p", "threepio", "--threepio-dir", str(out), f"--junitxml={junit}", *args)
        run_id = (out / "latest").read_text().strip()
        run_dir = out / "runs" / run_id
        events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text("utf-8").splitlines()]
        for event in events:
            errors = list(VALIDATOR.iter_errors(event))
            assert not errors, f"{event} does not validate: {errors[0].message}"
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        return Run(result, run_dir, events, junit_counts(junit))

    return run
