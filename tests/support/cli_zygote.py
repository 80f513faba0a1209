"""A process that has imported the command line and forks one child per command
the tests run (`tests/support/cli.py` starts it and speaks to it).

Run as `python -m tests.support.cli_zygote` from the repository. It reads one JSON
request per line on stdin: {"id", "args", "env", "cwd", "stdin", "stdout",
"stderr"} (the last three are file paths). For each it forks; the child becomes
`python -m tui ARGS` with that environment, working folder and standard streams,
and exits the way that program does (atexit handlers, threads joined, streams
flushed, the exit code of `sys.exit` or 1 with a traceback). The zygote answers
{"id", "pid"} at once and {"id", "code"} when the child has ended (the code as
`subprocess` gives it: negative for a signal). End of input ends it.

Single-threaded on purpose (forking a process with threads can leave a lock
held in the child): children are waited for through pidfds (Linux 5.3+).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import runpy
import selectors
import sys
from typing import Any

# What the commands import. Textual stays out: no command but the wizard uses it,
# and the wizard is not run through here.
PRELOAD = ("tui.cli", "tui.sandbox", "tui.services.twilio", "tui.plain.run")

# How this interpreter set up its standard streams (the same machine and locale
# as a `python -m tui` started by the tests).
STREAMS: dict[str, tuple[str, str]] = {
    name: (stream.encoding, stream.errors or "strict")
    for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr))
}


def preload() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    import tui.cli

    for module in pkgutil.iter_modules(tui.cli.__path__, "tui.cli."):
        importlib.import_module(module.name)


def serve() -> dict[str, Any]:
    """Answer requests until the input ends (then exit); in a child, return its request."""
    answers = open(1, "wb", buffering=0, closefd=False)  # noqa: SIM115 (the process's own stdout)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    children: dict[int, tuple[str, int]] = {}  # pidfd -> (request id, pid)
    pending = b""

    def answer(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message).encode() + b"\n")

    while True:
        for key, _ in selector.select():
            fd = key.fd
            if fd != 0:
                request_id, pid = children.pop(fd)
                selector.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                answer({"id": request_id, "code": os.waitstatus_to_exitcode(status)})
                continue
            chunk = os.read(0, 65536)
            if not chunk:
                sys.exit(0)
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    for pidfd in children:
                        os.close(pidfd)
                    return request
                pidfd = os.pidfd_open(pid)
                children[pidfd] = (request["id"], pid)
                selector.register(pidfd, selectors.EVENT_READ)
                answer({"id": request["id"], "pid": pid})


def become(request: dict[str, Any]) -> None:
    """In the child: take the request's environment and streams, then run the
    command line as `python -m tui` would (this never returns)."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path, flags in (
        (0, request["stdin"], os.O_RDONLY),
        (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
    ):
        opened = os.open(path, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    # New stream objects on the new descriptors, set up as the interpreter set up
    # its own (encoding and error handlers as it chose them on this machine;
    # stderr line-buffered, as Python does for a stream that is not a terminal).
    for fd, name, mode, buffering in ((0, "stdin", "r", -1), (1, "stdout", "w", -1), (2, "stderr", "w", 1)):
        encoding, errors = STREAMS[name]
        stream = open(fd, mode, buffering, encoding, errors, closefd=False)  # noqa: SIM115
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    sys.argv = ["number-wizard", *request["args"]]
    runpy.run_module("tui", run_name="__main__", alter_sys=True)
    sys.exit(0)


if __name__ == "__main__":
    preload()
    become(serve())
