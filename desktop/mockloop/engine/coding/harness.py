"""The script the sandbox's process runs: it limits itself, goes offline, forks, and tests the candidate's code.

Run by path as `python harness.py SPEC.json`. It must not import mockloop, so it starts in a few
milliseconds and the candidate's code sees none of the app; it loads only its sibling `case_check`.

The spec holds the code, the function's name, the cases, the limits, where to write progress and the
site-packages folders to add. The harness forks and the child runs the code, so code that kills its
parent (`os.kill(os.getppid(), 9)`) kills the harness, never the app. The child sends the harness one
JSON line per step and waits for its answer; the harness appends the line to the progress file:
compiled, start (index), case (its result), at most one of syntax / no_function / memory / exited /
error, and "done" when every case ran. The harness adds "child" (the child's exit code, negative for
a signal). So a run killed mid-way still says which test was running.
"""

from __future__ import annotations

import io
import json
import math
import os
import resource
import signal
import sys
import time

# The sibling that judges results, loaded by path: the script's own folder is not left on sys.path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_check import REPR_CHARS, call_text, plain, same, same_multiset, short_repr  # noqa: E402

del sys.path[0]

FILENAME = "solution.py"  # the name the candidate's code compiles under, so its frames can be told apart
FILE_SIZE_LIMIT = 16 * 2**20  # any one file the code writes; stdout and stderr are files too
NO_NETWORK = "The code pad is offline: no network."


# --- the process: limits, network, output ---------------------------------------------------------

def limit_resources(limits: dict) -> None:
    """CPU seconds (SIGXCPU, then SIGKILL a second later), address space, file size, no core files."""

    def cap(kind, soft, hard):
        _, current_hard = resource.getrlimit(kind)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(kind, (soft, hard))

    cpu = max(1, int(math.ceil(limits["cpu_s"])))
    cap(resource.RLIMIT_CPU, cpu, cpu + 1)
    memory = int(limits["memory_mb"]) * 2**20
    cap(resource.RLIMIT_AS, memory, memory)
    cap(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT, FILE_SIZE_LIMIT)
    cap(resource.RLIMIT_CORE, 0, 0)
    # a file over the limit then fails with OSError (EFBIG) in the code, instead of killing the process
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def block_network() -> None:
    """Sockets other than local (AF_UNIX) ones and name lookups raise OSError with a sentence."""
    import _socket
    import socket

    def refuse(*_args, **_kwargs):
        raise OSError(NO_NETWORK)

    class OfflineSocket(socket.socket):
        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            if family != socket.AF_UNIX:
                raise OSError(NO_NETWORK)
            super().__init__(family, type, proto, fileno)

        connect = connect_ex = sendto = refuse

    for module in (socket, _socket):
        module.socket = OfflineSocket
        module.SocketType = OfflineSocket
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo"):
            setattr(module, name, refuse)
    socket.create_connection = refuse


class CappedText(io.TextIOBase):
    """sys.stdout / sys.stderr for the code: written through to the file until `cap` characters, then dropped.

    A print flood then costs no disk and no pipe; flushing every write keeps what was printed before a kill.
    """

    def __init__(self, stream, cap: int) -> None:
        super().__init__()
        self._stream, self._cap, self.count = stream, cap, 0

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self._cap - self.count
        self.count += len(text)
        if room > 0:
            self._stream.write(text[:room])
            self._stream.flush()
        return len(text)

    def writable(self):
        return True

    def flush(self):
        self._stream.flush()

    def fileno(self):
        return self._stream.fileno()

    @property
    def encoding(self):
        return self._stream.encoding

    @property
    def buffer(self):
        return self._stream.buffer


# --- the child: the candidate's code and the cases ------------------------------------------------

class Progress:
    """The child's side of the progress: each event goes to the harness, which writes it and answers.

    Waiting for the answer makes the record exact: code that killed the harness during a test gets no
    answer, so the child ends before its result is written or another test starts, and the file's
    last "start" names the test that did it.
    """

    def __init__(self, send: int, answers: int) -> None:
        self._send, self._answers = send, answers

    def __call__(self, event: str, **fields) -> None:
        try:
            os.write(self._send, (json.dumps({"event": event, **fields}) + "\n").encode("utf-8"))
            answer = os.read(self._answers, 1)
        except OSError:
            answer = b""
        if not answer:
            os._exit(1)  # the harness is gone


def relay(events, answers: int, fd: int) -> None:
    """The harness's side: write each event the child sends to the progress file, then answer it."""
    for line in events:
        os.write(fd, line if line.endswith(b"\n") else line + b"\n")
        os.write(answers, b".")


def die_with_parent(parent: int) -> None:
    """Linux: the kernel kills the child when the harness dies, so code that kills its parent cannot go
    on to kill whatever process adopts it next (a user's systemd, say)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # Progress still stops the child at its next event
    if os.getppid() != parent:
        os._exit(1)


def error_text(exc: BaseException) -> str:
    """'ZeroDivisionError: division by zero (line 4)': the traceback's last line, and the line in the code."""
    message = str(exc)
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None and isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        line = exc.lineno
    text = text if len(text) <= REPR_CHARS else text[: REPR_CHARS - 1] + "…"
    return f"{text} (line {line})" if line else text


