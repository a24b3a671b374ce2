"""Someone new finds the room for a change at a glance: no module in msa_course over 600
lines and no class over 350 (issue 15's bar, after the cluster simulator was one class)."""

from __future__ import annotations

import ast

from helpers import ROOT

MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 350


def test_modules_and_classes_stay_small():
    too_big = []
    for path in sorted((ROOT / "msa_course").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        lines = source.count("\n")
        if lines > MAX_MODULE_LINES:
            too_big.append(f"{where}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    too_big.append(
                        f"{where}: class {node.name} has {size} lines (at most {MAX_CLASS_LINES})"
                    )
    assert not too_big, "split these by responsibility:\n" + "\n".join(too_big)
