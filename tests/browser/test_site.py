"""The static edition: `msa-course build-site`, opened from a local file server in Chromium.

Every chapter page must show each explorer's static figure, one plot for each state its Notice
describes, drawn (no empty figure boxes),
load nothing from anywhere but 127.0.0.1 (it must work offline), and link only to pages and
files that exist.
"""

from __future__ import annotations

import json
import re
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
    shows_every_figure_offline(chapter, "course", site, site_url, page, artifacts)


def shows_every_figure_offline(chapter, section, site, site_url, page, artifacts):
    url = f"{site_url}/{section}/{chapter.stem}.html"
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
    # an explorer whose Notice describes several states shows each, one figure per state (a
    # state that is the explorer's message for a bad input has none)
    per_explorer = page.eval_on_selector_all(
        ".msa-static-figure",
        """fs => fs.map(f => {
            const states = f.querySelectorAll('.msa-static-state');
            const messages = [...states].filter(s => s.querySelector('.msa-message')).length;
            return {plots: f.querySelectorAll('.plotly-graph-div').length,
                    expected: Math.max(1, states.length - messages)};
        })""",
    )
    assert all(e["plots"] == e["expected"] for e in per_explorer), per_explorer
    traces = page.eval_on_selector_all(".plotly-graph-div", "ds => ds.map(d => d.data.length)")
    assert all(n > 0 for n in traces), f"empty figures (traces per figure: {traces})"
    assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
    assert _broken_links(page, site, url) == []
    assert page.errors == [], f"JavaScript errors: {page.errors}"
    name = f"site_{section.replace('/', '_')}_{chapter.stem}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


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


# --- both languages ----------------------------------------------------------------------------

# The share of Hangul among the letters of a page's prose: rendered markdown without its code.
HANGUL_SHARE_JS = """() => {
  const text = [...document.querySelectorAll('.jp-RenderedMarkdown')].map(md => {
    const copy = md.cloneNode(true);
    copy.querySelectorAll('code, pre, a[href^="http"]').forEach(c => c.remove());
    return copy.textContent;
  }).join(' ');
  const hangul = (text.match(/[\\uac00-\\ud7a3]/g) || []).length;
  const latin = (text.match(/[A-Za-z]/g) || []).length;
  return {hangul, latin};
}"""


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.parts[len(site.parts)] != "assets")


def test_every_page_says_its_language_and_links_the_other(site):
    for path in _pages(site):
        text = path.read_text(encoding="utf-8")
        korean = "/ko/" in f"/{path.relative_to(site).as_posix()}"
        assert re.search(f"<html lang=.{'ko' if korean else 'en'}.", text), path
        links = re.findall(r"class=.msa-lang.[^>]*href=.([^'\"]+)", text) or re.findall(
            r"href=.([^'\"]+).[^>]*class=.msa-lang", text
        )
        assert links, f"{path.relative_to(site)}: no language switch"
        for link in links:
            assert (path.parent / link).resolve().is_file(), f"{path.relative_to(site)}: {link}"


def test_korean_chapter_page_shows_every_figure_offline(
    korean_chapter, site, site_url, page, artifacts
):
    shows_every_figure_offline(korean_chapter, "course/ko", site, site_url, page, artifacts)


def test_korean_pages_are_korean_and_drawn_in_a_hangul_font(site, site_url, page, artifacts):
    """Every Korean chapter and exercise page: mostly Hangul, a font that has it, words kept
    whole, and glyphs drawn (not boxes)."""
    pages = sorted([*site.glob("course/ko/*.html"), *site.glob("exercises/ko/*.html")])
    assert pages, "the site has no Korean pages"
    for path in pages:
        rel = path.relative_to(site).as_posix()
        assert _visit(page, f"{site_url}/{rel}") == [], rel
        share = page.evaluate(HANGUL_SHARE_JS)
        assert share["hangul"] >= share["latin"], f"{rel}: {share}"
        prose = page.locator(".jp-RenderedMarkdown p").first
        style = prose.evaluate(
            "el => ({font: getComputedStyle(el).fontFamily, wrap: getComputedStyle(el).wordBreak})"
        )
        assert "Noto Sans CJK KR" in style["font"] and style["wrap"] == "keep-all", (rel, style)
        drawn = harness.hangul_drawn(prose)
        assert drawn["ink"] > 50 and drawn["differ"], f"{rel}: Hangul drawn as boxes"
        assert _broken_links(page, site, f"{site_url}/{rel}") == [], rel
        page.screenshot(path=str(artifacts / f"site_{rel.replace('/', '_')}.png"), full_page=True)
    index = f"{site_url}/ko/index.html"
    assert _visit(page, index) == [] and _broken_links(page, site, index) == []


# Every text of a drawn figure (titles, tick labels, legend entries, annotations): pairs whose
# boxes overlap, and texts that run off the figure. Rotated tick labels overlap as boxes but
# not as ink, and the first tick labels of an x and a y axis share a corner by design.
FIGURE_TEXT_CLASHES_JS = r"""
(fig) => {
  const frame = fig.getBoundingClientRect();
  const boxes = [...fig.querySelectorAll('svg text')]
    .filter(t => t.textContent.trim() && t.getBBox().width > 0)
    .map(t => {
      const r = t.getBoundingClientRect();
      const kind = t.getAttribute('class') || t.parentNode.getAttribute('class') || '';
      const turned = /rotate\((?!0[,)])/.test(t.getAttribute('transform') || '');
      return {text: t.textContent.trim().slice(0, 50), kind, turned,
              l: r.left, r: r.right, t: r.top, b: r.bottom};
    });
  const found = boxes
    .filter(x => x.l < frame.left - 1 || x.r > frame.right + 1 ||
                 x.t < frame.top - 1 || x.b > frame.bottom + 1)
    .map(x => `runs off the figure: ${x.text}`);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], c = boxes[j];
    if (a.turned && c.turned) continue;
    if (/tick$/.test(a.kind) && /tick$/.test(c.kind) && a.kind[0] != c.kind[0]) continue;
    const w = Math.min(a.r, c.r) - Math.max(a.l, c.l), h = Math.min(a.b, c.b) - Math.max(a.t, c.t);
    if (w > 3 && h > 3) found.push(`${a.text} (${a.kind}) overlaps ${c.text} (${c.kind})`);
  }
  return found;
}
"""


@pytest.mark.parametrize("width", [1280, 800])
def test_figure_texts_neither_overlap_nor_run_off(site, site_url, page, width, artifacts):
    """Every chapter page in both languages, in a wide and a narrow window: no figure's titles,
    labels, legend or notes run into each other or off the figure (Korean labels are wider
    than English ones; a narrow window scrolls a figure rather than squeezing it)."""
    page.set_viewport_size({"width": width, "height": 900})
    found = []
    for path in sorted([*site.glob("course/*.html"), *site.glob("course/ko/*.html")]):
        rel = path.relative_to(site).as_posix()
        assert _visit(page, f"{site_url}/{rel}") == [], rel
        page.wait_for_function(
            """() => [...document.querySelectorAll('.plotly-graph-div')].every(
                  d => d.querySelector('.main-svg') && d.getBoundingClientRect().height > 100)""",
            timeout=60_000,
        )
        figures = page.locator(".plotly-graph-div")
        for i in range(figures.count()):
            clashes = figures.nth(i).evaluate(FIGURE_TEXT_CLASHES_JS)
            if clashes:
                figures.nth(i).screenshot(
                    path=str(artifacts / f"clash_{width}_{path.stem}_{i}.png")
                )
            found += [f"{rel} figure {i}: {c}" for c in clashes]
    assert not found, "\n".join(found)