def _exit_call(code) -> str:
    return "sys.exit()" if code is None else f"sys.exit({code!r})"


def _quit(code=None):
    raise SystemExit(code)


class Stop(Exception):
    """The run cannot go on (the code ran out of memory or exited): the event is already written."""


def _guarded(progress, reserve: list, run, index=None):
    """Run `run()`; MemoryError and SystemExit become events and Stop, other exceptions are returned."""
    failure = None
    try:
        return run(), None
    except MemoryError:
        failure = "memory"
    except SystemExit as exc:
        failure = ("exited", _exit_call(exc.code))
    except BaseException as exc:  # the candidate's exception, KeyboardInterrupt included, is a result
        return None, error_text(exc)
    # Outside the except block the traceback (and the frames holding the memory) is gone.
    reserve.clear()
    if failure == "memory":
        progress("memory", index=index)
    else:
        progress("exited", index=index, call=failure[1])
    raise Stop


def run_case(progress, reserve, function, case: dict, index: int) -> None:
    args = case["args"]
    shown = call_text(args)
    check_args = json.loads(json.dumps(args)) if case.get("check") else None  # before the code can mutate them
    progress("start", index=index)
    began = time.perf_counter()
    result, error = _guarded(progress, reserve, lambda: function(*args), index)
    seconds = time.perf_counter() - began
    record = {"index": index, "name": case["name"], "input": shown, "seconds": round(seconds, 6),
              "error": error or ""}
    if case.get("check"):
        record["expected"] = f"a result where {case['check']}"
    else:
        record["expected"] = short_repr(case.get("expected"))
    if error is not None:
        record.update(passed=False, got="")
    else:
        record.update(passed=_judge(progress, reserve, result, case, check_args, index), got=short_repr(result))
    progress("case", **record)


def _judge(progress, reserve, result, case, check_args, index) -> bool:
    if case.get("check"):
        scope = {"result": result, "args": check_args, "math": math}
        verdict, error = _guarded(progress, reserve, lambda: bool(eval(case["check"], scope)), index)
        return bool(verdict) and error is None  # a check that cannot apply (len(None)) is a failure
    tolerance = case.get("tolerance")
    value = _guarded(progress, reserve, lambda: plain(result), index)[0]
    if case.get("unordered"):
        return same_multiset(value, case.get("expected"), tolerance)
    return same(value, case.get("expected"), tolerance)


def run_child(spec: dict, progress: Progress) -> None:
    """Compile, define, then call the function on each case; every outcome is an event."""
    import builtins
    import types

    reserve = [bytearray(2**20)]  # freed on MemoryError, so the event can still be written
    cap = int(spec["limits"]["output_chars"]) + 1
    sys.stdout = CappedText(sys.stdout, cap)
    sys.stderr = CappedText(sys.stderr, cap)
    sys.argv = [FILENAME]
    builtins.exit = builtins.quit = _quit  # site.py (skipped by -S) would define them
    try:
        code = compile(spec["code"], FILENAME, "exec")
    except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte in the source
        line = getattr(exc, "lineno", None)
        progress("syntax", line=line, message=getattr(exc, "msg", None) or str(exc))
        return
    progress("compiled")
    module = types.ModuleType("solution")
    module.__file__ = FILENAME
    sys.modules["solution"] = module
    try:
        _, error = _guarded(progress, reserve, lambda: exec(code, module.__dict__))
        if error is not None:
            progress("error", message=error)
            return
        function = module.__dict__.get(spec["function"])
        if not callable(function):
            defined = sorted(k for k, v in module.__dict__.items() if callable(v) and not k.startswith("_")
                             and getattr(v, "__module__", None) == "solution")
            progress("no_function", defined=defined[:5])
            return
        for index, case in enumerate(spec["cases"]):
            run_case(progress, reserve, function, case, index)
    except Stop:
        return
    progress("done")


def main(argv: list[str]) -> int:
    spec_path = argv[1]
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    os.unlink(spec_path)  # the hidden tests are not left for the code to read
    fd = os.open(spec["progress"], os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != here] + list(spec.get("paths", []))
        limit_resources(spec["limits"])
        block_network()
    except Exception as exc:  # our fault, not the candidate's: say so
        message = f"{type(exc).__name__}: {exc}"
        os.write(fd, (json.dumps({"event": "harness_error", "message": message}) + "\n").encode())
        return 1
    sys.stdout.flush()
    sys.stderr.flush()
    events_r, events_w = os.pipe()
    answers_r, answers_w = os.pipe()
    harness = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(fd)
        os.close(events_r)
        os.close(answers_w)
        die_with_parent(harness)
        progress, code = Progress(events_w, answers_r), 0
        try:
            run_child(spec, progress)
            sys.__stdout__.flush()
            sys.__stderr__.flush()
        except BaseException as exc:  # a fault of the harness (or of code that broke its tools): say so
            code = 70
            progress("harness_error", message=error_text(exc))
        os._exit(code)
    os.close(events_w)
    os.close(answers_r)
    with open(events_r, "rb") as events:
        relay(events, answers_w, fd)
    _, status = os.waitpid(pid, 0)
    os.write(fd, (json.dumps({"event": "child", "code": os.waitstatus_to_exitcode(status)}) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
