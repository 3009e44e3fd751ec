from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image as PILImage

from nbtrack.media import Image, is_media, media_blobs, media_ref, thumbnail, thumbs


def pixels(img: Image) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO(img.data)))


class FakeTensor:
    """Just enough of torch.Tensor: detach / cpu / numpy, CHW."""

    def __init__(self, arr, requires_grad=False):
        self._arr = np.asarray(arr)
        self.requires_grad = requires_grad
        self.dtype = f"torch.{self._arr.dtype}"
        self.calls = []

    def detach(self):
        self.calls.append("detach")
        return self

    def cpu(self):
        self.calls.append("cpu")
        return self

    def numpy(self):
        return self._arr


FakeTensor.__module__ = "torch"


def test_float_01_scaled_by_255():
    arr = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    img = Image(arr)
    assert (img.width, img.height, img.format) == (4, 3, "png")
    np.testing.assert_array_equal(pixels(img), (arr * 255).astype(np.uint8))
    assert PILImage.open(io.BytesIO(img.png_bytes)).mode == "L"


def test_float_minus1_1_mapped():
    arr = np.array([[-1.0, 0.0], [0.5, 1.0]])
    np.testing.assert_array_equal(pixels(Image(arr)), (255 * 0.5 * (arr + 1)).astype(np.uint8))


def test_other_ranges_clipped_and_uint8_kept():
    arr = np.array([[-5.0, 100.0], [300.0, 255.0]])
    np.testing.assert_array_equal(pixels(Image(arr)), [[0, 100], [255, 255]])
    u8 = np.arange(0, 256, dtype=np.uint8).reshape(16, 16)
    np.testing.assert_array_equal(pixels(Image(u8)), u8)
    # normalize=False: no rescaling of [0, 1] data
    np.testing.assert_array_equal(pixels(Image(np.array([[0.0, 1.0]]), normalize=False)), [[0, 1]])
    # NaN does not poison the image
    assert pixels(Image(np.array([[np.nan, 0.5]]))).tolist() == [[0, 127]]


def test_hwc_rgb_rgba_and_single_channel():
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    img = Image(rgb)
    assert (img.width, img.height) == (7, 5)
    np.testing.assert_array_equal(pixels(img), rgb)
    rgba = np.random.default_rng(1).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    assert PILImage.open(io.BytesIO(Image(rgba).data)).mode == "RGBA"
    np.testing.assert_array_equal(pixels(Image(rgba)), rgba)
    one = rgb[..., :1]
    np.testing.assert_array_equal(pixels(Image(one)), rgb[..., 0])
    assert Image(rgb[None]).width == 7  # a batch of one
    assert PILImage.open(io.BytesIO(Image(rgb[..., 0], mode="RGB").data)).mode == "RGB"


def test_pil_input():
    pil = PILImage.new("RGB", (9, 4), (10, 20, 30))
    img = Image(pil, caption="solid")
    assert (img.width, img.height, img.caption) == (9, 4, "solid")
    assert pixels(img)[0, 0].tolist() == [10, 20, 30]


def test_path_input_kept_as_is(tmp_path):
    pil = PILImage.new("RGB", (6, 3), (200, 0, 0))
    jpg = tmp_path / "photo.jpg"
    pil.save(jpg, format="JPEG")
    img = Image(str(jpg))
    assert img.data == jpg.read_bytes() and img.format == "jpg" and (img.width, img.height) == (6, 3)
    assert img.to_ref()["path"].endswith(".jpg")
    gif = tmp_path / "anim.gif"
    pil.save(gif, format="GIF")
    assert Image(gif).format == "gif" and Image(gif).data == gif.read_bytes()
    tif = tmp_path / "scan.tiff"
    pil.save(tif, format="TIFF")
    t = Image(tif)  # browsers do not show tiff: re-encoded as PNG
    assert t.format == "png" and t.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such image file"):
        Image(str(tmp_path / "missing.png"))
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    with pytest.raises(ValueError, match="not an image file"):
        Image(bad)


def test_fake_torch_tensor_chw():
    chw = np.zeros((3, 4, 5), dtype=np.float32)
    chw[0] = 1.0  # red channel full
    t = FakeTensor(chw, requires_grad=True)
    img = Image(t)
    assert (img.width, img.height) == (5, 4)
    assert pixels(img)[0, 0].tolist() == [255, 0, 0]
    assert t.calls[:2] == ["detach", "cpu"]
    gray = FakeTensor(np.full((1, 2, 3), 0.5))
    assert pixels(Image(gray)).shape == (2, 3)
    hw = FakeTensor(np.ones((2, 2)))
    assert pixels(Image(hw)).tolist() == [[255, 255], [255, 255]]


def test_fake_matplotlib_figure():
    class Figure:
        def savefig(self, buf, format="png"):
            PILImage.new("RGB", (8, 6), "white").save(buf, format=format.upper())

    Figure.__module__ = "matplotlib.figure"

    class Axes:
        figure = Figure()

    Axes.__module__ = "matplotlib.axes"
    assert (Image(Figure()).width, Image(Figure()).height) == (8, 6)
    assert Image(Axes()).width == 8


def test_real_matplotlib_figure():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.plot([0, 1], [1, 0])
    img = Image(fig, caption="curve")
    assert (img.width, img.height) == (100, 75)
    assert Image(ax).sha256 == img.sha256
    assert Image(plt).width == 100  # pyplot itself: the current figure
    plt.close(fig)


