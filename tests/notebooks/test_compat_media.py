"""wandb media beyond images (Audio, Video, Html, Object3D, Molecule) logged from a
notebook with `import nbtrack as wandb`: content-addressed blobs and references in the
store, and the run page's playable list."""

from __future__ import annotations

import io
import json
import wave

import pytest

import nbtrack

MEDIA_CELLS = [
    "import numpy as np\nimport torch\nimport nbtrack as wandb",
    """run = wandb.init(project="media-demo")
sr = 16000
t = np.linspace(0, 1, sr, endpoint=False)
tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
wandb.log({"examples": [wandb.Audio(tone, caption="A4", sample_rate=sr),
                        wandb.Audio(tone * 0.5, caption="quiet", sample_rate=sr)]})
frames = np.random.default_rng(0).integers(0, 255, (10, 3, 32, 48), dtype=np.uint8)
wandb.log({"video": wandb.Video(frames, fps=4, caption="noise"),
           "batch": wandb.Video(torch.rand(4, 6, 1, 8, 8)),
           "report": wandb.Html("<h1>Results</h1><script>alert('x')</script>"),
           "point_cloud": wandb.Object3D(np.random.default_rng(1).random((100, 3))),
           "scene": wandb.Object3D.from_point_cloud(points=np.zeros((5, 6)),
                                                     boxes=[{"corners": [[0, 0, 0]] * 8, "label": "car"}])})
with open("mol.pdb", "w") as f:
    f.write("ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\\nEND\\n")
with open("page.html", "w") as f:
    f.write("<p>from a file</p>")
wandb.log({"molecule": wandb.Molecule("mol.pdb"), "page": wandb.Html("page.html")})
wandb.finish()""",
    """try:
    wandb.Audio(np.zeros(10))
except ValueError as e:
    print("ERR", e)""",
]


def test_media_types_land_in_the_store(run_notebook, monkeypatch, tmp_path):
    pytest.importorskip("torch", reason="the notebook logs torch tensors as media")
    store = tmp_path / "media-store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    nb = run_notebook(MEDIA_CELLS)
    assert "sample_rate is required" in nb.cells[2].outputs[0]["text"]

    run = nbtrack.Api(dir=store).runs("media-demo")[0]
    files = {f.name: f for f in run.files() if f.kind == "media"}
    history = run.history()
    examples = history["examples"].dropna().iloc[0]
    assert examples["_type"] == "media/separated" and examples["count"] == 2
    first = examples["items"][0]
    assert first["_type"] == "audio-file" and first["sample_rate"] == 16000 and first["duration"] == 1.0
    assert first["caption"] == "A4"
    with wave.open(io.BytesIO(files[first["path"]].read())) as w:
        assert w.getframerate() == 16000 and w.getnframes() == 16000 and w.getsampwidth() == 2

    video = run.summary["video"]
    assert video["_type"] == "video-file" and video["format"] == "gif" and video["frames"] == 10
    assert (video["width"], video["height"]) == (48, 32)
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(files[video["path"]].read())) as gif:
        assert gif.n_frames == 10 and gif.size == (48, 32)
    batch = run.summary["batch"]  # 4 clips tiled 2 x 2
    assert (batch["width"], batch["height"], batch["frames"]) == (16, 16, 6)

    report = run.summary["report"]
    assert report["_type"] == "html-file" and b"<h1>Results</h1>" in files[report["path"]].read()
    assert files[run.summary["page"]["path"]].read() == b"<p>from a file</p>"
    cloud = run.summary["point_cloud"]
    assert cloud["_type"] == "object3D-file" and cloud["points"] == 100
    assert len(json.loads(files[cloud["path"]].read())) == 100
    scene = json.loads(files[run.summary["scene"]["path"]].read())
    assert scene["type"] == "lidar/beta" and scene["boxes"][0]["label"] == "car"
    mol = run.summary["molecule"]
    assert mol["_type"] == "molecule-file" and mol["format"] == "pdb"
    # content-addressed: the blob's name is the sha256 of its bytes
    for ref in (first, video, report, cloud, mol):
        assert files[ref["path"]].sha256 == ref["sha256"]

    # the run page gets audio, video and HTML to play; 3D and molecules stay listed
    from nbtrack.runs_table.media import playable

    shown = {m["name"]: m for m in playable(run.files())}
    kinds = sorted(m["kind"] for m in shown.values())
    assert kinds == ["audio", "audio", "gif", "gif", "html", "html"]
    assert shown[first["path"]]["src"].startswith("data:audio/wav;base64,")
    assert "<script>" in shown[report["path"]]["html"]  # shown in an iframe sandboxed without scripts


def test_media_errors_say_what_to_do(tmp_path):
    import numpy as np

    with pytest.raises(ValueError, match="GIF only"):
        nbtrack.Video(np.zeros((2, 3, 4, 4), dtype=np.uint8), format="mp4")
    with pytest.raises(ValueError, match="shape"):
        nbtrack.Video(np.zeros((2, 5, 4, 4), dtype=np.uint8))
    (tmp_path / "x.xyz").write_text("1")
    with pytest.raises(ValueError, match="not a 3D format"):
        nbtrack.Object3D(str(tmp_path / "x.xyz"))
    with pytest.raises(ValueError, match="not a molecule format"):
        nbtrack.Molecule(str(tmp_path / "x.xyz"))
    with pytest.raises(FileNotFoundError):
        nbtrack.Audio(str(tmp_path / "missing.wav"))
