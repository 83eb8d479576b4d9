"""How a case's result is shown and judged: short reprs, and equality with tolerance or in any order.

Standalone like the harness, which loads it by path: it must not import mockloop. The app imports it
too, so the app and the harness write a test's input alike.
"""

from __future__ import annotations

import json
import math

REPR_CHARS = 200


# --- what the app reads: short reprs --------------------------------------------------------------

def _repr_engine():
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 4, 20, 20, 12, 12
    r.maxstring, r.maxother, r.maxlong = 120, 120, 60
    return r


_REPR: list = []  # the one reprlib.Repr, made on first use


def short_repr(value, limit: int = REPR_CHARS) -> str:
    """A repr cut to `limit` characters; never raises, even for an object whose __repr__ does."""
    if not _REPR:
        _REPR.append(_repr_engine())
    try:
        text = _REPR[0].repr(value)
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
    # JSON's rules for keys (1 -> "1", True -> "true"), since the expected dicts came through JSON
    plain_json = key is None or isinstance(key, (bool, int, float))
    return key if isinstance(key, str) else json.dumps(key) if plain_json else str(key)


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


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True)


def same_multiset(got, want, tolerance=None) -> bool:
    """The two lists hold the same items, in any order (counted, so duplicates matter)."""
    if not (isinstance(got, list) and isinstance(want, list)) or len(got) != len(want):
        return False
    if tolerance is None:
        from collections import Counter

        try:  # fast: count canonical texts (1 and 1.0 differ here, so a "no" is checked below)
            if Counter(_canonical(g) for g in got) == Counter(_canonical(w) for w in want):
                return True
        except (TypeError, ValueError):
            pass
    if all(_number(x) for x in got + want):  # sorted numbers pair up best
        return all(same(g, w, tolerance) for g, w in zip(sorted(got), sorted(want)))
    if len(got) > 2000:
        return False  # pairing by hand is quadratic; the fast count above has answered for exact items
    left = list(got)
    for w in want:
        match = next((i for i, g in enumerate(left) if same(g, w, tolerance)), None)
        if match is None:
            return False
        del left[match]
    return True
