"""docs/robustness.md names a test for every bad input; every one must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = re.compile(r"`?(tests/[\w/]+\.py)::(\w+)`?")


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")}


def test_every_test_named_in_the_robustness_table_exists():
    table = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    named = TEST.findall(table)
    assert len(named) > 40
    missing = [f"{file}::{name}" for file, name in named
               if not (ROOT / file).is_file() or name not in defined_tests(ROOT / file)]
    assert missing == []


def test_every_table_row_names_a_test():
    table = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| input") and "---" not in line]
    assert rows and all(TEST.search(row.rsplit("|", 2)[-2]) for row in rows)


def test_readme_links_the_table():
    assert "docs/robustness.md" in (ROOT / "README.md").read_text(encoding="utf-8")
