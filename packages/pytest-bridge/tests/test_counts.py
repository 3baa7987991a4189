"""The closing line's words for a run's tests, the same as the log writer's (without Node the
plugin prints them itself): ``packages/core/test-vectors/count-words.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_threepio.counts import TestCounts

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "core" / "test-vectors" / "count-words.json").read_text("utf-8"))


@pytest.mark.parametrize("case", VECTORS, ids=[c["text"] for c in VECTORS])
def test_the_log_writers_words(case: dict[str, Any]) -> None:
    counts = TestCounts()
    for status, n in case["counts"].items():
        for _ in range(n):
            counts.add(status)
    for _ in range(case["teardownErrors"]):
        counts.teardown_errors += 1
    assert counts.words() == case["text"]
