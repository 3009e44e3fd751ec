"""Tables and images inside artifacts: `artifact.add(table, "name")`, `artifact.get("name")`.

An object is kept as a JSON file named as wandb names it (`name.table.json`,
`name.image-file.json`, `name.partitioned-table.json`, `name.joined-table.json`), and
every image (or other media file) it holds as its own file under the path its reference
names (`media/images/...`; content addressed, so an image shared by two tables or
versions is stored once). `get` rebuilds
the object: a Table whose image cells are `Image` objects again, a PartitionedTable with
its parts loaded, a JoinedTable whose two tables are loaded.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

from ..media import Image, JoinedTable, PartitionedTable, Table, media_path
from ..media.table_sets import JOINED_TYPE, PARTITIONED_TYPE
from .download import source_of

if TYPE_CHECKING:
    from .artifact import Artifact
    from .manifest import ArtifactEntry

SUFFIXES = {Table: ".table.json", Image: ".image-file.json", PartitionedTable: ".partitioned-table.json",
            JoinedTable: ".joined-table.json"}
ALL_SUFFIXES = tuple(SUFFIXES.values())


def entry_name(obj: Any, name: str) -> str:
    """The file name an object gets in the artifact ("preds" -> "preds.table.json")."""
    suffix = SUFFIXES[type(obj)]
    return name if name.endswith(suffix) else name + suffix


def add_object(art: Artifact, obj: Any, name: str, overwrite: bool = False) -> ArtifactEntry:
    """Add a Table, Image, PartitionedTable or JoinedTable under `name`; its JSON entry."""
    if type(obj) not in SUFFIXES:
        raise TypeError(f"nbtrack.Artifact.add: cannot add a {type(obj).__name__}; add a Table, Image, "
                        "PartitionedTable or JoinedTable (use add_file/add_dir for files).")
    if not isinstance(name, str) or not name:
        raise ValueError("nbtrack.Artifact.add: name must be a non-empty string such as 'predictions'.")
    target = entry_name(obj, name)
    if isinstance(obj, Table):
        ref: dict[str, Any] = obj.to_ref()
        media = obj.media()
    elif isinstance(obj, Image):
        ref, media = obj.to_ref(), [obj]
    elif isinstance(obj, PartitionedTable):
        ref, media = obj.to_ref(), []
    else:
        tables = []
        for i, table in enumerate((obj.table1, obj.table2), start=1):
            if isinstance(table, Table):
                tables.append(add_object(art, table, f"{name}_table{i}", overwrite).path)
            else:
                tables.append(table if table.endswith(".table.json") else table + ".table.json")
        ref, media = {"_type": JOINED_TYPE, "table1": tables[0], "table2": tables[1],
                      "join_key": list(obj.join_key)}, []
    for item in media:  # each media file under the path its reference names
        item_ref = item.to_ref()
        for sha, data in item.blobs():
            path = media_path(item_ref, sha)
            if path not in art._entries:
                _add_bytes(art, path, data, overwrite)
    return _add_bytes(art, target, json.dumps(ref, ensure_ascii=False).encode("utf-8"), overwrite)


def _add_bytes(art: Artifact, target: str, data: bytes, overwrite: bool) -> ArtifactEntry:
    tmpdir = tempfile.mkdtemp(prefix="nbtrack-artifact-object-")
    try:
        path = os.path.join(tmpdir, os.path.basename(target))
        with open(path, "wb") as fh:
            fh.write(data)
        return art.add_file(path, name=target, overwrite=overwrite)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def get_object(art: Artifact, name: str) -> Any:
    """The object added as `name` (with or without its suffix); KeyError if there is none."""
    entry = _find(art, name)
    if entry is None:
        raise KeyError(f"artifact {art.name!r} has no table or image named {name!r}; "
                       f"its objects are {[p for p in art._entries if p.endswith(ALL_SUFFIXES)]}")
    with open(source_of(art, entry), "rb") as fh:
        ref = json.loads(fh.read().decode("utf-8"))
    kind = ref.get("_type") if isinstance(ref, dict) else None
    if kind == "table":
        return Table.from_ref(ref, lambda cell: _image(art, cell))
    if kind == "image-file":
        return _image(art, ref)
    if kind == PARTITIONED_TYPE:
        pt = PartitionedTable(ref["parts_path"])
        prefix = pt.parts_path + "/"
        pt.parts = [get_object(art, p) for p in sorted(art._entries) if p.startswith(prefix) and p.endswith(".table.json")]
        return pt
    if kind == JOINED_TYPE:
        return JoinedTable(get_object(art, ref["table1"]), get_object(art, ref["table2"]), tuple(ref["join_key"]))
    raise KeyError(f"artifact {art.name!r}: {entry.path!r} is not a table or image nbtrack can read.")


def _find(art: Artifact, name: str) -> ArtifactEntry | None:
    for candidate in (name, *(name + s for s in ALL_SUFFIXES)):
        entry = art._entries.get(candidate)
        if entry is not None and candidate.endswith(ALL_SUFFIXES):
            return entry
    return None


def _image(art: Artifact, ref: dict[str, Any]) -> Image:
    entry = art._entries.get(str(ref.get("path")))
    if entry is None:
        raise KeyError(f"artifact {art.name!r} is missing the image {ref.get('path')!r} a table refers to.")
    img = Image(source_of(art, entry), caption=ref.get("caption"))
    if "boxes" in ref:
        img.boxes = ref["boxes"]
    if "classes" in ref:
        img.classes = ref["classes"]
    return img
