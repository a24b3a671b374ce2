"""Drive the course as a learner sees it: a real JupyterLab server and Debian's Chromium.

Shared by the browser tests (tests/browser/) and benchmarks/bench_browser.py. The server runs
on a copy of the course in a temporary directory, so Run All and JupyterLab's autosave never
write outputs into the repository's notebooks.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from msa_course.lab import learner_environment, poll_while_running
from msa_course.workshop.localhub import free_port

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "apt-get install -y chromium fonts-noto-cjk"
# ../shared/DESIGN.md: Debian's Chromium in a container, headless, nothing phoning home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# JupyterLab settings for a deterministic session: no notebook windowing, so every cell is
# laid out and can be counted at once; and each cell's execution timestamps recorded in the
# saved notebook (the benchmark reads them). News and update prompts are off as for every
# learner (msa_course.lab.learner_environment), not by a setting of the tests' own.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "recordTiming": True,
    },
}
COURSE_DIRS = ("course", "exercises", "solutions")
EXPLORER_SUFFIXES = ("_explorer", "_chooser")
EXPLORER_CALL = re.compile(r"\b\w+_(?:explorer|chooser)\(")


def chromium_missing_message() -> str:
    return f"Chromium not found at {CHROMIUM}; install it with: {INSTALL_HINT}"


def browser_verdict(environ: dict) -> tuple[str, str] | None:
    """None when the browser tests can run; else ("skip" or "fail", one line why).

    Locally a missing browser skips; in CI (CI set) it fails: CI must prove the course in a
    browser."""
    problem = None
    if not CHROMIUM.exists():
        problem = chromium_missing_message()
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is missing: pip install -e '.[test]'"
    if problem is None:
        return None
    if environ.get("CI"):
        return "fail", f"CI needs the browser tests: {problem}"
    return "skip", problem


class LabServer:
    """JupyterLab on 127.0.0.1 with a temporary token and Jupyter/IPython dirs under `workdir`."""

    def __init__(self, source_root: Path, workdir: Path):
        self.workdir = workdir
        self.root = workdir / "lab"
        self.port = free_port()
        self.token = os.urandom(16).hex()
        self.proc: subprocess.Popen | None = None
        self.root.mkdir(parents=True)
        for name in COURSE_DIRS:
            if (source_root / name).is_dir():
                shutil.copytree(source_root / name, self.root / name)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/lab/tree/{path}?token={self.token}&reset"

    def start(self, timeout: float = 60) -> None:
        settings = self.workdir / "settings"
        for name, value in LAB_SETTINGS.items():
            target = settings / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(value))
        env = learner_environment(self.token)  # the learner's configuration: no grading UI
        for var, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]:
            env[var] = str(self.workdir / sub)
        bin_dir = str(Path(sys.executable).parent)
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.open_browser=False",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabServerApp.user_settings_dir={settings}",
            f"--LabServerApp.workspaces_dir={self.workdir / 'workspaces'}",
            # window.jupyterapp, so a test can tell when the kernel has handled a control's
            # change (watch_kernel); a learner's JupyterLab does not expose it
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.workdir / "jupyterlab.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=self.root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if poll_while_running(self.proc, self._answers, timeout):
            return
        if self.proc.returncode is not None:
            raise RuntimeError(f"JupyterLab exited early; see {self.workdir / 'jupyterlab.log'}")
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s")

    def _answers(self) -> bool | None:
        try:
            self.api("status")
            return True
        except OSError:
            return None

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}",
            headers={"Authorization": f"token {self.token}"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every kernel, so one chapter's kernel does not slow the next (2 shared cores)."""
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def saved_notebook(self, path: str) -> dict:
        """The notebook as JupyterLab last saved it (with outputs)."""
        return self.api(f"contents/{path}?content=1")["content"]

    def stop(self) -> None:
        """Stop the server's whole process group (server and kernels), by its process id."""
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the server leads its own group
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # kernels share the group; make sure none outlives the server
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None
        self.log.close()


