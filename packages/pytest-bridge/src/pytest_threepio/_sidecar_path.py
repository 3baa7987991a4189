"""Where the bundled log writer lives (built by `pnpm build`, shipped in the wheel)."""

from pathlib import Path

SIDECAR = Path(__file__).parent / "_sidecar" / "threepio.cjs"
