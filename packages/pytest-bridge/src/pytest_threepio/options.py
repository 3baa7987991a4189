"""The plugin's options from the command line, the environment and the ini file, validated.

A bad value never breaks the run: it becomes one warning naming the option, where it came
from, the value and what was expected, and the default is used. Names, defaults and what each
kind of value must be come from the facts shared with the JavaScript reporters (``_shared.json``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from pytest_threepio._shared import BAD_OPTION_MESSAGE, BOOLEAN_WORDS, EXPECTED, OPTION_PRECEDENCE, OPTION_TEXT, OPTIONS

OUTPUT_DIR, KEEP_RUNS, QUIET = OPTIONS["outputDir"], OPTIONS["keepRuns"], OPTIONS["quiet"]
GITHUB_ANNOTATIONS, GITHUB_SUMMARY = OPTIONS["githubAnnotations"], OPTIONS["githubSummary"]
JUNIT, CTRF = OPTIONS["junit"], OPTIONS["ctrf"]
DEFAULT_SIDECAR_TIMEOUT = 30.0
TRUE = tuple(BOOLEAN_WORDS["true"])
FALSE = tuple(BOOLEAN_WORDS["false"])
BLANKS: str = OPTION_TEXT["blanks"]
COUNT = re.compile(OPTION_TEXT["countPattern"])


@dataclass
class Options:
    output_dir: str = OUTPUT_DIR["default"]
    keep_runs: int = KEEP_RUNS["default"]
    quiet: bool = QUIET["default"]
    #: Exports written at run end ('' for none), relative to the rootdir unless absolute.
    junit: str = JUNIT["default"]
    ctrf: str = CTRF["default"]
    github_annotations: bool = GITHUB_ANNOTATIONS["default"]
    github_summary: bool = GITHUB_SUMMARY["default"]
    #: How long pytest waits, at the end, for the log writer to finish the run directory.
    sidecar_timeout: float = DEFAULT_SIDECAR_TIMEOUT
    warnings: list[str] = field(default_factory=list)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("threepio", "threepio: a durable, streaming record of the run (-p threepio)")
    group.addoption(OUTPUT_DIR["pytestFlag"], help=f"{OUTPUT_DIR['help']}; env {OUTPUT_DIR['env']}")
    group.addoption(KEEP_RUNS["pytestFlag"], help=f"{KEEP_RUNS['help']}; env {KEEP_RUNS['env']}")
    group.addoption(QUIET["pytestFlag"], action="store_true", default=None, help=f"{QUIET['help']}; env {QUIET['env']}")
    for option in (JUNIT, CTRF):
        group.addoption(option["pytestFlag"], metavar="FILE", help=f"{option['help']}; env {option['env']}")
    for option in (GITHUB_ANNOTATIONS, GITHUB_SUMMARY):
        group.addoption(option["pytestFlag"], metavar="true|false", help=f"{option['help']}; env {option['env']}")
    for option in (OUTPUT_DIR, KEEP_RUNS, QUIET, JUNIT, CTRF, GITHUB_ANNOTATIONS, GITHUB_SUMMARY):
        parser.addini(option["pytestIni"], f"threepio: {option['help']}")


def _sources(config: pytest.Config, env: Mapping[str, str], option: dict[str, Any]) -> list[tuple[str, Any]]:
    """Where the option may be set, strongest first (the shared precedence: flag, env, config)."""
    found = {
        "flag": (option["pytestFlag"], config.getoption(option["pytestFlag"])),
        "env": (option["env"], env.get(option["env"])),
        "config": (f"the ini key {option['pytestIni']}", config.getini(option["pytestIni"])),
    }
    return [found[source] for source in OPTION_PRECEDENCE]


def _unset(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip(BLANKS))


def _first(config: pytest.Config, env: Mapping[str, str], option: dict[str, Any]) -> tuple[str, Any] | None:
    for where, value in _sources(config, env, option):
        if not _unset(value):
            return where, value
    return None


def _count(value: Any) -> int | None:
    """A whole number >= 0 as every reporter reads one (ASCII digits, at most the shared maximum)."""
    text = str(value).strip(BLANKS)
    if not COUNT.fullmatch(text) or len(text) > len(str(OPTION_TEXT["maxCount"])):
        return None
    number = int(text)
    return number if number <= OPTION_TEXT["maxCount"] else None


def _bad(option: dict[str, Any], where: str, value: Any) -> str:
    """The warning every threepio reporter gives for a bad value (the template is shared)."""
    return (
        BAD_OPTION_MESSAGE.replace("{name}", option["name"])
        .replace("{where}", where)
        .replace("{expected}", EXPECTED[option["kind"]])
        .replace("{value}", json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value))
        .replace("{fallback}", option["fallback"])
    )


def _boolean(config: pytest.Config, env: Mapping[str, str], option: dict[str, Any], warn: Any) -> bool:
    picked = _first(config, env, option)
    if picked is None:
        return bool(option["default"])
    where, value = picked
    text = str(value).strip(BLANKS).lower()
    if value is True or text in TRUE:
        return True
    if text in FALSE:
        return False
    warn(_bad(option, where, value))
    return bool(option["default"])


def resolve_options(config: pytest.Config, env: Mapping[str, str]) -> Options:
    options = Options()
    warn = options.warnings.append

    picked = _first(config, env, OUTPUT_DIR)
    if picked is not None:
        options.output_dir = str(picked[1])

    picked = _first(config, env, KEEP_RUNS)
    if picked is not None:
        where, value = picked
        count = _count(value)
        if count is not None:
            options.keep_runs = count
        else:
            warn(_bad(KEEP_RUNS, where, value))

    for name, option in (("junit", JUNIT), ("ctrf", CTRF)):
        picked = _first(config, env, option)
        if picked is not None:
            setattr(options, name, str(picked[1]))
    options.quiet = _boolean(config, env, QUIET, warn)
    options.github_annotations = _boolean(config, env, GITHUB_ANNOTATIONS, warn)
    options.github_summary = _boolean(config, env, GITHUB_SUMMARY, warn)

    raw_timeout = env.get("THREEPIO_SIDECAR_TIMEOUT")
    if raw_timeout:
        try:
            timeout = float(raw_timeout)
            if not timeout > 0 or timeout == float("inf"):
                raise ValueError
            options.sidecar_timeout = timeout
        except ValueError:
            warn(f'THREEPIO_SIDECAR_TIMEOUT must be a number of seconds > 0; received "{raw_timeout}"; waiting {DEFAULT_SIDECAR_TIMEOUT:g} s')
    return options
