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
    """Counts of pytest's own --junitxml, one per test: pytest 8 writes a test that passed and
    then failed in teardown as two testcases; they are one test with an error here."""
    outcome: dict[tuple[str, str], str] = {}
    if path.exists():
        for case in ET.parse(path).getroot().iter("testcase"):
            key = (case.get("classname", ""), case.get("name", ""))
            kind = next((c.tag for c in case if c.tag in ("failure", "error", "skipped")), "passed")
            if kind == "error" or key not in outcome or outcome[key] == "passed":
                outcome[key] = kind
    values = list(outcome.values())
    return {
        "tests": len(values),
        "failures": values.count("failure"),
        "errors": values.count("error"),
        "skipped": values.count("skipped"),
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
