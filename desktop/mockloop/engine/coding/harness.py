"""The script the sandbox's process runs: it limits itself, goes offline, forks, and tests the candidate's code.

Run by path as `python harness.py SPEC.json`, never imported by that process: it must not import mockloop,
so it starts in a few milliseconds and the candidate's code sees none of the app. (The app may import it
for `short_repr` and `call_text`, so the app and the harness write inputs alike.)

The spec holds the code, the function's name, the cases, the limits, where to write progress and the
site-packages paths to add. The harness forks and the child runs the code, so code that kills its parent
(`os.kill(os.getppid(), 9)`) kills the harness, never the app. The child appends one JSON line to the
progress file per step: compiled, start (index), case (its result), and at most one of syntax /
no_function / memory / exited / error; "done" when every case ran. The harness adds "child" (the child's
exit code, negative for a signal). Killed mid-way, the file still says which test was running.
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

FILENAME = "solution.py"  # the name the candidate's code compiles under, so its frames can be told apart
FILE_SIZE_LIMIT = 16 * 2**20  # any one file the code writes; stdout and stderr are files too
NO_NETWORK = "The code pad is offline: no network."
REPR_CHARS = 200


# --- what the app reads: short reprs --------------------------------------------------------------

def _repr_engine():
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 4, 20, 20, 12, 12
    r.maxstring, r.maxother, r.maxlong = 120, 120, 60
    return r


_REPR = None


def short_repr(value, limit: int = REPR_CHARS) -> str:
    """A repr cut to `limit` characters; never raises, even for an object whose __repr__ does."""
    global _REPR
    if _REPR is None:
        _REPR = _repr_engine()
    try:
        text = _REPR.repr(value)
    except Exception as exc:  # a candidate's class with a broken __repr__ must not end the run
        text = f"<{type(value).__name__} object, repr failed: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call_text(args: list, limit: int = REPR_CHARS) -> str:
    """The arguments as the candidate would write them in a call: `[0.5, 0.5], [0, 1]`."""
    text = ", ".join(short_repr(a, limit) for a in args)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- comparing a result with what the case expects ------------------------------------------------

def plain(value):
    """The value as JSON would hold it: tuples and numpy arrays become lists, numpy scalars numbers."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [plain(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if type(value).__module__.split(".")[0] == "numpy" and callable(getattr(value, "tolist", None)):
        return plain(value.tolist())
    from collections.abc import Iterator, KeysView, Sequence, ValuesView

    if isinstance(value, (Iterator, KeysView, ValuesView, range)) or (
            isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray))):
        return [plain(v) for v in value]  # a generator, map, deque or dict view holds what a list would
    return value


def _key(key):
    # JSON's own rules for keys, since the expected dicts came through JSON
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return json.dumps(key)
    return str(key)


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def same(got, want, tolerance=None) -> bool:
    """`got` equals `want`, numbers within `tolerance` at any depth; NaN equals NaN."""
    if _number(got) and _number(want):
        if isinstance(got, float) and isinstance(want, float) and math.isnan(got) and math.isnan(want):
            return True
        if tolerance is not None:
            return abs(got - want) <= tolerance
        return got == want
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(same(g, w, tolerance) for g, w in zip(got, want))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(same(got[k], want[k], tolerance) for k in want)
    try:
        return bool(got == want)
    except Exception:
        return False


def same_multiset(got, want, tolerance=None) -> bool:
    """The two lists hold the same items, in any order (counted, so duplicates matter)."""
    if not (isinstance(got, list) and isinstance(want, list)) or len(got) != len(want):
        return False
    if tolerance is None:
        try:  # fast: count canonical texts
            from collections import Counter

            return Counter(json.dumps(g, sort_keys=True) for g in got) == Counter(json.dumps(w, sort_keys=True) for w in want)
        except (TypeError, ValueError):
            pass
    if all(_number(x) for x in got + want):  # sorted numbers pair up best
        return all(same(g, w, tolerance) for g, w in zip(sorted(got), sorted(want)))
    left = list(got)
    for w in want:
        match = next((i for i, g in enumerate(left) if same(g, w, tolerance)), None)
        if match is None:
            return False
        del left[match]
    return True


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
    """Appends JSON lines to the progress file; stops the child at once if the harness is gone."""

    def __init__(self, fd: int) -> None:
        self._fd, self._parent = fd, os.getppid()

    def __call__(self, event: str, **fields) -> None:
        if os.getppid() != self._parent:
            # The code killed the harness: write nothing more, so the last "start" names the test that did it.
            os._exit(1)
        os.write(self._fd, (json.dumps({"event": event, **fields}) + "\n").encode("utf-8"))


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
    record = {"index": index, "name": case["name"], "input": shown, "seconds": round(seconds, 6), "error": error or ""}
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
    out = sys.stdout = CappedText(sys.stdout, cap)
    err = sys.stderr = CappedText(sys.stderr, cap)
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
    progress("done", stdout_chars=out.count, stderr_chars=err.count)


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
        os.write(fd, (json.dumps({"event": "harness_error", "message": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
        return 1
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            run_child(spec, Progress(fd))
            sys.__stdout__.flush()
            sys.__stderr__.flush()
        except BaseException as exc:  # a fault of the harness (or of code that broke its tools): say so
            code = 70
            os.write(fd, (json.dumps({"event": "harness_error", "message": error_text(exc)}) + "\n").encode())
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    os.write(fd, (json.dumps({"event": "child", "code": os.waitstatus_to_exitcode(status)}) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
