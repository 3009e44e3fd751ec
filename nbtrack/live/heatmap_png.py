"""A histogram heat-map as a small PNG (no imaging library): for the static picture."""

from __future__ import annotations

import struct
import zlib

import numpy as np

LOW = np.array([255.0, 255.0, 255.0])  # an empty cell
HIGH = np.array([8.0, 48.0, 107.0])  # the fullest cell of a column


def project(counts: np.ndarray, lo: float, hi: float, edges: np.ndarray) -> np.ndarray:
    """Counts over equal bins of [lo, hi] spread onto the bins between `edges`."""
    source = np.linspace(lo, hi, len(counts) + 1)
    cum = np.concatenate(([0.0], np.cumsum(counts, dtype=float)))
    return np.diff(np.interp(edges, source, cum, left=0.0, right=float(cum[-1])))


def heatmap_rgb(columns: list[np.ndarray], lo: list[float], hi: list[float], rows: int) -> tuple[np.ndarray, float, float]:
    """(rows x columns x 3 uint8 image, value low, value high): one column per step, each
    scaled to its own maximum, the highest values on the top row."""
    vlo, vhi = min(lo), max(hi)
    if not vhi > vlo:
        vlo, vhi = vlo - 0.5, vhi + 0.5
    edges = np.linspace(vlo, vhi, rows + 1)
    image = np.empty((rows, len(columns), 3))
    for i, (c, a, b) in enumerate(zip(columns, lo, hi)):
        col = project(np.asarray(c, float), a, b, edges)
        top = col.max()
        level = col / top if top > 0 else col
        image[:, i, :] = (LOW + (HIGH - LOW) * level[:, None])[::-1]
    return np.clip(np.round(image), 0, 255).astype(np.uint8), vlo, vhi


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an (h, w, 3) uint8 array as PNG."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
