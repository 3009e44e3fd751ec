"""``python worker.py STORE_DIR TAG N``: log N different versions of artifact "shared"."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import nbtrack


def main() -> None:
    root, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.environ["NBTRACK_LIVE"] = "0"
    Path(root, f"ready-{tag}").write_text("")
    while not Path(root, "GO").exists():  # start together
        time.sleep(0.005)
    run = nbtrack.init(project="p", dir=root, name=tag)
    arts = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            f = Path(tmp, "weights.bin")
            f.write_bytes(f"{tag}-{i}".encode() * 100)
            art = nbtrack.Artifact("shared", "model", metadata={"tag": tag, "i": i})
            art.add_file(str(f))
            arts.append(run.log_artifact(art))
            run.log({"i": i})
            art.wait()  # one commit per version, so the two processes interleave
        versions = [a.wait().version_index for a in arts]
    run.finish()
    print(json.dumps({"tag": tag, "versions": versions, "digests": [a.digest for a in arts]}), flush=True)


if __name__ == "__main__":
    main()
