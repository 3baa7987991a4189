"""Decisions the pytest plugin shares with @threepio/core, fed the cases the TypeScript side
wrote into ``packages/core/test-vectors``: run ids and how long output is split."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pytest_threepio._shared import RUN_ID_RANDOM_HEX, RUN_ID_STRFTIME
from pytest_threepio.events import split_text, utf16_len

VECTORS = Path(__file__).resolve().parents[2] / "core" / "test-vectors"


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((VECTORS / name).read_text("utf-8"))
    return cases


@pytest.mark.parametrize("case", _cases("run-ids.json"), ids=lambda c: c["id"])
def test_run_ids_are_formatted_as_create_run_id_makes_them(case: dict[str, Any]) -> None:
    when = datetime.fromtimestamp(case["utcMs"] / 1000, timezone.utc)
    assert len(case["random"]) == RUN_ID_RANDOM_HEX
    assert when.strftime(RUN_ID_STRFTIME) + case["random"] == case["id"]


@pytest.mark.parametrize("case", _cases("output-split.json"), ids=lambda c: repr(c["text"]))
def test_output_is_split_where_split_text_splits_it(case: dict[str, Any]) -> None:
    parts = split_text(case["text"], case["max"])
    assert parts == case["parts"]
    assert [utf16_len(p) for p in parts] == [len(p.encode("utf-16-le", "surrogatepass")) // 2 for p in case["parts"]]
