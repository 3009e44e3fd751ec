"""``Audio``: a sound clip from a numpy array (encoded as 16-bit WAV) or an audio file."""

from __future__ import annotations

import io
import wave
from typing import Any

from . import convert
from .filemedia import MediaFile, read_source

#: audio file formats browsers play, kept byte for byte
AUDIO_FORMATS = ("wav", "mp3", "ogg", "oga", "flac", "m4a", "aac", "opus", "webm")


def encode_wav(samples: Any, sample_rate: int) -> tuple[bytes, int]:
    """16-bit PCM WAV bytes from a (n,) or (n, channels) array; returns (bytes, frames).

    Floats are taken as [-1, 1] (clipped); int16 is kept; other integers are scaled
    from their type's range.
    """
    import numpy as np

    arr = np.asarray(samples)
    if arr.ndim == 2 and arr.shape[0] in (1, 2) and arr.shape[1] > 2:
        arr = arr.T  # (channels, n) -> (n, channels)
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"Audio: expected samples of shape (n,) or (n, channels), got {tuple(arr.shape)}")
    if arr.dtype.kind == "f":
        pcm = (np.clip(np.nan_to_num(arr), -1.0, 1.0) * 32767).astype("<i2")
    elif arr.dtype == np.int16:
        pcm = arr.astype("<i2")
    elif arr.dtype.kind in "iu":
        info = np.iinfo(arr.dtype)
        scaled = (arr.astype(np.float64) - info.min) / (float(info.max) - info.min) * 2 - 1
        pcm = (scaled * 32767).astype("<i2")
    else:
        raise TypeError(f"Audio: samples of dtype {arr.dtype} are not numeric")
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(np.ascontiguousarray(pcm).tobytes())
    return out.getvalue(), pcm.shape[0]


class Audio(MediaFile):
    """Audio to log: ``nbtrack.Audio(samples, sample_rate=16000, caption="x")`` or
    ``nbtrack.Audio("clip.mp3")``. Arrays (numpy, torch) become WAV files."""

    TYPE = "audio-file"
    MEDIA_DIR = "media/audio"

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None) -> None:
        self.sample_rate: int | None = None
        self.duration: float | None = None
        arr = None if isinstance(data_or_path, (str, bytes)) or hasattr(data_or_path, "read") else convert.to_numpy(data_or_path)
        if arr is not None:
            if not sample_rate or int(sample_rate) <= 0:
                raise ValueError("Audio: sample_rate is required when the audio is an array, e.g. "
                                 "nbtrack.Audio(samples, sample_rate=16000).")
            data, frames = encode_wav(arr, int(sample_rate))
            self.sample_rate = int(sample_rate)
            self.duration = frames / self.sample_rate
            fmt = "wav"
        else:
            data, fmt = read_source(data_or_path, "Audio")
            fmt = fmt or "wav"
            if fmt not in AUDIO_FORMATS:
                raise ValueError(f"Audio: {fmt!r} files are not supported; use one of {', '.join(AUDIO_FORMATS)}.")
            self.sample_rate = int(sample_rate) if sample_rate else None
        super().__init__(data, fmt, caption)

    def extra_ref(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sample_rate is not None:
            out["sample_rate"] = self.sample_rate
        if self.duration is not None:
            out["duration"] = self.duration
        return out

    @classmethod
    def durations(cls, audio_list: list[Audio]) -> list[float | None]:
        """Durations (seconds) of the clips made from arrays; None for files."""
        return [a.duration for a in audio_list]

    @classmethod
    def sample_rates(cls, audio_list: list[Audio]) -> list[int | None]:
        """Sample rates of the clips."""
        return [a.sample_rate for a in audio_list]
