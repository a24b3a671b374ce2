"""`msa-course build-site OUT`: the course as static HTML that works offline.

For learners without a kernel. Each chapter is executed with nbclient and exported with
nbconvert (already installed with JupyterLab, and it renders exactly the mimebundles the
kernel produced, so every explorer shows its own static fallback: the figure in the state the
chapter's Notice describes, drawn by plotly.js). plotly.js is copied once into `assets/` and
loaded locally by every page; no page loads anything from the network (no require.js, MathJax or widget CDN).

Layout of OUT: index.html (table of contents), course/NN_slug.html, exercises/NN_slug.html
(read-only view with a link to the notebook), the .ipynb files beside them, docs/NAME.html
(the reference notes the chapters cite, from docs/*.md), assets/.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ASSETS = Path(__file__).with_name("site_assets")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY_JSON = "application/vnd.plotly.v1+json"
NO_FALLBACK = (
    "<div class='msa-needs-kernel'>This interactive needs a running kernel: download the "
    "notebook and open it in JupyterLab.</div>"
)
# A relative link to a notebook, not a download link: href="../exercises/01_x.ipynb#part"
# A relative link to the reference notes: href="../docs/figures.md#part"
DOCS_HREF = re.compile(r"""href=(["'])((?:\.\./)*docs/[\w.-]+)\.md(#[^"']*)?\1""")
IPYNB_HREF = re.compile(
    r"""href=(["'])(?![a-z][a-z0-9+.-]*:|/|#)([^"'#?]+)\.ipynb(#[^"']*)?\1(?!\s*download)"""
)


@dataclass(frozen=True)
class Page:
    """One notebook of the site: where it comes from and what the table of contents says."""

    section: str  # "course" or "exercises"
    source: Path
    title: str
    summary: str

    @property
    def href(self) -> str:
        return f"{self.section}/{self.source.stem}.html"


def add_arguments(parser) -> None:
    parser.add_argument("out", type=Path, help="folder to write the site into (created)")
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="course checkout holding course/ and exercises/ (default: found from here)",
    )
    parser.add_argument(
        "--timeout", type=int, default=300, help="seconds one cell may run (default 300)"
    )


def run(args) -> int:
    from msa_course.cli import CommandError, writable_folder

    root = args.root.resolve() if args.root else _default_root()
    chapters = sorted((root / "course").glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        raise CommandError(f"no chapter notebooks (course/NN_*.ipynb) in {root}")
    out = args.out.resolve()
    if out in (root, *(root / d for d in ("course", "exercises", "solutions"))) or (
        out in root.parents
    ):
        raise CommandError(f"OUT must not be the checkout or its course folders: {out}")
    writable_folder(out, "OUT")
    pages = build(root, out, timeout=args.timeout)
    print(f"wrote {len(pages)} pages to {out}; open {out / 'index.html'}")
    return 0


def _default_root() -> Path:
    from msa_course.lab import course_root

    return course_root()


def build(root: Path, out: Path, *, timeout: int = 300) -> list[Page]:
    """Execute and render every chapter, render every exercise, write the index."""
    import nbformat

    chapters = [_page("course", p) for p in sorted((root / "course").glob("[0-9][0-9]_*.ipynb"))]
    exercises = {
        p.stem: _page("exercises", p)
        for p in sorted((root / "exercises").glob("[0-9][0-9]_*.ipynb"))
    }
    (out / "assets").mkdir(parents=True, exist_ok=True)
    _copy_assets(out / "assets")
    built = {p.href for p in chapters} | {p.href for p in exercises.values()}
    _write_docs(root / "docs", out / "docs")
    for i, chapter in enumerate(chapters):
        nb = nbformat.read(chapter.source, as_version=4)
        _execute(nb, chapter.source, timeout)
        nav = _nav(
            chapter,
            chapters[i - 1] if i else None,
            chapters[i + 1 : i + 2],
            exercises.get(chapter.source.stem),
        )
        _write(nb, chapter, out, built, header=nav, footer=nav)
    for exercise in exercises.values():
        nb = nbformat.read(exercise.source, as_version=4)
        chapter = next((c for c in chapters if c.source.stem == exercise.source.stem), None)
        note = (
            "<div class='msa-banner'>An exercise to do in JupyterLab: "
            f"<a href='{exercise.source.name}' download>download the notebook</a>, write each "
            "answer where it says <code># YOUR CODE HERE</code> and run the check below it."
            "</div>"
        )
        back = f"<a href='../{chapter.href}'>Chapter</a>" if chapter else ""
        nav = _bar(["<a href='../index.html'>Contents</a>", back])
        _write(nb, exercise, out, built, header=nav + note, footer=nav)
    (out / "index.html").write_text(_index(chapters, exercises), encoding="utf-8")
    return [*chapters, *exercises.values()]


def _page(section: str, path: Path) -> Page:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = next(("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"), "")
    lines = first.strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else path.stem
    paragraph = " ".join(line.strip() for line in lines[1:] if line.strip()).split("  ")[0]
    return Page(section, path, title, _plain_markdown(paragraph)[:300])


def _plain_markdown(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]", "", text)


def _execute(nb, source: Path, timeout: int) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from msa_course.cli import CommandError

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=False,  # the page shows static fallbacks, not live widgets
        resources={"metadata": {"path": str(source.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as err:
        first = str(err).strip().splitlines()[-1] if str(err).strip() else repr(err)
        raise CommandError(f"{source.name} failed to run: {first}") from None


def _static_outputs(nb) -> None:
    """Keep the static view of every output: a widget's text/html fallback (or a note that it
    needs a kernel), and plotly's HTML rather than its JupyterLab-only mimetype."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            cell.metadata["transient"] = {"remove_source": True}  # as JupyterLab collapses it
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            if WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                if "text/html" not in data:
                    data["text/html"] = NO_FALLBACK
                data.pop("text/plain", None)  # "VBox(children=...)" tells a reader nothing
            if PLOTLY_JSON in data and "text/html" in data:
                data.pop(PLOTLY_JSON)


def _write(nb, page: Page, out: Path, built: set[str], *, header: str, footer: str) -> None:
    from nbconvert import HTMLExporter

    _static_outputs(nb)
    nb.metadata["title"] = page.title
    exporter = HTMLExporter(
        template_name="msa",
        template_file="page.html",  # .html, not .j2: the package data ships *.html
        extra_template_basedirs=[str(ASSETS / "templates")],
    )
    body, _ = exporter.from_notebook_node(
        nb, resources={"site_header": header, "site_footer": footer}
    )
    target = out / page.href
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_local_links(body, page, built), encoding="utf-8")
    shutil.copy2(page.source, target.with_suffix(".ipynb"))


def _local_links(body: str, page: Page, built: set[str]) -> str:
    """Links between notebooks (`../exercises/01_x.ipynb`) point at the built pages."""

    def swap(match: re.Match) -> str:
        quote, stem, anchor = match.group(1), match.group(2), match.group(3) or ""
        resolved = (Path(page.section) / f"{stem}.html").as_posix()
        resolved = _normalise(resolved)
        if resolved in built:
            return f"href={quote}{stem}.html{anchor}{quote}"
        return match.group(0)

    body = IPYNB_HREF.sub(swap, body)
    return DOCS_HREF.sub(lambda m: f"href={m[1]}{m[2]}.html{m[3] or ''}{m[1]}", body)


def _write_docs(source: Path, target: Path) -> None:
    """The reference notes (docs/*.md) as pages styled like the rest of the site."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    for path in sorted(source.glob("*.md")):
        body = markdown2html_mistune(path.read_text(encoding="utf-8"))
        title = html.escape(path.stem)
        nav = _bar(["<a href='../index.html'>Contents</a>"])
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{path.stem}.html").write_text(
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            "<link rel='stylesheet' href='../assets/site.css'></head><body>"
            f"{nav}<main>{body}</main></body></html>",
            encoding="utf-8",
        )


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _bar(links: list[str]) -> str:
    return "<nav class='msa-nav'>" + " ".join(x for x in links if x) + "</nav>"


def _nav(page: Page, prev: Page | None, following: list[Page], exercise: Page | None) -> str:
    links = ["<a href='../index.html'>Contents</a>"]
    if prev:
        links.append(f"<a rel='prev' href='../{prev.href}'>← {html.escape(prev.title)}</a>")
    for nxt in following:
        links.append(f"<a rel='next' href='../{nxt.href}'>{html.escape(nxt.title)} →</a>")
    if exercise:
        links.append(f"<a href='../{exercise.href}'>Exercise</a>")
    links.append(f"<a href='{page.source.name}' download>Notebook (.ipynb)</a>")
    return _bar(links)


def _index(chapters: list[Page], exercises: dict[str, Page]) -> str:
    rows = []
    for chapter in chapters:
        exercise = exercises.get(chapter.source.stem)
        extra = f" · <a href='{exercise.href}'>exercise</a>" if exercise else ""
        rows.append(
            f"<li><a class='msa-toc-chapter' href='{chapter.href}'>{html.escape(chapter.title)}"
            f"</a>{extra}<br><span>{html.escape(chapter.summary)}</span></li>"
        )
    template = (ASSETS / "index.html").read_text(encoding="utf-8")
    return template.replace("{{chapters}}", "\n".join(rows))


def _copy_assets(target: Path) -> None:
    import plotly

    shutil.copy2(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", target)
    shutil.copy2(ASSETS / "site.css", target)
