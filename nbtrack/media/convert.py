"""Turn what users pass to ``Image`` into a PIL image, the way wandb does.

torch and matplotlib are never imported here: they are recognised by the module their
type comes from, and used only through the object's own methods.
"""

from __future__ import annotations

import io
import types
from typing import Any

ACCEPTED = (
    "a PIL image, a numpy array of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), "
    "a torch tensor (C, H, W), a matplotlib figure, a path to an image file, "
    "or another nbtrack.Image"
)


def type_module(obj: Any) -> str:
    """The top-level module an object's type comes from ("torch", "matplotlib", ...)."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__.split(".")[0]
    return (getattr(type(obj), "__module__", "") or "").split(".")[0]


def is_torch_tensor(obj: Any) -> bool:
    """A torch tensor (by its type's module), used only through .detach/.cpu/.numpy."""
    return type_module(obj) == "torch" and hasattr(obj, "cpu") and hasattr(obj, "numpy")


def is_matplotlib(obj: Any) -> bool:
    """A matplotlib figure, artist (axes...) or the pyplot module itself."""
    return type_module(obj) == "matplotlib"


def matplotlib_png(obj: Any) -> bytes:
    """Render a matplotlib figure (or the figure of an artist, or pyplot's current one)."""
    if isinstance(obj, types.ModuleType):
        obj = obj.gcf()  # matplotlib.pyplot passed itself
    fig = obj
    if not hasattr(fig, "savefig"):
        fig = getattr(obj, "figure", None) or getattr(obj, "get_figure", lambda: None)()
    if fig is None or not hasattr(fig, "savefig"):
        raise TypeError(f"Image: cannot find a figure in matplotlib object {type(obj).__name__}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def torch_to_numpy(tensor: Any) -> Any:
    """A CPU numpy array from a torch tensor, channels moved last (CHW -> HWC)."""
    import numpy as np

    t = tensor.detach() if hasattr(tensor, "detach") else tensor
    t = t.cpu()
    if "bfloat16" in str(getattr(t, "dtype", "")):
        t = t.float()  # numpy has no bfloat16
    arr = np.asarray(t.numpy())
    while arr.ndim > 3 and arr.shape[0] == 1:
        arr = arr[0]  # a batch of one
    if arr.ndim == 3 and arr.shape[0] in (1, 3, 4):
        arr = np.moveaxis(arr, 0, -1)
    return arr


def to_numpy(data: Any) -> Any:
    """A numpy array from an ndarray, a torch tensor or anything array-like; else None."""
    import numpy as np

    if isinstance(data, np.ndarray):
        return data
    if is_torch_tensor(data):
        return torch_to_numpy(data)
    if isinstance(data, (str, bytes, dict, set)) or data is None:
        return None
    if hasattr(data, "__array__") or hasattr(data, "__array_interface__"):
        return np.asarray(data)
    if hasattr(data, "numpy") and callable(data.numpy):  # e.g. TF eager tensors
        return np.asarray(data.numpy())
    if isinstance(data, (list, tuple)):
        try:
            arr = np.asarray(data)
        except Exception:  # boundary: user data numpy cannot take is simply not an image array
            return None
        return arr if arr.dtype.kind in "biuf" else None
    return None


def shape_for_pil(arr: Any) -> Any:
    """Squeeze trivial axes and move a leading channel axis; raise on other shapes."""
    import numpy as np

    shape = tuple(arr.shape)
    while arr.ndim > 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim == 3 and arr.shape[0] in (1, 3, 4) and arr.shape[-1] > 4:
        arr = np.moveaxis(arr, 0, -1)  # CHW numpy (e.g. a tensor's .numpy()), unambiguous
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4)):
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(f"Image: empty image of shape {shape}")
        return arr
    raise ValueError(
        f"Image: unsupported array shape {shape}; expected (H, W), (H, W, 1), (H, W, 3) "
        "or (H, W, 4) (or (C, H, W) for a torch tensor)"
    )


def rescale_to_uint8(arr: Any, normalize: bool = True) -> Any:
    """wandb's rule: [0, 1] -> *255, [-1, 1] -> (x + 1) * 127.5, else clip to 0..255."""
    import numpy as np

    if arr.dtype == np.uint8 and (not normalize or arr.size == 0 or int(arr.max()) > 1):
        return arr
    if arr.dtype.kind == "b":
        arr = arr.astype(np.uint8)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"Image: array of dtype {arr.dtype} is not numeric")
    if not normalize:
        if arr.dtype.kind == "f":
            arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
        return np.clip(arr, 0, 255).astype(np.uint8)
    data = arr.astype(np.float64) if arr.dtype.kind != "f" else arr
    if data.dtype.kind == "f" and not np.isfinite(data).all():
        data = np.nan_to_num(data, nan=0.0, posinf=255.0, neginf=0.0)
    lo, hi = float(data.min()), float(data.max())
    if lo >= 0 and hi <= 1:
        out = data * 255
    elif lo >= -1 and hi <= 1:
        out = 255 * 0.5 * (data + 1)
    else:
        out = np.clip(data, 0, 255)
    return out.astype(np.uint8)


def array_to_pil(arr: Any, mode: str | None, normalize: bool) -> Any:
    """A PIL image from an array, after wandb's normalisation."""
    from PIL import Image as PILImage

    arr = shape_for_pil(arr)
    arr = rescale_to_uint8(arr, normalize)
    img = PILImage.fromarray(arr)
    if mode and img.mode != mode:
        img = img.convert(mode)
    return img