@contextmanager
def lab_server(source_root: Path, workdir: Path) -> Iterator[LabServer]:
    server = LabServer(source_root, workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# --- what a notebook should show -------------------------------------------------------------


def chapters(root: Path, lang: str = "en") -> list[Path]:
    """The chapters of one language: course/, or a translation's course/<lang>/."""
    folder = root / "course" if lang == "en" else root / "course" / lang
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


# Hangul drawn as glyphs, not as the boxes Chromium draws without a font that has them: two
# different syllables in the element's own font must leave different ink (missing glyphs all
# look alike), and some ink at all.
HANGUL_DRAWN_JS = """el => {
  const font = getComputedStyle(el).fontFamily;
  const ink = ch => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = `40px ${font}`; g.fillText(ch, 4, 48);
    return g.getImageData(0, 0, 64, 64).data.filter((v, i) => i % 4 === 3 && v > 0).length;
  };
  const pixels = ch => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = `40px ${font}`; g.fillText(ch, 4, 48);
    return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
  };
  return {font, ink: ink('한'), differ: pixels('한') !== pixels('국')};
}"""


def hangul_drawn(locator) -> dict:
    """{font, ink, differ} for the element's font (see HANGUL_DRAWN_JS)."""
    return locator.evaluate(HANGUL_DRAWN_JS)


def code_sources(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def explorer_calls(nb: dict) -> int:
    """How many explorers the notebook creates: calls of `*_explorer(` (and the chapter 04
    `*_chooser(`, named so by its issue), not definitions."""
    count = 0
    for source in code_sources(nb):
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics; count textually instead
            count += len(
                EXPLORER_CALL.findall(re.sub(r"def\s+\w+_(?:explorer|chooser)\(", "", source))
            )
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                count += name.endswith(EXPLORER_SUFFIXES)
    return count


def count_mismatch(name: str, expected: int, shown: int, what: str) -> str:
    hint = (
        " Is an explorer made by a function not named `<concept>_explorer`? CONTRIBUTING.md "
        "names every explorer so; the browser tests count the calls."
        if shown > expected
        else ""
    )
    return f"{name} creates {expected} explorers in code; the page shows {shown} {what}.{hint}"


def error_outputs(nb: dict) -> list[str]:
    """`ename: evalue` of every error output in a (saved) notebook."""
    return [
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, cell in enumerate(nb["cells"])
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


# --- driving JupyterLab ----------------------------------------------------------------------

# Timeouts are safety nets, not measurements: 2 cores shared by many kernels can make loading
# JupyterLab take a minute. The benchmark measures; the tests only wait.
CELLS = ".jp-Notebook .jp-Cell"
EXPLORER = ".msa-explorer"
PLOT = ".js-plotly-plot"
RENDERED_PLOT = ".js-plotly-plot .main-svg"

# The plot's state as plotly.js holds it in the DOM node: trace data plus the layout parts an
# update can change. JSON so Python can compare snapshots.
PLOT_STATE_JS = """el => {
  const gd = el.querySelector('.js-plotly-plot');
  if (!gd || !gd.data) return null;
  const l = gd.layout || {};
  return JSON.stringify([gd.data, l.shapes, l.annotations, l.title, l.xaxis && l.xaxis.range,
                         l.yaxis && l.yaxis.range]);
}"""


def open_notebook(page, server: LabServer, path: str, timeout: float = 180_000) -> None:
    page.goto(server.url(path))
    page.wait_for_selector(CELLS, timeout=timeout)
    # The kernel is connected and idle (the status bar says so; the toolbar's indicator
    # reads "idle" before the kernel has even connected).
    page.get_by_text(re.compile(r"\| Idle$")).first.wait_for(timeout=timeout)


def run_all(page) -> None:
    """Run > Run All Cells, through the menu as a learner would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def wait_until_executed(page, timeout: float = 120_000) -> None:
    """Run All has finished: no cell queued or running (`[*]`), at least one executed, and
    the kernel idle. A cell that raised stops Run All; the others fall back to `[ ]`."""
    page.wait_for_function(
        """() => {
          const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
            .map(p => p.textContent.trim());
          const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
          return ind && ind.dataset.status === 'idle' && !prompts.some(t => t.includes('*'))
            && prompts.some(t => /\\[\\d+\\]/.test(t));
        }""",
        timeout=timeout,
        polling=100,
    )


def wait_for_explorers(page, count: int, timeout: float = 120_000) -> None:
    """`count` explorers on the page, each with its plotly plot drawn."""
    page.wait_for_function(
        """n => {
          const ex = [...document.querySelectorAll('.msa-explorer')];
          return ex.length >= n && ex.every(e => e.querySelector('.js-plotly-plot .main-svg'));
        }""",
        arg=count,
        timeout=timeout,
        polling=100,
    )


def save(page) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('.jp-mod-dirty, .jp-DocumentWidget.jp-mod-dirty')",
        timeout=10_000,
    )


def plot_state(explorer) -> str | None:
    return explorer.evaluate(PLOT_STATE_JS)


def wait_plot_change(explorer, before: str | None, timeout: float = 5_000) -> bool:
    try:
        explorer.page.wait_for_function(
            f"([el, before]) => ({PLOT_STATE_JS})(el) !== before",
            arg=[explorer.element_handle(), before],
            timeout=timeout,
            polling="raf",
        )
        return True
    except Exception as err:  # playwright's TimeoutError
        if "Timeout" in type(err).__name__ or "Timeout" in str(err):
            return False
        raise


def press_slider(explorer, key: str = "ArrowRight", index: int = 0) -> None:
    handle = explorer.locator(".widget-slider .noUi-handle").nth(index)
    handle.focus()
    handle.press(key)


# How long one control's move may take to reach the plot before the next control is tried.
# Generous: a loaded machine (2 cores, many kernels) can take seconds for one round trip.
CHANGE_TIMEOUT = 15_000
# Once the kernel has handled the move and the page the kernel's messages, how long plotly
# may take to draw (at least; three times what the handling took, on a slow page): at load 17
# on 2 cores, 2 s was not always enough.
DRAW_GRACE = 5_000
# A slider key that left every slider's value as it was (a slider at its end) sends nothing;
# known as such this long after the press.
NOTHING_SENT = 1_000
SLIDER_VALUES_JS = (
    "el => [...el.querySelectorAll('.noUi-handle')].map(h => h.getAttribute('aria-valuenow'))"
)

# Counts the widget messages (comm_msg) the page sends the notebook's kernel and those the
# kernel has finished handling (its status went idle with that message as parent, and the page
# has handled everything the kernel sent before that), so a move that changes nothing in the
# plot is known as such once the kernel is done with it, not after CHANGE_TIMEOUT. Needs
# JupyterLab started with expose_app_in_browser.
WATCH_KERNEL_JS = """() => {
  const kernel = window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel;
  if (!kernel) return false;
  if (window.__msaWatched === kernel.id) return true;
  const w = window.__msaKernel = {sent: new Set(), done: new Set()};
  kernel.anyMessage.connect((_, {msg, direction}) => {
    if (direction === 'send' && msg.header.msg_type === 'comm_msg') w.sent.add(msg.header.msg_id);
  });
  // iopubMessage fires once the page has handled the message and every one before it
  kernel.iopubMessage.connect((_, msg) => {
    if (msg.header.msg_type === 'status' && msg.content.execution_state === 'idle'
        && w.sent.has(msg.parent_header.msg_id))
      w.done.add(msg.parent_header.msg_id);
  });
  window.__msaWatched = kernel.id;
  return true;
}"""


def watch_kernel(page) -> bool:
    """Start counting the notebook kernel's widget messages (WATCH_KERNEL_JS); False where
    the page does not expose JupyterLab (then moves wait for CHANGE_TIMEOUT)."""
    return page.evaluate(WATCH_KERNEL_JS)


def move_mark(explorer) -> tuple:
    """What `wait_move_handled` compares with: the plot, the widget messages sent so far, the
    sliders' values and the page's clock."""
    return explorer.page.evaluate(
        f"""el => [({PLOT_STATE_JS})(el), [...(window.__msaKernel?.sent ?? [])],
                  ({SLIDER_VALUES_JS})(el), performance.now()]""",
        explorer.element_handle(),
    )


def wait_move_handled(
    explorer, before, sent_before, sliders_before, start, *, slider: bool = False
) -> bool:
    """After a control's move (from `move_mark`): True once the plot changed; False once the
    kernel has handled every widget message sent since the mark and, DRAW_GRACE or more later,
    the plot is the same, when a `slider` key changed no slider's value (so sent nothing), or after
    CHANGE_TIMEOUT. A dropdown's or button's move always sends a message."""
    page = explorer.page
    try:
        outcome = page.wait_for_function(
            f"""([el, before, old, sliders, start, slider]) => {{
              if (({PLOT_STATE_JS})(el) !== before) return 'changed';
              const w = window.__msaKernel;
              if (!w) return false;
              const fresh = [...w.sent].filter(id => !old.includes(id));
              if (!fresh.length)
                return slider && performance.now() - start > {NOTHING_SENT}
                  && JSON.stringify(({SLIDER_VALUES_JS})(el)) === JSON.stringify(sliders)
                  && 'unsent';
              return fresh.every(id => w.done.has(id)) && performance.now() - start;
            }}""",
            arg=[explorer.element_handle(), before, sent_before, sliders_before, start, slider],
            timeout=CHANGE_TIMEOUT,
            polling="raf",
        ).json_value()
    except Exception as err:  # playwright's TimeoutError
        if "Timeout" in type(err).__name__ or "Timeout" in str(err):
            return False
        raise
    if outcome in ("changed", "unsent"):
        return outcome == "changed"
    # handled after `outcome` ms: a page that slow gets longer to draw too
    return wait_plot_change(explorer, before, min(max(DRAW_GRACE, 3 * outcome), CHANGE_TIMEOUT))


def move_one_control(explorer, lab: LabServer | None = None) -> str:
    """Move the explorer's controls as a learner would (sliders by keyboard, then dropdowns,
    then buttons) until one changes the plot; return what moved it, or raise AssertionError
    saying where the move stopped (see `dead_explorer_report`; `lab` lets it ask the kernel)."""
    tried = []
    watch_kernel(explorer.page)
    shown_before = control_values(explorer)
    sliders = explorer.locator(".widget-slider .noUi-handle")
    for i in range(sliders.count()):
        for key in ("ArrowRight", "ArrowLeft", "End", "Home"):
            before = move_mark(explorer)
            press_slider(explorer, key, i)
            if wait_move_handled(explorer, *before, slider=True):
                return f"slider {i} ({key})"
        tried.append(f"slider {i}")
    selects = explorer.locator(".widget-dropdown select")
    for i in range(selects.count()):
        select = selects.nth(i)
        current = select.evaluate("s => s.selectedIndex")
        for option in range(select.locator("option").count()):
            if option == current:
                continue
            before = move_mark(explorer)
            select.select_option(index=option)
            if wait_move_handled(explorer, *before):
                return f"dropdown {i} -> option {option}"
        tried.append(f"dropdown {i}")
    buttons = explorer.locator("button.widget-button, .widget-toggle-button")
    for i in range(buttons.count()):
        before = move_mark(explorer)
        buttons.nth(i).click()
        if wait_move_handled(explorer, *before):
            return f"button {buttons.nth(i).inner_text()!r}"
        tried.append(f"button {i}")
    title = explorer_title(explorer)
    message = explorer.locator(".msa-explorer-message").inner_text().strip()
    raise AssertionError(
        f"explorer {title!r}: no control changed the plot (tried {tried or 'none: no controls'})"
        + (f"; it says {message!r}" if message else "")
        + "\n"
        + dead_explorer_report(explorer, lab, shown_before)
    )


def explorer_title(explorer) -> str:
    return explorer.locator("b").first.inner_text() if explorer.locator("b").count() else ""


# What the explorer's controls show in the browser: a slider's readout, a dropdown's choice.
CONTROL_VALUES_JS = """el => [
  ...[...el.querySelectorAll('.widget-slider')].map((s, i) =>
      [`slider ${i}`, (s.querySelector('.widget-readout') || {}).textContent]),
  ...[...el.querySelectorAll('.widget-dropdown select')].map((s, i) =>
      [`dropdown ${i}`, s.value]),
]"""


def control_values(explorer) -> dict[str, str]:
    return {name: (value or "").strip() for name, value in explorer.evaluate(CONTROL_VALUES_JS)}


# Explorer state in the kernel, as JSON: how often each explorer re-ran its model, its values.
KERNEL_EXPLORERS = """__import__("json").dumps([
    {"title": w.title, "updates": w.update_count,
     "values": {k: repr(v) for k, v in w.values.items()}}
    for w in list(__import__("ipywidgets").widgets.widget._instances.values())
    if isinstance(w, __import__("msa_course.ui.explorer", fromlist=["Explorer"]).Explorer)
])"""


def kernel_explorers(server: LabServer, timeout: float = 60) -> list[dict]:
    """Every explorer alive in the server's kernels, as the kernel sees it (KERNEL_EXPLORERS),
    asked on a second connection to the kernel, silently (no output, no execution count)."""
    from jupyter_client import BlockingKernelClient

    found = []
    for kernel in server.api("kernels"):
        client = BlockingKernelClient(
            connection_file=str(server.workdir / "runtime" / f"kernel-{kernel['id']}.json")
        )
        client.load_connection_file()
        client.start_channels()
        try:
            msg_id = client.execute(
                "", silent=True, store_history=False, user_expressions={"x": KERNEL_EXPLORERS}
            )
            while True:
                reply = client.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            result = reply["content"]["user_expressions"]["x"]
            if result.get("status") != "ok":
                raise RuntimeError(f"{result.get('ename')}: {result.get('evalue')}")
            found += json.loads(ast.literal_eval(result["data"]["text/plain"]))
        finally:
            client.stop_channels()
    return found


SERVER_LOG_TROUBLE = re.compile(
    r"rate (limit|exceeded)|websocket|dropp|\[[EC] |Traceback", re.IGNORECASE
)


def dead_explorer_report(explorer, lab: LabServer | None, shown_before: dict) -> str:
    """Where a control's move stopped on its way to the plot: did the browser's control move,
    did the kernel re-run the explorer's model (and so send a new figure), what the browser's
    console and the Jupyter server's log said."""
    page = explorer.page
    lines = []
    shown_after = control_values(explorer)
    moved = [
        f"{k}: {v} -> {shown_after.get(k)}"
        for k, v in shown_before.items()
        if shown_after.get(k) != v
    ]
    lines.append(
        f"browser: the controls moved ({'; '.join(moved)})"
        if moved
        else "browser: no control's shown value moved"
    )
    if lab is not None:
        title = explorer_title(explorer)
        try:
            mine = [e for e in kernel_explorers(lab) if e["title"] == title]
        except Exception as err:  # a diagnosis must not hide the failure it explains
            lines.append(f"kernel: could not ask ({type(err).__name__}: {err})")
        else:
            for e in mine:
                verdict = (
                    "it sent new figures the browser's plot did not apply"
                    if e["updates"]
                    else "the moves did not reach the kernel"
                )
                lines.append(
                    f"kernel: re-ran the model {e['updates']} times, values now {e['values']}: "
                    + verdict
                )
            if not mine:
                lines.append(f"kernel: no explorer titled {title!r}")
        log = (lab.workdir / "jupyterlab.log").read_text(errors="replace").splitlines()
        trouble = [line for line in log if SERVER_LOG_TROUBLE.search(line)]
        lines.append(f"server log: {trouble[-8:] or 'nothing about rates, websockets or errors'}")
    lines.append(
        f"browser console: {getattr(page, 'console', [])[-10:] or 'no errors or warnings'}"
    )
    lines.append(f"page errors: {getattr(page, 'errors', []) or 'none'}")
    return "\n".join(lines)


def widget_errors(page) -> list[str]:
    """Widget views that failed to render, and explorer messages (a model's ValueError)."""
    return page.evaluate(
        """() => [
          ...[...document.querySelectorAll('.jp-OutputArea-output')]
              .filter(o => /Error displaying widget|Failed to render|model not found/i
                             .test(o.textContent)).map(o => o.textContent.trim().slice(0, 200)),
          ...[...document.querySelectorAll('.msa-explorer-message')]
              .map(m => m.textContent.trim()).filter(Boolean),
        ]"""
    )


def cell(page, index: int):
    return page.locator(CELLS).nth(index)


def set_cell_source(page, index: int, source: str) -> None:
    """Replace a code cell's text as a learner would: click into it, select all, type.

    `insert_text` types without key events, so the editor's auto-indent does not re-indent
    the pasted lines."""
    editor = cell(page, index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def run_cell(page, index: int, timeout: float = 120_000) -> str:
    """Run one cell in place (Ctrl+Enter), wait for its new execution count, return its output
    text."""
    target = cell(page, index)
    prompt = target.locator(".jp-InputPrompt").first
    before = prompt.inner_text().strip()
    target.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        """([el, before]) => {
          const t = el.textContent.trim();
          return t !== before && /\\[\\d+\\]/.test(t);
        }""",
        arg=[prompt.element_handle(), before],
        timeout=timeout,
        polling=100,
    )
    outputs = target.locator(".jp-OutputArea-output")
    return "\n".join(outputs.all_inner_texts())


def open_hostile_page(page, html: str, path: Path, policy: bool) -> list[str]:
    """Open a page built from hostile values: written to `path`, without its
    Content-Security-Policy unless `policy` (so escaping alone is proven), every dialog it
    opens dismissed and its message kept in the list returned."""
    if not policy:
        start = html.index("<meta http-equiv='Content-Security-Policy'")
        html = html[:start] + html[html.index(">", start) + 1 :]
    path.write_text(html, encoding="utf-8")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    return dialogs
