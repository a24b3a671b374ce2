"""Judging in worker processes, one per slot, so the grader's own work on a submission is that
submission's alone: each worker grades one submission at a time (judge.grade_submission) with
a CPU budget; one that overruns it (say, a learner's value built to make the grader's hashing
slow) is killed and replaced, and only that submission is flagged. Workers are forked from
the grader, which runs no other thread, so they start at once with the source already parsed.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
from pathlib import Path

from msa_course.grading import judge
from msa_course.grading.sandbox import WALL_FACTOR, Sandbox, Uids, uids
from msa_course.isolation import cgroups
from msa_course.isolation.processes import die_with_parent

RESULT_BYTES = 64 * 1024 * 1024


class Worker:
    """A forked judging process and the pipes to it."""

    def __init__(self, ctx: judge.Context, others: list[Worker]):
        jobs_r, jobs_w = os.pipe()
        results_r, results_w = os.pipe()
        uid_base = uids.claim() if os.geteuid() == 0 else None
        pid = os.fork()
        if pid == 0:  # never returns into the grader's code
            try:
                for fd in [jobs_w, results_r] + [f for w in others for f in (w.jobs, w.results)]:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                _serve(ctx, jobs_r, results_w, uid_base)
            finally:
                os._exit(1)
        os.close(jobs_r)
        os.close(results_w)
        self.pid, self.jobs, self.results = pid, jobs_w, results_r
        self.job: tuple | None = None
        self._buffer = b""

    def send(self, learner: str, path: Path) -> None:
        self.job = (learner, path, time.monotonic(), self.cpu_seconds())
        message = {"learner": learner, "path": str(path)}
        os.write(self.jobs, json.dumps(message).encode() + b"\n")

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def receive(self) -> dict | None:
        """The finished result once its last byte is in; None while it is on its way."""
        chunk = os.read(self.results, 1 << 20)
        if not chunk:
            raise ChildProcessError("the judging process ended")
        self._buffer += chunk
        if len(self._buffer) > RESULT_BYTES:
            raise ChildProcessError("the judging process sent an oversized result")
        if b"\n" not in self._buffer:
            return None
        line, self._buffer = self._buffer.split(b"\n", 1)
        self.job = None
        return json.loads(line)

    def overrun(self, limits) -> str | None:
        """Why the current job must end now, or None."""
        _, _, started, cpu = self.job
        if self.cpu_seconds() - cpu > limits.judge_cpu:
            return f"the grader spent more than {limits.judge_cpu:g} s of CPU judging its values"
        wall = limits.total_timeout + limits.judge_cpu + limits.cell_timeout + 10
        if time.monotonic() - started > wall * WALL_FACTOR:
            return f"grading it took more than {wall * WALL_FACTOR:g} s"
        return None

    def kill(self) -> None:
        """End the worker, and its sandboxes' processes and groups with it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        if os.geteuid() == 0:
            cgroups.remove_created_by(self.pid)
        for fd in (self.jobs, self.results):
            try:
                os.close(fd)
            except OSError:
                pass


def _serve(ctx: judge.Context, jobs_fd: int, results_fd: int, uid_base: int | None) -> None:
    """The worker's life: grade each job it is sent, answer with the result as one line.
    While it judges one submission, the next one's sandbox is already starting."""
    code, spare = 0, None
    try:
        die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        fresh = Uids(uid_base).take if uid_base is not None else lambda: None
        with os.fdopen(jobs_fd, "rb") as jobs:
            for line in jobs:
                job = json.loads(line)
                box = spare or Sandbox(ctx.limits, ctx.allow, fresh())
                spare = Sandbox(ctx.limits, ctx.allow, fresh())
                spare.spawn()
                result = judge.grade_submission(ctx, Path(job["path"]), job["learner"], sandbox=box)
                data = json.dumps(result, allow_nan=False).encode() + b"\n"
                while data:
                    data = data[os.write(results_fd, data) :]
    except BaseException:  # noqa: BLE001 - the grader sees the pipe close and flags the job
        code = 1
    finally:
        if spare is not None:
            spare.close()
        os._exit(code)


def grade_all(ctx: judge.Context, todo: list[tuple[str, Path]], jobs: int):
    """Yield results as submissions finish, `jobs` workers at a time."""
    queue = list(todo)
    workers: list[Worker] = []
    try:
        while queue or any(w.job for w in workers):
            for i in range(jobs):
                if queue and (i >= len(workers) or workers[i].job is None):
                    if i >= len(workers):
                        workers.append(Worker(ctx, workers))
                    workers[i].send(*queue.pop(0))
            busy = {w.results: w for w in workers if w.job}
            ready, _, _ = select.select(list(busy), [], [], 0.2)
            for fd in ready:
                worker = busy[fd]
                learner, path = worker.job[:2]
                try:
                    result = worker.receive()
                except (ChildProcessError, ValueError) as err:
                    result = _replace(ctx, workers, worker, learner, path, "judge-died", str(err))
                if result is not None:
                    yield result
            for worker in [w for w in workers if w.job]:
                reason = worker.overrun(ctx.limits)
                if reason:
                    learner, path = worker.job[:2]
                    yield _replace(ctx, workers, worker, learner, path, "judge-timeout", reason)
    finally:
        for worker in workers:
            worker.kill()


def _replace(ctx, workers: list[Worker], worker: Worker, learner, path, code, detail) -> dict:
    """Kill a worker that failed its job, start a fresh one in its place, flag the job."""
    worker.kill()
    workers[workers.index(worker)] = Worker(ctx, [w for w in workers if w is not worker])
    return judge.failed_result(ctx.assignment, learner, path, code, detail)
