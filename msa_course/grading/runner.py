"""The learner's side of grading: the program the sandbox's child process runs.

It confines itself (confine.py) before touching learner code, then serves three requests
on its pipe: run a cell's code, give a variable's value as plain data, call a function with
plain-data arguments. It decides nothing: everything here can be rewritten by the learner's
code, so nothing here is trusted by the grader.
"""

from __future__ import annotations

import builtins
import json
import os
import sys

from msa_course.grading import wire
from msa_course.grading.confine import confine

MESSAGE_CHARS = 500


def main() -> None:
    config = json.loads(sys.argv[1])
    level = confine(config)
    import site

    site.setquit()  # exit() and quit(), as in a kernel (the child starts without site)
    requests = os.fdopen(config["fds"][0], "rb")
    reply_fd = config["fds"][1]
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    functions: list = []
    pristine = dict(vars(builtins))  # the runner needs working builtins to answer at all

    def register(fn) -> int:
        functions.append(fn)
        return len(functions) - 1

    def send(message: dict) -> None:
        data = wire.dumps(message)
        while data:
            data = data[os.write(reply_fd, data) :]

    send({"ready": True, "sandbox": level})
    for line in requests:
        request = json.loads(line)
        reply = {"id": request["id"], "ok": True}
        try:
            op = request["op"]
            if op == "exec":
                exec(compile(request["code"], request["label"], "exec"), namespace)
            elif op == "get":
                name = request["name"]
                if name not in namespace:
                    raise NameError(f"name {name!r} is not defined")
                reply["value"] = wire.encode(namespace[name], register)
            elif op == "call":
                args = wire.decode(request["args"])
                kwargs = wire.decode(request["kwargs"])
                reply["value"] = wire.encode(functions[request["ref"]](*args, **kwargs), register)
        except BaseException as err:  # noqa: BLE001 - the learner's errors are reported, not fatal
            reply = {"id": request["id"], "ok": False, "error": _describe(err)}
        vars(builtins).update(pristine)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a learner may have replaced or closed them
                pass
        send(reply)


def _describe(err: BaseException) -> dict:
    kind = "NotPlainData" if isinstance(err, wire.WireError) else type(err).__name__
    try:
        message = str(err)[:MESSAGE_CHARS]
    except Exception:  # noqa: BLE001 - a learner's exception with a broken __str__
        message = ""
    line, tb = None, err.__traceback__
    while tb is not None:  # the last line run in a cell (traceback's module is not loaded)
        if tb.tb_frame.f_code.co_filename.startswith("<cell"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return {"type": kind[:80], "message": message, "line": line}


if __name__ == "__main__":
    main()
