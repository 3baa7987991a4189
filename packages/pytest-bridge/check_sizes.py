"""Sizes a reader can hold, as eslint checks them in the TypeScript: no source file over 400
lines and no function over 80 (`node lint.mjs` runs this on src/)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80


def problems(root: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text("utf-8")
        lines = len(text.splitlines())
        if lines > MAX_FILE_LINES:
            found.append(f"{path}: {lines} lines (at most {MAX_FILE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{path}:{node.lineno}: function {node.name} has {length} lines (at most {MAX_FUNCTION_LINES})")
    return found


if __name__ == "__main__":
    out = problems(Path(sys.argv[1] if len(sys.argv) > 1 else "src"))
    for line in out:
        print(line, file=sys.stderr)
    sys.exit(1 if out else 0)
