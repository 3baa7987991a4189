"""Build hook: a wheel or sdist of pytest-threepio always carries its log writer.

The log writer (`src/pytest_threepio/_sidecar/threepio.cjs`) is built from the TypeScript
packages by `pnpm build`; building the Python package without it would ship a plugin that can
never write logs or summaries, so the build stops and says what to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SIDECAR = Path("src/pytest_threepio/_sidecar/threepio.cjs")


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if not (Path(self.root) / SIDECAR).is_file():
            raise RuntimeError(
                f"{SIDECAR} is missing: it is the log writer this package ships. Build it first with `pnpm build` at the root of the threepio repository, then build or install this package again."
            )
