"""The CI job a run happens in, for run-start's ``ci``: the providers and rules of ci-info (the
library the JavaScript reporters use), read from the shared facts, so both sides agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_threepio._shared import SHARED

CI: dict[str, Any] = SHARED["ci"]


def _matches(rule: Any, env: Mapping[str, str]) -> bool:
    if isinstance(rule, str):
        return bool(env.get(rule))
    if "env" in rule:
        value = env.get(rule["env"])
        return value is not None and rule["includes"] in value
    if "any" in rule:
        return any(env.get(name) for name in rule["any"])
    return all(env.get(name) == value for name, value in rule.items())


def _option(argv: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def ci_of(env: Mapping[str, str], argv: Sequence[str]) -> dict[str, str] | None:
    """``{name, job?, shard?}`` when the run is on CI, as ci-info decides it; else None."""
    if env.get("CI") == "false":
        return None
    name = None
    for vendor in CI["vendors"]:
        rules = vendor["env"] if isinstance(vendor["env"], list) else [vendor["env"]]
        if all(_matches(rule, env) for rule in rules):
            name = vendor["name"]  # the last match, as ci-info has it
    if name is None and not any(env.get(var) for var in CI["genericVars"]):
        return None
    ci = {"name": name or "CI"}
    job = next((env[var] for var in CI["jobVars"] if env.get(var)), None)
    if job:
        ci["job"] = job
    # pytest-split (--group N --splits M) and pytest-shard (--shard-id N --num-shards M, 0-based)
    group, splits = _option(argv, "--group"), _option(argv, "--splits")
    shard_id, shards = _option(argv, "--shard-id"), _option(argv, "--num-shards")
    if group and splits:
        ci["shard"] = f"{group}/{splits}"
    elif shard_id is not None and shards and shard_id.isdigit():
        ci["shard"] = f"{int(shard_id) + 1}/{shards}"
    return ci
