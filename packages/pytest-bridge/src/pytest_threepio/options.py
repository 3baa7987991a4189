"""The plugin's options from the command line, the environment and the ini file, validated.

A bad value never breaks the run: it becomes one warning naming the option, where it came
from, the value and what was expected, and the default is used. The rules and wording follow
the JavaScript reporters' (``resolveOptions`` in @threepio/log-writer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

DEFAULT_OUTPUT_DIR = ".3pio"
DEFAULT_KEEP_RUNS = 30
DEFAULT_SIDECAR_TIMEOUT = 30.0
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


@dataclass
class Options:
    output_dir: str = DEFAULT_OUTPUT_DIR
    keep_runs: int = DEFAULT_KEEP_RUNS
    quiet: bool = False
    #: How long pytest waits, at the end, for the log writer to finish the run directory.
    sidecar_timeout: float = DEFAULT_SIDECAR_TIMEOUT
    warnings: list[str] = field(default_factory=list)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("threepio", "threepio: a durable, streaming record of the run (-p threepio)")
    group.addoption("--threepio-dir", help="output directory (default: $THREEPIO_DIR, else <rootdir>/.3pio)")
    group.addoption("--threepio-keep-runs", help="runs to keep; 0 keeps all (default 30)")
    group.addoption("--threepio-quiet", action="store_true", default=None, help="no closing line")
    parser.addini("threepio_dir", "threepio output directory")
    parser.addini("threepio_keep_runs", "threepio: runs to keep (0 keeps all)")
    parser.addini("threepio_quiet", "threepio: no closing line")


def _pick(config: pytest.Config, env: Mapping[str, str], flag: str, var: str, ini: str) -> tuple[Any, str] | None:
    """The first value set, flag before environment before ini, with where it came from."""
    value = config.getoption(flag)
    if value is not None:
        return value, flag
    if env.get(var):
        return env[var], var
    raw = config.getini(ini)
    if raw not in (None, "", []):
        return raw, f"the ini key {ini}"
    return None


def resolve_options(config: pytest.Config, env: Mapping[str, str]) -> Options:
    options = Options()
    warn = options.warnings.append

    picked = _pick(config, env, "--threepio-dir", "THREEPIO_DIR", "threepio_dir")
    if picked is not None and str(picked[0]).strip():
        options.output_dir = str(picked[0])

    picked = _pick(config, env, "--threepio-keep-runs", "THREEPIO_KEEP_RUNS", "threepio_keep_runs")
    if picked is not None:
        value, where = picked
        text = str(value).strip()
        if text.isdigit():
            options.keep_runs = int(text)
        else:
            warn(f'keepRuns ({where}) must be a whole number >= 0 (0 keeps all); received "{value}"; keeping {DEFAULT_KEEP_RUNS}')

    if config.getoption("--threepio-quiet"):
        options.quiet = True
    else:
        sources = (("THREEPIO_QUIET", env.get("THREEPIO_QUIET")), ("the ini key threepio_quiet", config.getini("threepio_quiet")))
        for where, raw in sources:
            if raw in (None, "", []):
                continue
            text = str(raw).strip().lower()
            if text in TRUE or text in FALSE:
                options.quiet = text in TRUE
            else:
                warn(f'quiet ({where}) must be true or false (1/0, yes/no, on/off); received "{raw}"; not quiet')
            break

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
