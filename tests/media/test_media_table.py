"""Table cells (images, arrays, numbers) and Histogram's wandb names, without a kernel."""

from __future__ import annotations

import numpy as np

import nbtrack
from nbtrack.media import media_blobs


def test_image_cells_stay_images_and_store_as_refs():
    img = nbtrack.Image(np.zeros((4, 4, 3)), caption="zero")
    gallery = [nbtrack.Image(np.ones((2, 2))), nbtrack.Image(np.full((2, 2), 0.5))]
    table = nbtrack.Table(columns=["img", "many", "emb", "score"], data=[[img, gallery, np.arange(3.0), np.float32(0.5)]])
    table.add_column("label", ["a"])
    assert table.data[0][0] is img and table.get_column("img") == [img]
    ref = table.to_ref()
    assert ref["data"][0][0] == img.to_ref() and [c["_type"] for c in ref["data"][0][1]] == ["image-file"] * 2
    assert ref["data"][0][2:] == [[0.0, 1.0, 2.0], 0.5, "a"]  # an array in a cell keeps its values
    assert {sha for sha, _ in media_blobs(table)} == {img.sha256, *(g.sha256 for g in gallery)}
    rebuilt = nbtrack.Table.from_ref(ref)
    assert rebuilt.columns == table.columns and rebuilt.data[0][0]["caption"] == "zero"
    assert [i for i, _ in table.iterrows()] == [0]


def test_histogram_has_wandbs_names():
    h = nbtrack.Histogram(np_histogram=(np.array([1, 2]), np.array([0.0, 1.0, 2.0])))
    assert h.histogram == [1.0, 2.0] == h.values and h.bins == [0.0, 1.0, 2.0]
    assert h.to_ref() == {"_type": "histogram", "values": [1.0, 2.0], "bins": [0.0, 1.0, 2.0]}


def test_nested_summary_on_the_run():
    run = nbtrack.init(project="nested", live=False)
    run.log({"a": {"b": 1, "c": {"d": 2}}})
    run.summary["e"] = {"f": 3}
    assert run.summary["a"] == {"b": 1, "c": {"d": 2}} and run.summary["e"]["f"] == 3
    assert "a" in run.summary and run.summary.get("a")["c"]["d"] == 2
    assert set(run.summary.keys()) == {"a/b", "a/c/d", "e/f"}
    del run.summary["e"]
    assert "e" not in run.summary
    run.finish()


def test_any_media_value_in_a_cell_is_kept_as_its_reference():
    hist = nbtrack.Histogram([1, 2, 2, 3], num_bins=3)
    masked = nbtrack.Image(np.zeros((4, 4)), masks={"pred": {"mask_data": np.eye(4, dtype=np.uint8)}})
    table = nbtrack.Table(columns=["h", "img"], data=[[hist, masked]])
    ref = table.to_ref()
    assert ref["data"][0][0] == hist.to_ref() and ref["data"][0][1]["masks"]["pred"]["_type"] == "image-file"
    assert len(media_blobs(table)) == 2  # the image and its mask


def test_media_set_in_the_summary_is_stored_like_logged_media():
    run = nbtrack.init(project="summary-media", live=False)
    img = nbtrack.Image(np.zeros((3, 3)))
    run.summary["best_image"] = img
    run.summary.update({"table": nbtrack.Table(columns=["img"], data=[[nbtrack.Image(np.ones((3, 3)))]])})
    run.finish()
    stored = nbtrack.Api().run(run.id)
    assert stored.summary["best_image"] == img.to_ref()  # was the text "<nbtrack.Image ...>"
    assert stored.summary["table"]["data"][0][0]["_type"] == "image-file"
    assert {f.name for f in stored.files() if f.kind == "media"} == {img.path, stored.summary["table"]["data"][0][0]["path"]}
