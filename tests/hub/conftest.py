"""A workshop room on a real JupyterHub, shared by the hub tests of one session.

`hub` is deploy/jupyterhub_config.py in its default isolated mode (a Unix account per learner;
the hub runs as root, as it must) with the instructor's folder `instructor` among the folders
hidden from learners, and an admin, the instructor, who may open the progress page. `room` is three learners who logged in, pulled the course with an
nbgitpuller link from a git server on loopback, ran chapter 00 in kernels of their own and
answered the exercise fully, partly and not at all. Everything runs on 127.0.0.1 with
temporary state; the learners' accounts are removed at the end.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from gitserver import GitServer
from room import (
    CHAPTER,
    INSTRUCTOR,
    INSTRUCTOR_PASSWORD,
    LEARNERS,
    ROOT,
    SOLUTION,
    git,
    learner,
)

from msa_course.grading.release import release_file
from msa_course.workshop.link import pull_link
from msa_course.workshop.localhub import PROXY, LocalHub, visible_tempdir


@pytest.fixture(scope="session")
def course_repo(tmp_path_factory):
    """A bare course repository (chapter 00 and its exercise, in English and Korean) and a
    clone to push updates from."""
    base = tmp_path_factory.mktemp("git")
    work = base / "upstream"
    for lang in ("", "ko"):
        (work / "course" / lang).mkdir(parents=True, exist_ok=True)
        (work / "exercises" / lang).mkdir(parents=True, exist_ok=True)
        chapter = Path(CHAPTER).parent / lang / Path(CHAPTER).name
        shutil.copy(ROOT / chapter, work / chapter)
        source = SOLUTION.parent / lang / SOLUTION.name
        (work / "exercises" / lang / SOLUTION.name).write_text(
            release_file(source), encoding="utf-8"
        )
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Course")
    git(base, "clone", "-q", "--bare", str(work), str(base / "served" / "course.git"))
    git(work, "remote", "add", "origin", str(base / "served" / "course.git"))
    return base / "served", work


@pytest.fixture(scope="session")
def instructor():
    """The instructor's own folder for collected work and grades, left readable by everyone
    on purpose: the hub must hide it from learners all the same (MSA_HUB_PRIVATE)."""
    folder = visible_tempdir("msa-instructor-")
    folder.chmod(0o755)
    (folder / "solutions").mkdir()
    shutil.copy(SOLUTION, folder / "solutions")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def proxy() -> None:
    """The hub's proxy, as `make test` installs it (deploy/install_proxy.sh) before the tests:
    a test never installs it, so nothing is written into the checkout."""
    if shutil.which("node") is None:
        missing = "Node.js not installed: the hub's proxy (configurable-http-proxy) needs it"
    elif not PROXY.exists():
        missing = f"{PROXY} missing: run sh deploy/install_proxy.sh (make test does)"
    else:
        return
    if os.environ.get("CI"):
        pytest.fail(missing)
    pytest.skip(missing)


@pytest.fixture(scope="session")
def hub(tmp_path_factory, instructor, proxy):
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the hub tests run the isolated mode, which needs root")
        pytest.skip("the isolated hub creates a Unix account per learner: run as root")
    env = {
        "MSA_HUB_PRIVATE": str(instructor),
        "MSA_HUB_ADMINS": INSTRUCTOR,
        "MSA_HUB_ADMIN_PASSWORD": INSTRUCTOR_PASSWORD,
    }
    local = LocalHub(tmp_path_factory.mktemp("hub"), env=env).start()
    try:
        yield local
    finally:
        started = [p.pid for p in local.processes()]
        local.stop()
        survivors = [pid for pid in started if psutil.pid_exists(pid)]
        assert not survivors, f"processes outlived the hub: {survivors}"
        leftover = [u for u in LEARNERS if _account_exists(local, u)]
        assert not leftover, f"learners' Unix accounts outlived the hub: {leftover}"


def _account_exists(hub: LocalHub, name: str) -> bool:
    try:
        hub.account(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def room(hub, course_repo):
    """The three learners, each through chapter 00 and the exercise: name -> what happened."""
    served, _ = course_repo
    with GitServer(served) as git_url:
        link = pull_link(hub.url, f"{git_url}/course.git", CHAPTER)
        hub.add_users(list(LEARNERS))
        with ThreadPoolExecutor(len(LEARNERS)) as pool:
            runs = dict(zip(LEARNERS, pool.map(lambda n: learner(hub, n, link), LEARNERS)))
        yield {"runs": runs, "link": link, "git_url": git_url}
