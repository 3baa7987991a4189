"""Facts shared with the TypeScript packages, from ``_shared.json`` (generated from
``packages/core/src/shared-facts.ts``; CI fails when it drifts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHARED: dict[str, Any] = json.loads((Path(__file__).parent / "_shared.json").read_text("utf-8"))
SCHEMA_VERSION: int = SHARED["schemaVersion"]
NAMES: dict[str, str] = SHARED["names"]
GITIGNORE_TEXT: str = SHARED["gitignoreText"]
#: The variables `threepio run` sets for its command (session directory, log writer).
SESSION_ENV: dict[str, str] = SHARED["session"]["env"]
SESSION_RUNS: str = SHARED["session"]["runs"]
RUN_ID_STRFTIME: str = SHARED["runId"]["utcStrftime"]
RUN_ID_RANDOM_HEX: int = SHARED["runId"]["randomHexDigits"]
EXPECTED: dict[str, str] = SHARED["optionExpected"]
OPTIONS: dict[str, dict[str, Any]] = {o["name"]: o for o in SHARED["options"]}
BOOLEAN_WORDS: dict[str, list[str]] = SHARED["booleanWords"]
#: How long a write covered by THREEPIO_SIMULATE_FAULT=HANG… waits (testing only).
SIMULATED_HANG_SECONDS: float = SHARED["simulatedHangMs"] / 1000
BAD_OPTION_MESSAGE: str = SHARED["badOptionMessage"]
#: How option values given as text are read (blanks, counts) and which source wins.
OPTION_TEXT: dict[str, Any] = SHARED["optionText"]
OPTION_PRECEDENCE: list[str] = SHARED["optionPrecedence"]
#: The event log writer's tunables (fsync interval, backlog, text limit, retry backoff).
WRITER: dict[str, Any] = SHARED["writer"]
