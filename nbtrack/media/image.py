"""``Image``: wandb's image value, encoded once at construction.

Like wandb, the pixels are encoded (PNG by default) when the ``Image`` is made, so later
changes to the user's array do not leak into the log. The encoded bytes are content
addressed: ``sha256`` names the blob, and ``to_ref()`` is the small dict that goes into
a history row (``{"_type": "image-file", "sha256", "path", ...}``).
"""

from __future__ import annotations

import hashlib
import io
import os
from typing import Any

from nbtrack.media import convert, thumbs

#: file_type values accepted for arrays / PIL images / figures (as in wandb).
FILE_TYPES = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "bmp": "BMP"}
#: image files whose bytes are kept as they are (browsers show these formats).
KEEP_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "BMP": "bmp", "WEBP": "webp"}

MEDIA_DIR = "media/images"


def _encode(img: Any, file_type: str) -> bytes:
    fmt = FILE_TYPES[file_type]
    if fmt == "JPEG" and img.mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
    elif fmt == "PNG" and img.mode not in ("1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


class Image:
    """An image to log: ``nbtrack.log({"examples": nbtrack.Image(array, caption="x")})``.

    ``data_or_path`` may be a PIL image, a numpy array (H, W), (H, W, 1), (H, W, 3) or
    (H, W, 4), a torch tensor (C, H, W), a matplotlib figure (or axes, or pyplot), a path
    to an image file (png, jpg, gif, bmp, webp are kept byte for byte; other formats
    pillow reads are re-encoded as PNG) or another ``Image`` (copied, with the new
    caption etc.). With ``normalize=True`` (wandb's rule) array values in [0, 1] are
    multiplied by 255, values in [-1, 1] mapped to [0, 255], others clipped to 0..255.
    ``mode`` is the PIL mode to convert array data to ("L", "RGB", "RGBA").
    ``file_type`` ("png" default, "jpg", "jpeg", "bmp") applies to non-file input.
    ``boxes`` and ``classes`` are kept as JSON in the reference; ``masks`` values
    ``{"mask_data": array, "class_labels": {...}}`` are stored as PNG images.
    """

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: dict[str, Any] | None = None,
        masks: dict[str, Any] | None = None,
        file_type: str | None = None,
        normalize: bool = True,
    ) -> None:
        if file_type is not None:
            file_type = str(file_type).lower().lstrip(".")
            if file_type not in FILE_TYPES:
                raise ValueError(f"Image: file_type must be one of {sorted(FILE_TYPES)}, got {file_type!r}")
        self.caption: str | None = None if caption is None else str(caption)
        self.grouping = grouping
        self.classes = _jsonable(classes) if classes is not None else None
        if boxes is not None and not isinstance(boxes, dict):
            raise TypeError('Image: "boxes" must be a dict of {name: {"box_data": [...], ...}}')
        if masks is not None and not isinstance(masks, dict):
            raise TypeError('Image: "masks" must be a dict of {name: {"mask_data": array, ...}}')
        self.boxes = _jsonable(boxes) if boxes else None
        self.masks: dict[str, tuple[Image, Any]] | None = _masks(masks) if masks else None

        if isinstance(data_or_path, Image):
            self._copy(data_or_path)
        elif isinstance(data_or_path, (str, os.PathLike)):
            self._from_path(os.fspath(data_or_path))
        else:
            self._from_data(data_or_path, mode, file_type or "png", normalize)
        self.sha256: str = hashlib.sha256(self.data).hexdigest()
        thumbs.remember(self.sha256, self.data)

    # -- construction -------------------------------------------------------------
    def _copy(self, other: Image) -> None:
        self.data: bytes = other.data
        self.format: str = other.format
        self.width: int = other.width
        self.height: int = other.height
        if self.caption is None:
            self.caption = other.caption
        if self.grouping is None:
            self.grouping = other.grouping
        if self.classes is None:
            self.classes = other.classes

    def _from_path(self, path: str) -> None:
        from PIL import Image as PILImage

        if not os.path.isfile(path):
            raise FileNotFoundError(f"Image: no such image file: {path!r}")
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            with PILImage.open(io.BytesIO(raw)) as img:
                self.width, self.height = img.size
                pil_format = img.format or ""
                if pil_format in KEEP_FORMATS:
                    ext = os.path.splitext(path)[1].lower().lstrip(".")
                    self.format = ext if ext else KEEP_FORMATS[pil_format]
                    self.data = raw
                else:
                    img.load()
                    self.format = "png"
                    self.data = _encode(img, "png")
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValueError(f"Image: {path!r} is not an image file pillow can read ({exc})") from None

    def _from_data(self, data: Any, mode: str | None, file_type: str, normalize: bool) -> None:
        try:
            from PIL import Image as PILImage
        except ImportError:  # pragma: no cover - pillow is a declared extra
            raise ImportError("nbtrack.Image needs pillow: install nbtrack[images]") from None

        img: PILImage.Image
        if convert.is_matplotlib(data):
            png = convert.matplotlib_png(data)
            img = PILImage.open(io.BytesIO(png))
            img.load()
        elif isinstance(data, PILImage.Image):
            img = data
        else:
            arr = convert.to_numpy(data)
            if arr is None:
                raise TypeError(
                    f"Image: cannot make an image from {type(data).__module__}.{type(data).__qualname__};"
                    f" expected {convert.ACCEPTED}"
                )
            img = convert.array_to_pil(arr, mode, normalize)
        self.format = "jpg" if file_type == "jpeg" else file_type
        self.width, self.height = img.size
        self.data = _encode(img, file_type)

    # -- public -------------------------------------------------------------------
    @property
    def png_bytes(self) -> bytes:
        """The encoded image (PNG unless a jpg/bmp file_type or image file was given)."""
        return self.data

    @property
    def path(self) -> str:
        """Where the image lives inside the run: media/images/<sha[:20]>.<format>."""
        return f"{MEDIA_DIR}/{self.sha256[:20]}.{self.format}"

    def to_ref(self) -> dict[str, Any]:
        """The JSON reference stored in a history row or the summary."""
        ref: dict[str, Any] = {
            "_type": "image-file",
            "sha256": self.sha256,
            "path": self.path,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "size": len(self.data),
        }
        if self.caption is not None:
            ref["caption"] = self.caption
        if self.grouping is not None:
            ref["grouping"] = self.grouping
        if self.classes is not None:
            ref["classes"] = self.classes
        if self.boxes:
            ref["boxes"] = self.boxes
        if self.masks:
            ref["masks"] = {
                name: {**mask.to_ref(), **({"class_labels": labels} if labels else {})}
                for name, (mask, labels) in self.masks.items()
            }
        return ref

    def blobs(self) -> list[tuple[str, bytes]]:
        """(sha256, bytes) of every file this image needs stored (itself and masks)."""
        out = [(self.sha256, self.data)]
        for mask, _ in (self.masks or {}).values():
            out.append((mask.sha256, mask.data))
        return out

    def thumbnail(self) -> bytes | None:
        """PNG thumbnail, max 128 px side."""
        return thumbs.thumbnail(self.sha256)

    def _repr_png_(self) -> bytes | None:
        return self.data if self.format == "png" else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Image):
            return NotImplemented
        return self.to_ref() == other.to_ref()

    def __hash__(self) -> int:
        return hash((self.sha256, self.caption))

    def __repr__(self) -> str:
        cap = f", caption={self.caption!r}" if self.caption is not None else ""
        return f"<nbtrack.Image {self.width}x{self.height} {self.format} {self.sha256[:8]}{cap}>"


def _jsonable(value: Any) -> Any:
    """Make box/class descriptions JSON-able (numpy scalars and arrays to Python)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):
        return _jsonable(value.tolist())
    if hasattr(value, "_class_set"):  # a wandb-style Classes object
        return _jsonable(list(value._class_set))
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _masks(masks: dict[str, Any]) -> dict[str, tuple[Image, Any]]:
    out: dict[str, tuple[Image, Any]] = {}
    for name, spec in masks.items():
        if not isinstance(spec, dict) or ("mask_data" not in spec and "path" not in spec):
            raise TypeError(f'Image: mask {name!r} must be a dict with "mask_data" (an array) or "path"')
        source = spec["mask_data"] if "mask_data" in spec else spec["path"]
        mask = Image(source, normalize=False) if "mask_data" in spec else Image(source)
        out[str(name)] = (mask, _jsonable(spec.get("class_labels")))
    return out
