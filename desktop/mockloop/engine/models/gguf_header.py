"""Read a GGUF file's header to catch truncation and learn its size before llama.cpp loads it."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

MAGIC = b"GGUF"

# ggml tensor types: id -> (elements per block, bytes per block).
_TYPE_SIZES = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
    16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110),
    22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
    29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66), 39: (32, 17),
}
# Scalar metadata value types: id -> struct format.
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


class GGUFFormatError(ValueError):
    """The bytes are not a GGUF file, or it ends before its own header says it should."""

    def __init__(self, message: str, truncated: bool = False) -> None:
        super().__init__(message)
        self.truncated = truncated


@dataclass
class GGUFInfo:
    version: int
    metadata: dict = field(default_factory=dict)
    n_tensors: int = 0
    n_parameters: int = 0
    required_bytes: int = 0  # where the last tensor's data ends
    file_bytes: int = 0

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name") or self.metadata.get("general.architecture") or "")


class _Reader:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh

    def take(self, fmt: str):
        size = struct.calcsize("<" + fmt)
        raw = self.fh.read(size)
        if len(raw) != size:
            raise GGUFFormatError("the file ends inside its header", truncated=True)
        return struct.unpack("<" + fmt, raw)[0]

    def string(self) -> str:
        length = self.take("Q")
        if length > 1 << 24:
            raise GGUFFormatError("a header string is implausibly long; the file is damaged")
        raw = self.fh.read(length)
        if len(raw) != length:
            raise GGUFFormatError("the file ends inside its header", truncated=True)
        return raw.decode("utf-8", errors="replace")

    def value(self, vtype: int, keep: bool = True):
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            etype, count = self.take("I"), self.take("Q")
            items = [self.value(etype, keep=False) for _ in range(count)]
            return items if keep and count <= 64 else f"<array of {count}>"
        raise GGUFFormatError(f"unknown metadata type {vtype}; the file is damaged or from a newer format")


def read_gguf_header(path: Path) -> GGUFInfo:
    """Parse the header and tensor table; raise GGUFFormatError if the file is not whole."""
    path = Path(path)
    file_bytes = path.stat().st_size
    with path.open("rb") as fh:
        magic = fh.read(4)
        if magic != MAGIC:
            raise GGUFFormatError(f"it does not start with the GGUF signature (found {magic!r})")
        r = _Reader(fh)
        version = r.take("I")
        if version not in (2, 3):
            raise GGUFFormatError(f"GGUF version {version} is not supported (2 or 3 expected)")
        n_tensors, n_kv = r.take("Q"), r.take("Q")
        info = GGUFInfo(version=version, n_tensors=n_tensors, file_bytes=file_bytes)
        for _ in range(n_kv):
            key = r.string()
            info.metadata[key] = r.value(r.take("I"))
        last_offset, last_size = 0, 0
        for _ in range(n_tensors):
            r.string()
            dims = [r.take("Q") for _ in range(r.take("I"))]
            ttype, offset = r.take("I"), r.take("Q")
            elements = 1
            for d in dims:
                elements *= d
            info.n_parameters += elements
            block, nbytes = _TYPE_SIZES.get(ttype, (1, 0))
            if offset >= last_offset:
                last_offset, last_size = offset, elements // block * nbytes
        alignment = int(info.metadata.get("general.alignment", 32) or 32)
        data_start = -(-fh.tell() // alignment) * alignment
    info.required_bytes = data_start + last_offset + last_size
    if info.required_bytes > file_bytes:
        raise GGUFFormatError(
            f"it is {file_bytes:,} bytes but its tensors need {info.required_bytes:,} bytes", truncated=True
        )
    return info
