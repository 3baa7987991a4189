"""Where the log writer lives: bundled in the wheel (built by ``pnpm build``), or, where the plugin
is lent by ``threepio run`` rather than installed, the ``threepio`` command that lends it."""

import os
from pathlib import Path

from pytest_threepio._shared import SESSION_ENV

SIDECAR = Path(__file__).parent / "_sidecar" / "threepio.cjs"


def log_writer_script() -> Path:
    """The log writer's script: the bundled one, else the one the session names."""
    lent = os.environ.get(SESSION_ENV["logWriter"])
    return Path(lent) if not SIDECAR.exists() and lent else SIDECAR
