"""Every figure a chapter cites from the reference notes is there for the learner to open."""

from __future__ import annotations

import re

import pytest
from helpers import COURSE, ROOT, cells, notebooks

FIGURES = ROOT / "docs" / "figures.md"
CITATION = re.compile(r"figures\.md\]\(\.\./docs/figures\.md\)(?:`)?\s*§\s*(\d+)")


def sections() -> set[str]:
    return set(re.findall(r"^## (\d+)\.", FIGURES.read_text(encoding="utf-8"), re.MULTILINE))


@pytest.mark.parametrize("path", notebooks(COURSE), ids=lambda p: p.name)
def test_cited_sections_exist(path):
    text = "\n".join(c["text"] for c in cells(path) if c["cell_type"] == "markdown")
    assert "`figures.md`" not in text, "link the notes: [figures.md](../docs/figures.md)"
    cited = set(CITATION.findall(text))
    missing = cited - sections()
    assert not missing, f"{path.name} cites figures.md sections that do not exist: {missing}"
