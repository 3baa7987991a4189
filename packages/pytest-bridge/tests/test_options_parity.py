"""The option decisions the pytest plugin shares with the TypeScript reporters: the table in
``packages/core/test-vectors/options.json`` (written by the TypeScript side) read here, each case's
inputs fed to this plugin's options, and the same decisions required."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pytest_threepio._shared import OPTIONS
from pytest_threepio.options import resolve_options

VECTORS = Path(__file__).resolve().parents[2] / "core" / "test-vectors" / "options.json"
ATTRIBUTES = {
    "outputDir": "output_dir",
    "keepRuns": "keep_runs",
    "quiet": "quiet",
    "junit": "junit",
    "ctrf": "ctrf",
    "githubAnnotations": "github_annotations",
    "githubSummary": "github_summary",
}


class IniOnly:
    """A pytest config with no threepio flag given and ``ini`` as its ini file."""

    def __init__(self, ini: dict[str, str]) -> None:
        self.ini = ini

    def getoption(self, name: str) -> Any:
        return None

    def getini(self, name: str) -> Any:
        return self.ini.get(name, "")


def _as_the_reporters_say(name: str, value: Any) -> Any:
    """Paths as the TypeScript options give them: absolute under the project root ``/r``."""
    if name == "outputDir":
        return value if os.path.isabs(value) else os.path.join("/r", value)
    if name in ("junit", "ctrf"):
        return os.path.normpath(os.path.join("/r", value)) if value else ""
    return value


CASES = json.loads(VECTORS.read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['option']}-{i}" for i, c in enumerate(CASES)])
def test_the_same_decision_as_the_typescript_reporters(case: dict[str, Any]) -> None:
    fact = OPTIONS[case["option"]]
    env = {fact["env"]: case["env"]} if "env" in case else {}
    ini = {fact["pytestIni"]: case["config"]} if "config" in case else {}
    options = resolve_options(IniOnly(ini), env)  # type: ignore[arg-type]
    value = _as_the_reporters_say(case["option"], getattr(options, ATTRIBUTES[case["option"]]))
    warned = None
    if options.warnings:
        warned = "env" if f"({fact['env']})" in options.warnings[0] else "config"
    assert (value, warned) == (case["value"], case["warned"])
