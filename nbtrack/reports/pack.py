"""The bytes a report page carries: its JSON and its curve arrays in one gzip'd block.

Layout before compression (little-endian): ``b"NBTR"``, u32 format version, u32 length
of the JSON, the JSON (UTF-8), zero padding to a multiple of 8, then each array at an
offset (from the start of the array section) that is a multiple of 8. The JSON's
``"arrays"`` lists ``[offset, count, "f8" | "f4"]`` per array, in the order of
``ReportData.arrays``. The block is gzip'd and base64'd into the page; the browser
inflates it with ``DecompressionStream("gzip")`` (js/src/report/load.ts).
"""

from __future__ import annotations

import base64
import gzip
import json
import struct

import numpy as np

from .collect import ReportData

MAGIC = b"NBTR"
VERSION = 1
_KINDS = {np.dtype("<f8"): "f8", np.dtype("<f4"): "f4"}


def _pad(n: int) -> int:
    return (-n) % 8


def pack(data: ReportData, level: int = 6) -> bytes:
    """The uncompressed block (see the module doc)."""
    specs, offset = [], 0
    for arr in data.arrays:
        kind = _KINDS.get(arr.dtype)
        if kind is None:
            raise TypeError(f"report arrays are <f8 or <f4, not {arr.dtype}")
        specs.append([offset, int(arr.size), kind])
        offset += arr.nbytes + _pad(arr.nbytes)
    meta = dict(data.meta, arrays=specs)
    text = json.dumps(meta, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    parts = [MAGIC, struct.pack("<II", VERSION, len(text)), text, b"\0" * _pad(len(text) + 12)]
    for arr in data.arrays:
        raw = np.ascontiguousarray(arr).tobytes()
        parts += [raw, b"\0" * _pad(len(raw))]
    return b"".join(parts)


def encode(data: ReportData, level: int = 6) -> str:
    """gzip + base64 of :func:`pack`: the text placed in the page."""
    return base64.b64encode(gzip.compress(pack(data), compresslevel=level, mtime=0)).decode("ascii")


def decode(text: str) -> tuple[dict, list[np.ndarray]]:
    """Inverse of :func:`encode` (tests, and reading a report back)."""
    raw = gzip.decompress(base64.b64decode(text))
    if raw[:4] != MAGIC:
        raise ValueError("not an nbtrack report block")
    _version, n = struct.unpack("<II", raw[4:12])
    meta = json.loads(raw[12:12 + n].decode("utf-8"))
    start = 12 + n + _pad(12 + n)
    arrays = [np.frombuffer(raw, dtype="<" + kind, count=count, offset=start + off)
              for off, count, kind in meta["arrays"]]
    return meta, arrays
