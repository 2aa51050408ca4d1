"""Check that every environment variable backend/settings.py reads is documented.

Reads the variable names from settings with the `ast` module (calls of os.environ.get,
os.getenv, os.environ[...], env_bool, env_list with a string literal first argument) and
fails when one is missing from `.env.example` (as `NAME=` or `# NAME=`) or from the
variable table in docs/operations.md (as `NAME` in backticks).

    python deploy/check_env.py        # exit 0 when all are listed, 1 otherwise
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = {"get", "getenv", "env_bool", "env_list"}


def settings_variables(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            is_environ_get = name == "get" and isinstance(func, ast.Attribute) and _is_environ(func.value)
            if (name in READERS - {"get"} or is_environ_get) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
    return names


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def main() -> int:
    wanted = settings_variables(ROOT / "backend" / "settings.py")
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    in_example = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", env_example, flags=re.MULTILINE))
    ops = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    in_ops = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", ops))
    problems = [f".env.example lacks {n}" for n in sorted(wanted - in_example)]
    problems += [f"docs/operations.md lacks {n}" for n in sorted(wanted - in_ops)]
    for line in problems:
        print(line, file=sys.stderr)
    print(f"{len(wanted)} settings variables checked, {len(problems)} missing")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
