"""Work around PySide6 6.12 reference-count bugs that abort Python 3.11 after a minute of use.

Measured with PySide6 6.12.0 on CPython 3.11: `SignalInstance.emit()` returns True without
owning a reference to it, and many calls from C++ into Python (a `paintEvent` or `sizeHint`
override, a slot a QTimer calls) take one reference away from None. An interview repaints
its meter and emits captions many times a second, so None's count reaches zero within a
minute or two and the interpreter aborts ("none_dealloc: deallocating None").

On Python 3.12+ None, True and False are immortal and the bugs are harmless. On older
Pythons, when a probe shows the bug, this module gives the three singletons the same
treatment: a reference count so large that no session can drain it. They are never freed
anyway, so nothing else changes.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

PINNED_REFERENCES = 1 << 40  # at a thousand lost references a second, 35 years


class _Probe(QObject):
    ping = Signal()


def emit_loses_a_reference() -> bool:
    """True when one emit leaves True with fewer references than before (the PySide6 6.12 bug)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    return sys.getrefcount(True) < before


def _pin(obj: object) -> bool:
    count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is a PyObject's first field
    before = sys.getrefcount(obj)
    count.value += PINNED_REFERENCES
    if sys.getrefcount(obj) - before == PINNED_REFERENCES:
        return True
    count.value -= PINNED_REFERENCES  # not the layout we expected: leave it alone
    return False


def _install() -> bool:
    if sys.version_info >= (3, 12) or getattr(sys, "_mockloop_singletons_pinned", False):
        return False
    if not emit_loses_a_reference():
        return False
    pinned = all([_pin(None), _pin(True), _pin(False)])
    sys._mockloop_singletons_pinned = pinned
    return pinned


installed = _install()
