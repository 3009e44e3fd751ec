"""``Object3D`` (point clouds and 3D model files) and ``Molecule`` (structure files).

Browsers show neither without a 3D viewer nbtrack does not bundle: they are stored
content-addressed like the other media and listed with the run's files.
"""

from __future__ import annotations

import json
from typing import Any

from . import convert
from .filemedia import MediaFile, read_source

OBJECT3D_FORMATS = ("obj", "gltf", "glb", "babylon", "stl", "pts.json")
MOLECULE_FORMATS = ("pdb", "pqr", "mmcif", "mcif", "cif", "sdf", "sd", "gro", "mol2", "mmtf")


def _points_json(arr: Any) -> bytes:
    if arr.ndim != 2 or arr.shape[1] not in (3, 4, 6):
        raise ValueError(f"Object3D: a point cloud must have shape (n, 3), (n, 4) or (n, 6), got {tuple(arr.shape)}")
    return json.dumps(arr.astype(float).tolist()).encode("utf-8")


class Object3D(MediaFile):
    """A 3D object to log: a numpy point cloud (n, 3 | 4 | 6: xyz, category or rgb), a
    wandb scene dict ({"type": "lidar/beta", "points": ..., "boxes": ...}) or a file
    (obj, gltf, glb, babylon, stl, pts.json)."""

    TYPE = "object3D-file"
    MEDIA_DIR = "media/object3D"

    def __init__(self, data_or_path: Any, caption: str | None = None, file_type: str | None = None,
                 **kwargs: Any) -> None:
        self.points: int | None = None
        if isinstance(data_or_path, dict):
            scene = {k: (convert.to_numpy(v).tolist() if convert.to_numpy(v) is not None and k != "type" else v)
                     for k, v in data_or_path.items()}
            data, fmt = json.dumps(scene, default=str).encode("utf-8"), "pts.json"
            self.points = len(scene.get("points") or [])
        else:
            arr = None if isinstance(data_or_path, (str, bytes)) or hasattr(data_or_path, "read") else convert.to_numpy(data_or_path)
            if arr is not None:
                data, fmt = _points_json(arr), "pts.json"
                self.points = int(arr.shape[0])
            else:
                data, fmt = read_source(data_or_path, "Object3D")
                fmt = (file_type or fmt).lower()
                if fmt not in OBJECT3D_FORMATS:
                    raise ValueError(f"Object3D: {fmt!r} is not a 3D format nbtrack keeps; use one of "
                                     f"{', '.join(OBJECT3D_FORMATS)} (give file_type= for an open file).")
        super().__init__(data, fmt, caption)

    def extra_ref(self) -> dict[str, Any]:
        return {"points": self.points} if self.points is not None else {}

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None) -> Object3D:
        """An Object3D from a file path or open file."""
        return cls(data_or_path, file_type=file_type)

    @classmethod
    def from_numpy(cls, data: Any) -> Object3D:
        """An Object3D from a point cloud array."""
        return cls(data)

    @classmethod
    def from_point_cloud(cls, points: Any, boxes: Any = None, vectors: Any = None,
                         point_cloud_type: str = "lidar/beta") -> Object3D:
        """A scene of points with optional boxes and vectors (wandb's lidar format)."""
        scene: dict[str, Any] = {"type": point_cloud_type, "points": points}
        if boxes is not None:
            scene["boxes"] = boxes
        if vectors is not None:
            scene["vectors"] = vectors
        return cls(scene)


class Molecule(MediaFile):
    """A molecule to log: a structure file (pdb, pqr, mmcif, cif, sdf, gro, mol2, mmtf)."""

    TYPE = "molecule-file"
    MEDIA_DIR = "media/molecule"

    def __init__(self, data_or_path: Any, caption: str | None = None, file_type: str | None = None,
                 **kwargs: Any) -> None:
        data, fmt = read_source(data_or_path, "Molecule")
        fmt = (file_type or fmt).lower()
        if fmt not in MOLECULE_FORMATS:
            raise ValueError(f"Molecule: {fmt!r} is not a molecule format nbtrack keeps; use one of "
                             f"{', '.join(MOLECULE_FORMATS)} (give file_type= for an open file).")
        super().__init__(data, fmt, caption)

    @classmethod
    def from_rdkit(cls, data_or_path: Any, caption: str | None = None, **kwargs: Any) -> Molecule:
        """A Molecule from an rdkit molecule (written as an SDF block); needs rdkit."""
        try:
            from rdkit import Chem
        except ImportError:
            raise ImportError("Molecule.from_rdkit needs rdkit: pip install rdkit") from None
        mol = Chem.MolFromMolFile(data_or_path) if isinstance(data_or_path, str) else data_or_path
        return cls(_Text(Chem.MolToMolBlock(mol), "molecule.sdf"), caption=caption, file_type="sdf")

    @classmethod
    def from_smiles(cls, data: str, caption: str | None = None, **kwargs: Any) -> Molecule:
        """A Molecule from a SMILES string (2D coordinates); needs rdkit."""
        try:
            from rdkit import Chem
            from rdkit.Chem import AllChem
        except ImportError:
            raise ImportError("Molecule.from_smiles needs rdkit: pip install rdkit") from None
        mol = Chem.MolFromSmiles(data)
        if mol is None:
            raise ValueError(f"Molecule.from_smiles: {data!r} is not a valid SMILES string")
        AllChem.Compute2DCoords(mol)
        return cls.from_rdkit(mol, caption=caption)


class _Text:
    """A text shaped like an open file (for read_source)."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self._text = text

    def read(self) -> str:
        return self._text
