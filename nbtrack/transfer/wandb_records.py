"""Read a wandb ``.wandb`` file (the record log of an offline run) without wandb installed.

The file is a LevelDB-style log (wandb's ``datastore.py``): a 7-byte header
(``":W&B"``, magic 0xBEE1, version 0), then 32 KiB blocks of chunks, each with a 7-byte
header (crc32 of type + data, u16 length, u8 type FULL/FIRST/MIDDLE/LAST). Each whole
record is a protobuf ``wandb_internal.Record``; the few messages an import needs are
decoded here by field number (``wandb/proto/wandb_internal.proto``).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HEADER = struct.pack("<4sHB", b":W&B", 0xBEE1, 0)
BLOCK = 32768
CHUNK_HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
_TYPE_CRC = {t: zlib.crc32(bytes([t])) & 0xFFFFFFFF for t in (FULL, FIRST, MIDDLE, LAST)}

# wandb_internal.Record field numbers
HISTORY, SUMMARY, CONFIG, RUN, EXIT, METRIC = 2, 3, 5, 17, 18, 12


class WandbFileError(ValueError):
    """Not a wandb record log, or a damaged one."""


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(buf):
            raise WandbFileError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """The (field number, value) pairs of one protobuf message, in order."""
    out: list[tuple[int, int | bytes]] = []
    i = 0
    while i < len(buf):
        tag, i = _varint(buf, i)
        num, wire = tag >> 3, tag & 7
        if wire == 0:
            value, i = _varint(buf, i)
            out.append((num, value))
        elif wire == 1:
            out.append((num, buf[i:i + 8]))
            i += 8
        elif wire == 2:
            n, i = _varint(buf, i)
            out.append((num, buf[i:i + n]))
            i += n
        elif wire == 5:
            out.append((num, buf[i:i + 4]))
            i += 4
        else:
            raise WandbFileError(f"unsupported protobuf wire type {wire}")
    return out


def first(msg: list[tuple[int, Any]], num: int, default: Any = None) -> Any:
    """The first value of field ``num``."""
    return next((v for n, v in msg if n == num), default)


def every(msg: list[tuple[int, Any]], num: int) -> list[Any]:
    """All values of a repeated field ``num``."""
    return [v for n, v in msg if n == num]


def text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def chunks_to_records(data: bytes) -> Iterator[bytes]:
    """The whole records of a record log (stops quietly at a torn tail: a crashed run)."""
    if data[:CHUNK_HEADER] != HEADER:
        raise WandbFileError("not a wandb record log (bad header)")
    i = CHUNK_HEADER
    pending: bytes | None = None
    while i + CHUNK_HEADER <= len(data):
        left = BLOCK - i % BLOCK
        if left < CHUNK_HEADER:
            i += left
            continue
        crc, length, kind = struct.unpack("<IHB", data[i:i + CHUNK_HEADER])
        body = data[i + CHUNK_HEADER:i + CHUNK_HEADER + length]
        if kind not in _TYPE_CRC or len(body) < length or zlib.crc32(body, _TYPE_CRC[kind]) & 0xFFFFFFFF != crc:
            return  # zero padding at the end, or a record cut off mid-write
        i += CHUNK_HEADER + length
        if kind == FULL:
            yield body
        elif kind == FIRST:
            pending = body
        elif pending is not None:
            pending += body
            if kind == LAST:
                yield pending
                pending = None


def read_records(path: str | Path) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
    """(record type field number, decoded message) for each record of a ``.wandb`` file."""
    for raw in chunks_to_records(Path(path).read_bytes()):
        for num, value in fields(raw):
            if num in (HISTORY, SUMMARY, CONFIG, RUN, EXIT, METRIC) and isinstance(value, bytes):
                yield num, fields(value)
                break
