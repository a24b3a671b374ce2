"""The static edition: `msa-course build-site`, opened from a local file server in Chromium.

Every chapter page must show each explorer's static figure, drawn (no empty figure boxes),
load nothing from anywhere but 127.0.0.1 (it must work offline), and link only to pages and
files that exist.
"""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import harness
import pytest

from msa_course import cli

pytestmark = pytest.mark.browser


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def site(course_root, tmp_path_factory) -> Path:
    if not harness.chapters(course_root):
        pytest.skip("no chapters in course/ yet")
    out = tmp_path_factory.mktemp("site")
    assert cli.main(["build-site", str(out), "--root", str(course_root)]) == 0
    return out


@pytest.fixture(scope="module")
def site_url(site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _visit(page, url: str) -> list[str]:
    """Open `url`, refusing (and recording) every request that leaves the local server."""
    origin = f"{urlparse(url).scheme}://{urlparse(url).netloc}/"
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort(),
    )
    page.goto(url, wait_until="load")
    return [r for r in requests if not r.startswith(origin) and not r.startswith("data:")]


def _broken_links(page, site: Path, url: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    base = urlparse(url)
    broken = []
    for href in hrefs:
        target = urlparse(href)
        if target.netloc != base.netloc:
            continue
        if not (site / unquote(target.path).lstrip("/")).is_file():
            broken.append(href)
    return broken


def test_index_lists_every_chapter(site, site_url, course_root, page):
    assert _visit(page, f"{site_url}/index.html") == []
    links = page.eval_on_selector_all("a.msa-toc-chapter", "as => as.map(a => a.href)")
    assert links == [f"{site_url}/course/{p.stem}.html" for p in harness.chapters(course_root)]
    assert _broken_links(page, site, f"{site_url}/index.html") == []


def test_chapter_page_shows_every_figure_offline(chapter, site, site_url, page, artifacts):
    url = f"{site_url}/course/{chapter.stem}.html"
    assert _visit(page, url) == [], "the page loaded something from the network"
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    expected = harness.explorer_calls(nb)
    shown = page.locator(".msa-static-figure").count()
    assert shown == expected, harness.count_mismatch(chapter.name, expected, shown, "fallbacks")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.plotly-graph-div')].every(
              d => d.querySelector('.main-svg') && d.getBoundingClientRect().height > 100)""",
        timeout=60_000,
    )
    figures = page.locator(".plotly-graph-div")
    assert figures.count() >= expected
    traces = page.eval_on_selector_all(".plotly-graph-div", "ds => ds.map(d => d.data.length)")
    assert all(n > 0 for n in traces), f"empty figures (traces per figure: {traces})"
    assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
    assert _broken_links(page, site, url) == []
    assert page.errors == [], f"JavaScript errors: {page.errors}"
    page.screenshot(path=str(artifacts / f"site_{chapter.stem}.png"), full_page=True)


def test_korean_keeps_whole_words_and_text_reads_from_the_left(site, site_url, page):
    """Korean words wrap only at spaces (word-break: keep-all); tables start at the left margin
    and their text is left-aligned, in markdown and in outputs alike."""
    styles = """() => {
        const korean = [...document.querySelectorAll('.jp-RenderedMarkdown p')]
            .find(e => /[\\uac00-\\ud7a3]/.test(e.textContent));
        const cell = document.querySelector(SELECTOR);
        return {wordBreak: getComputedStyle(korean).wordBreak,
                textAlign: getComputedStyle(cell).textAlign,
                marginLeft: getComputedStyle(cell.closest('table')).marginLeft};
    }"""
    for chapter, selector in (
        ("00_welcome", ".jp-RenderedMarkdown td"),
        ("01_infrastructure", ".jp-OutputArea-output td"),
    ):
        assert _visit(page, f"{site_url}/course/{chapter}.html") == []
        got = page.evaluate(styles.replace("SELECTOR", repr(selector)))
        assert got == {"wordBreak": "keep-all", "textAlign": "left", "marginLeft": "0px"}, chapter
