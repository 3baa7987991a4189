"""The events.jsonl writer's retry backoff: the TypeScript writer's (via _shared.json)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_threepio import events
from pytest_threepio.events import RETRY_INITIAL, RETRY_MAX, EventWriter


def test_a_refused_write_is_retried_after_a_doubling_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(events.time, "monotonic", lambda: now[0])
    monkeypatch.setenv("THREEPIO_SIMULATE_FAULT", "EIO@0+3")
    writer = EventWriter(str(tmp_path / "events.jsonl"))
    writer.stop.set()  # no background flushes: this test drives every one
    assert writer.gate is not None
    writer.emit_json("diagnostic", '"level":"warn","message":"one"', flush=True)
    assert writer.gate.writes == 1  # refused
    writer.flush()
    assert writer.gate.writes == 1, "no write before the wait is over"
    waits = []
    for _ in range(2):
        waits.append(writer.retry_at - now[0])
        now[0] = writer.retry_at
        writer.flush()
    assert waits == pytest.approx([RETRY_INITIAL, RETRY_INITIAL * 2])
    assert writer.gate.writes == 3
    now[0] = writer.retry_at
    writer.flush()
    assert writer.gate.writes == 4 and not writer.backlog, "written once the disk takes it"
    assert writer.retry_delay == RETRY_INITIAL
    assert RETRY_INITIAL * 2 <= RETRY_MAX
    writer.close()
    assert (tmp_path / "events.jsonl").read_text().count("\n") == 1


def test_closing_tries_a_refused_write_again_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREEPIO_SIMULATE_FAULT", "EIO@0+3")
    writer = EventWriter(str(tmp_path / "events.jsonl"))
    writer.stop.set()
    assert writer.gate is not None
    writer.emit_json("diagnostic", '"level":"warn","message":"one"', flush=True)
    assert writer.gate.writes == 1 and writer.backlog  # refused; the next try waits for the backoff
    writer.close()  # a short run ends before the wait is over: the close tries again, at once
    assert writer.complete
    assert (tmp_path / "events.jsonl").read_text().count("\n") == 1
