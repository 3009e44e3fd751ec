"""``Video``: a clip from frames (an array, encoded as an animated GIF) or a video file."""

from __future__ import annotations

import io
from typing import Any

from . import convert
from .filemedia import MediaFile, read_source

#: video file formats kept byte for byte (browsers play mp4, webm, ogg; gif is an image)
VIDEO_FORMATS = ("gif", "mp4", "webm", "ogg", "ogv", "mov")


def tile_batch(arr: Any) -> Any:
    """(N, T, C, H, W) -> (T, C, H', W'): the batch laid out as a grid, as wandb does."""
    import numpy as np

    n, t, c, h, w = arr.shape
    rows = 2 ** ((n.bit_length() - 1) // 2)
    cols = -(-n // rows)
    if rows * cols > n:
        arr = np.concatenate([arr, np.zeros((rows * cols - n, t, c, h, w), dtype=arr.dtype)])
    arr = arr.reshape(rows, cols, t, c, h, w).transpose(2, 3, 0, 4, 1, 5)
    return arr.reshape(t, c, rows * h, cols * w)


def encode_gif(frames: Any, fps: float) -> tuple[bytes, int, int, int]:
    """An animated GIF from (T, C, H, W) or (N, T, C, H, W) frames (C = 1, 3 or 4);
    returns (bytes, width, height, frame count). Values are scaled like Image's."""
    import numpy as np
    from PIL import Image as PILImage

    arr = np.asarray(frames)
    if arr.ndim == 5:
        arr = tile_batch(arr)
    if arr.ndim != 4 or arr.shape[1] not in (1, 3, 4):
        raise ValueError(f"Video: expected frames of shape (time, channel, height, width) or (batch, time, channel, "
                         f"height, width) with 1, 3 or 4 channels, got {tuple(np.asarray(frames).shape)}")
    arr = convert.rescale_to_uint8(arr)
    images = []
    for frame in arr:
        hwc = np.moveaxis(frame, 0, -1)
        images.append(PILImage.fromarray(hwc[..., 0] if hwc.shape[-1] == 1 else hwc).convert("RGB"))
    out = io.BytesIO()
    duration = max(int(round(1000 / float(fps))), 20)
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0)
    return out.getvalue(), images[0].width, images[0].height, len(images)


class Video(MediaFile):
    """A video to log: ``nbtrack.Video(frames, fps=4)`` with frames (time, channel, height,
    width) or a batch of them, or ``nbtrack.Video("clip.mp4")``.

    Frames are encoded as an animated GIF (wandb's default ``format``); other formats
    need a file: nbtrack bundles no video encoder.
    """

    TYPE = "video-file"
    MEDIA_DIR = "media/videos"

    def __init__(self, data_or_path: Any, caption: str | None = None, fps: float | None = None,
                 format: str | None = None) -> None:
        self.fps: float | None = fps
        self.width: int | None = None
        self.height: int | None = None
        self.frames: int | None = None
        arr = None if isinstance(data_or_path, (str, bytes)) or hasattr(data_or_path, "read") else convert.to_numpy(data_or_path)
        if arr is not None:
            if format not in (None, "gif"):
                raise ValueError(f"Video: nbtrack encodes frames as GIF only; pass format='gif' or log a "
                                 f"{format} file path instead.")
            self.fps = fps or 4
            data, self.width, self.height, self.frames = encode_gif(arr, self.fps)
            fmt = "gif"
        else:
            data, fmt = read_source(data_or_path, "Video")
            fmt = (format or fmt or "mp4").lower()
            if fmt not in VIDEO_FORMATS:
                raise ValueError(f"Video: {fmt!r} files are not supported; use one of {', '.join(VIDEO_FORMATS)}.")
        super().__init__(data, fmt, caption)

    def extra_ref(self) -> dict[str, Any]:
        return {k: v for k, v in (("width", self.width), ("height", self.height), ("fps", self.fps),
                                  ("frames", self.frames)) if v is not None}
