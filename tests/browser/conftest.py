"""Fixtures for the browser tests: one JupyterLab server and one Chromium per session.

Without Chromium the tests skip with one line saying how to install it; with the environment
variable CI set, a missing browser is a failure instead (CI must prove the course in a browser).
"""

from __future__ import annotations

import os
from pathlib import Path

import harness
import pytest

REPO = Path(__file__).resolve().parents[2]


def pytest_addoption(parser):
    parser.addoption(
        "--course-root",
        default=str(REPO),
        help="folder holding course/, exercises/ and solutions/ for the browser tests "
        "(default: this repository)",
    )


def pytest_generate_tests(metafunc):
    root = Path(metafunc.config.getoption("--course-root", default=str(REPO)))
    if "chapter" in metafunc.fixturenames:
        paths = harness.chapters(root)
        metafunc.parametrize("chapter", paths, ids=[p.stem for p in paths])
    if "korean_chapter" in metafunc.fixturenames:
        paths = harness.chapters(root, "ko")
        metafunc.parametrize("korean_chapter", paths, ids=[f"ko/{p.stem}" for p in paths])


def _require_browser() -> None:
    verdict = harness.browser_verdict(os.environ)
    if verdict and verdict[0] == "fail":
        pytest.fail(verdict[1], pytrace=False)
    if verdict:
        pytest.skip(verdict[1])


@pytest.fixture(scope="session")
def course_root(request) -> Path:
    return Path(request.config.getoption("--course-root", default=str(REPO)))


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Where screenshots go: $MSA_ARTIFACTS if set (to keep them), else a temporary folder;
    never the checkout."""
    kept = os.environ.get("MSA_ARTIFACTS")
    if not kept:
        return tmp_path_factory.mktemp("browser-artifacts")
    folder = Path(kept) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = harness.launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def lab(browser, course_root, tmp_path_factory):
    with harness.lab_server(course_root, tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture
def page(browser):
    """A fresh browser context per test; uncaught errors are collected in `page.errors`,
    console errors and warnings in `page.console` (a failure report shows them)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.errors = []
    tab.console = []
    tab.on("pageerror", lambda err: tab.errors.append(str(err)))
    tab.on(
        "console",
        lambda msg: (
            tab.console.append(f"{msg.type}: {msg.text}")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    yield tab
    context.close()


@pytest.fixture
def lab_page(page, lab):
    """A page for JupyterLab; the kernels it started are shut down afterwards."""
    yield page
    page.context.close()
    lab.shutdown_kernels()
