"""Keep the app offline: hub libraries told not to call home, and a guard that blocks sockets."""

from __future__ import annotations

import contextlib
import os
import socket

# Libraries in our dependency tree that would otherwise look for updates or send telemetry.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
}


def enforce_offline_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


def offline_env_status() -> dict[str, bool]:
    return {key: os.environ.get(key) == value for key, value in OFFLINE_ENV.items()}


class NetworkBlocked(OSError):
    """Raised by the guard when anything tries to open a network connection."""


@contextlib.contextmanager
def network_blocked():
    """Within this block every outbound connection and DNS lookup fails, and is recorded."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[1:] if args and isinstance(args[0], socket.socket) else args)[:200])
        raise NetworkBlocked("network access is blocked: mockloop runs offline")

    saved = (socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo)
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo = saved
