"""A warm bridge: imports MLflow and the Databricks SDK once, then forks a child per job.

The import costs seconds of CPU; a fork costs milliseconds, so a sync that finds nothing new no
longer pays for it. The server itself never holds a credential: each request brings the job's
environment (its token included) over the server's private stdin pipe; only the forked child
puts it in its environment, and the server drops the request once the child is forked, so its
own environment never holds a token. Jobs never share a process, so one job's token can never
reach another's requests.

Control protocol, one JSON object per line:
  in:  {"id": N, "command": "...", "env": {...}, "socket": PATH, "stderr": PATH}
  out: {"id": N, "pid": PID}            once forked
       {"id": N, "exit": CODE, "signal": SIG}  when the child ends
The child connects to `socket` for its protocol (parameters in, messages out) and to `stderr`
for diagnostics, exactly as a cold-started bridge uses stdin, stdout and stderr.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys
import threading

_write_lock = threading.Lock()


def _preload() -> None:
    # What every command needs; importing it here is the whole point of the server.
    for module in ("mlflow", "mlflow.tracking", "mlflow.entities", "databricks.sdk", "requests", "urllib3"):
        try:
            __import__(module)
        except ImportError:
            pass  # the child reports a missing SDK as it would when started cold
    from . import commands, errors, netguard, protocol, source  # noqa: F401


def _reply(message: dict) -> None:
    text = json.dumps(message) + "\n"
    with _write_lock:
        os.write(1, text.encode())


def _die_with_parent() -> None:
    # If the server is killed outright, its children must not outlive it holding a job.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _connect(path: str) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    return conn


def _child(request: dict) -> None:
    """Runs in the forked process; never returns."""
    code = 1
    try:
        _die_with_parent()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        proto = _connect(request["socket"])
        diag = _connect(request["stderr"])
        os.dup2(proto.fileno(), 0)
        os.dup2(proto.fileno(), 1)
        os.dup2(diag.fileno(), 2)
        proto.close()
        diag.close()
        # Fresh file objects: the server's own carry buffers of the control pipe.
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)
        out = open(1, "w", encoding="utf-8", closefd=False)
        sys.stdout = out
        from . import protocol
        from .main import main

        protocol._stdout = out
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in (request.get("env") or {}).items()})
        code = main(["bridge.py", str(request.get("command"))])
        out.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the child must end here whatever happens
        code = 1
    finally:
        os._exit(code)


def _reaper(jobs: dict, lock: threading.Lock) -> None:
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            threading.Event().wait(0.05)
            continue
        # The server holds the lock from fork to recording the pid, so a child that ends at
        # once is still matched to its job.
        with lock:
            job = jobs.pop(pid, None)
        if job is None:
            continue
        if os.WIFSIGNALED(status):
            _reply({"id": job, "exit": None, "signal": signal.Signals(os.WTERMSIG(status)).name})
        else:
            _reply({"id": job, "exit": os.WEXITSTATUS(status), "signal": None})


def serve() -> int:
    # A Ctrl-C in the terminal reaches the whole process group; the worker decides when we stop
    # (by closing our stdin), so that it can hand its jobs back first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _preload()
    jobs: dict = {}
    jobs_lock = threading.Lock()
    threading.Thread(target=_reaper, args=(jobs, jobs_lock), daemon=True).start()
    _reply({"ready": True, "pid": os.getpid()})
    control = os.fdopen(0, "rb", buffering=0)
    buffer = b""
    while True:
        chunk = control.read(65536)
        if not chunk:
            # Our worker is gone: so are its jobs.
            for pid in list(jobs):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return 0
        buffer += chunk
        while b"\n" in buffer:
            raw, buffer = buffer.split(b"\n", 1)
            if not raw.strip():
                continue
            request = json.loads(raw)
            with jobs_lock:
                pid = os.fork()
                if pid == 0:
                    _child(request)
                jobs[pid] = request["id"]
            _reply({"id": request["id"], "pid": pid})
            del request, raw