def test_wrong_types_raise_clear_errors():
    for bad in ({"a": 1}, None, 3, object(), ["a", "b"]):
        with pytest.raises(TypeError, match="expected a PIL image, a numpy array"):
            Image(bad)
    with pytest.raises(ValueError, match="unsupported array shape"):
        Image(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="unsupported array shape"):
        Image(np.zeros(10))
    with pytest.raises(ValueError, match="file_type must be one of"):
        Image(np.zeros((2, 2)), file_type="tga")
    with pytest.raises(TypeError, match="boxes"):
        Image(np.zeros((2, 2)), boxes=[1])


def test_jpg_file_type_and_copy():
    rgba = np.full((4, 4, 4), 128, dtype=np.uint8)
    img = Image(rgba, file_type="jpg", caption="a")
    assert img.format == "jpg" and img.data[:2] == b"\xff\xd8"
    copy = Image(img, caption="b")
    assert copy.sha256 == img.sha256 and copy.caption == "b" and copy.format == "jpg"


def test_ref_and_dedup_by_content():
    arr = np.random.default_rng(3).random((8, 8, 3))
    a, b = Image(arr, caption="x"), Image(arr.copy(), caption="y")
    assert a.sha256 == b.sha256 and a.path == b.path
    ref = a.to_ref()
    assert ref == {"_type": "image-file", "sha256": a.sha256, "path": f"media/images/{a.sha256[:20]}.png",
                   "format": "png", "width": 8, "height": 8, "size": len(a.data), "caption": "x"}
    assert "caption" not in Image(arr).to_ref()
    c = Image(arr * 0.5)
    assert c.sha256 != a.sha256
    # the Image froze the pixels: later changes to the array do not leak in
    arr[:] = 0
    assert Image(arr).sha256 != a.sha256


def test_boxes_classes_masks():
    boxes = {"pred": {"box_data": [{"position": {"minX": np.float32(0.1), "maxX": 0.5, "minY": 0.1, "maxY": 0.5},
                                    "class_id": np.int64(1)}], "class_labels": {1: "cat"}}}
    mask = np.zeros((4, 4), dtype=np.uint8)
    mask[1:3, 1:3] = 2
    img = Image(np.zeros((4, 4)), boxes=boxes, masks={"seg": {"mask_data": mask, "class_labels": {2: "dog"}}},
                classes=[{"id": 1, "name": "cat"}])
    ref = img.to_ref()
    assert ref["boxes"]["pred"]["box_data"][0]["class_id"] == 1
    assert ref["boxes"]["pred"]["class_labels"] == {"1": "cat"}
    assert ref["classes"] == [{"id": 1, "name": "cat"}]
    seg = ref["masks"]["seg"]
    assert seg["_type"] == "image-file" and seg["class_labels"] == {"2": "dog"}
    blobs = dict(img.blobs())
    assert pixels_from(blobs[seg["sha256"]]).tolist() == mask.tolist()  # class ids, not rescaled
    import json

    json.dumps(ref)


def pixels_from(data: bytes) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO(data)))


def test_media_helpers():
    a = Image(np.zeros((2, 2)))
    b = Image(np.ones((2, 2)))
    assert is_media(a) and is_media([a, b]) and is_media((a,))
    assert not is_media([]) and not is_media([a, 1]) and not is_media(1.0)
    assert media_ref(a) == a.to_ref()
    gal = media_ref([a, b, a])
    assert gal == {"_type": "images/separated", "count": 3, "items": [a.to_ref(), b.to_ref(), a.to_ref()]}
    assert media_ref("text") is None
    blobs = media_blobs([a, b, a])
    assert [s for s, _ in blobs] == [a.sha256, b.sha256]
    assert media_blobs(3) == []


def test_thumbnail():
    big = np.random.default_rng(4).integers(0, 256, (300, 500, 3), dtype=np.uint8)
    img = Image(big)
    th = thumbnail(img.sha256)
    assert th is not None and th == img.thumbnail()
    t = PILImage.open(io.BytesIO(th))
    assert t.format == "PNG" and max(t.size) == 128 and t.size == (128, 77)
    small = Image(np.zeros((10, 20)))
    assert PILImage.open(io.BytesIO(thumbnail(small.sha256))).size == (20, 10)
    assert thumbnail("0" * 64) is None


def test_thumbnail_cache_is_bounded():
    thumbs.clear()
    imgs = [Image(np.full((4, 4), i, dtype=np.uint8)) for i in range(thumbs.MAX_ENTRIES + 10)]
    assert thumbnail(imgs[0].sha256) is None  # evicted (LRU)
    assert thumbnail(imgs[-1].sha256) is not None
    assert len(thumbs._cache) == thumbs.MAX_ENTRIES


def test_numpy_chw_when_unambiguous():
    chw = np.zeros((3, 6, 8), dtype=np.uint8)
    chw[2] = 255
    img = Image(chw)
    assert (img.width, img.height) == (8, 6) and pixels(img)[0, 0].tolist() == [0, 0, 255]


def test_table_and_histogram_refs():
    import numpy as np

    from nbtrack.media import Histogram, Table, is_media, media_blobs, media_ref

    t = Table(columns=["x", "pred"], data=[[1, 0.5]])
    t.add_data(2, np.float32(0.25))
    assert is_media(t) and media_blobs(t) == []
    assert media_ref(t) == {"_type": "table", "columns": ["x", "pred"], "data": [[1, 0.5], [2, 0.25]],
                            "nrows": 2, "ncols": 2}
    with pytest.raises(ValueError, match="2 columns"):
        t.add_data(1)
    assert list(t.get_dataframe()["pred"]) == [0.5, 0.25]
    h = Histogram(np_histogram=np.histogram([1, 2, 2, 3], bins=3))
    assert media_ref(h)["values"] == [1.0, 2.0, 1.0] and len(media_ref(h)["bins"]) == 4
    with pytest.raises(TypeError, match="sequence"):
        Histogram()
