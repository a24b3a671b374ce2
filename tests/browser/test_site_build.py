"""The static edition's rewriting, without a browser: links and widget outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from msa_course import cli, site

PAGE = site.Page("course", Path("course/01_infrastructure.ipynb"), "01 Infrastructure", "")
BUILT = {"course/01_infrastructure.html", "course/02_vms.html", "exercises/01_infrastructure.html"}


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            'href="../exercises/01_infrastructure.ipynb"',
            'href="../exercises/01_infrastructure.html"',
        ),
        ("href='02_vms.ipynb#part-2'", "href='02_vms.html#part-2'"),
        ('href="03_not_built.ipynb"', 'href="03_not_built.ipynb"'),
        ('href="https://example.org/x.ipynb"', 'href="https://example.org/x.ipynb"'),
        ("href='01_infrastructure.ipynb' download", "href='01_infrastructure.ipynb' download"),
        (
            'download="" href="01_infrastructure.ipynb"',
            'download="" href="01_infrastructure.ipynb"',
        ),
    ],
)
def test_links_between_notebooks_point_at_built_pages(link, expected):
    assert site._local_links(f"<a {link}>x</a>", PAGE, BUILT) == f"<a {expected}>x</a>"


def test_widget_outputs_keep_their_static_fallback_or_say_they_need_a_kernel():
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    with_fallback = nbformat.v4.new_output(
        "display_data",
        data={site.WIDGET_VIEW: view, "text/html": "<div>figure</div>", "text/plain": "VBox()"},
    )
    without = nbformat.v4.new_output(
        "display_data", data={site.WIDGET_VIEW: view, "text/plain": "VBox()"}
    )
    plotly = nbformat.v4.new_output(
        "display_data", data={site.PLOTLY_JSON: {}, "text/html": "<div>plot</div>"}
    )
    cell = nbformat.v4.new_code_cell("x", outputs=[with_fallback, without, plotly])
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {"state": {}}})
    site._static_outputs(nb)
    assert "widgets" not in nb.metadata
    assert with_fallback.data == {"text/html": "<div>figure</div>"}
    assert without.data == {"text/html": site.NO_FALLBACK}
    assert plotly.data == {"text/html": "<div>plot</div>"}


def test_build_site_refuses_to_write_into_the_course(tmp_path, capsys):
    (tmp_path / "course").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "course" / "00_a.ipynb")
    code = cli.main(["build-site", str(tmp_path / "course"), "--root", str(tmp_path)])
    assert code == 1
    assert "must not be the checkout" in capsys.readouterr().err


def test_build_site_without_chapters_says_so(tmp_path, capsys):
    assert cli.main(["build-site", str(tmp_path / "out"), "--root", str(tmp_path)]) == 1
    assert "no chapter notebooks" in capsys.readouterr().err
