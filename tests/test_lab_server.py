"""The Quickstart's start command serves the course: /api/status answers, chapter 00 opens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request

import pytest
from helpers import PYTHON, ROOT

from msa_course.workshop.localhub import free_port


@pytest.fixture
def lab_server(tmp_path):
    port, token = free_port(), "msa-test-token"
    env = dict(os.environ, JUPYTER_TOKEN=token)
    proc = subprocess.Popen(
        [PYTHON, "-m", "msa_course", "lab", "--no-browser", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"msa-course lab exited: {proc.stdout.read()[-2000:]}")
                time.sleep(0.3)
        yield base, token, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_lab_serves_the_welcome_chapter(lab_server):
    base, token, proc = lab_server
    printed = proc.stdout.readline() + proc.stdout.readline()
    assert f"{base}/lab/tree/course/00_welcome.ipynb?token={token}" in printed
    status = get(f"{base}/api/status?token={token}")
    assert "started" in status
    model = get(f"{base}/api/contents/course/00_welcome.ipynb?token={token}&content=1")
    assert model["type"] == "notebook"
    assert model["content"]["cells"][0]["source"].startswith("# 00 Welcome")
    with urllib.request.urlopen(f"{base}/lab/tree/course/00_welcome.ipynb?token={token}") as r:
        assert r.status == 200 and b"JupyterLab" in r.read()
