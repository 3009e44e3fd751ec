"""Rebuild the cells this kernel actually executed as a notebook.

The saved .ipynb may not show what ran (cells re-run out of order, edited, deleted);
IPython's history manager does: ``input_hist_raw[n]`` is the source of execution count
``n`` in this session and ``output_hist_reprs[n]`` the text repr of its result.
The notebook is built from plain dicts (``nbformat.v4.new_code_cell`` validates every
cell, which costs milliseconds each) and is valid per ``nbformat.validate``.
``history_notebook_bytes`` never imports nbformat: in some environments importing it
costs about a second (jsonschema's format checkers), too much for the main thread.
"""

from __future__ import annotations

import json
import platform
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat


def _empty() -> dict[str, Any]:
    return dict(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python", "version": platform.python_version()},
                "nbtrack": {"source": "ipython-history"},
            },
            "cells": [],
        }
    )


def _shell(shell: Any) -> Any:
    if shell is not None:
        return shell
    ipython = sys.modules.get("IPython")
    try:
        return ipython.get_ipython() if ipython is not None else None
    except Exception:  # boundary: a half torn-down shell; no history then
        return None


def history_cells(shell: Any) -> list[tuple[int, str, str | None]]:
    """(execution count, source, text repr of the result or None) for each executed cell."""
    hm = getattr(shell, "history_manager", None)
    if hm is None:
        return []
    inputs = list(getattr(hm, "input_hist_raw", None) or [])
    outputs = dict(getattr(hm, "output_hist_reprs", None) or {})
    cells = []
    for count, source in enumerate(inputs):
        if count == 0 or not isinstance(source, str):
            continue  # cell 0 is IPython's empty placeholder
        if not source.strip():
            continue
        out = outputs.get(count)
        cells.append((count, source.rstrip("\n"), out if isinstance(out, str) else None))
    return cells


def history_dict(shell: Any = None) -> dict[str, Any]:
    """The executed cells as a plain nbformat-4 dict (see ``history_notebook``)."""
    try:
        nb = _empty()
        shell = _shell(shell)
        if shell is None:
            return nb
        cells = []
        for count, source, out in history_cells(shell):
            outputs = []
            if out is not None:
                outputs.append(
                    {
                        "output_type": "execute_result",
                        "execution_count": count,
                        "data": {"text/plain": out},
                        "metadata": {},
                    }
                )
            cells.append(
                {
                    "id": f"exec-{count}",
                    "cell_type": "code",
                    "execution_count": count,
                    "metadata": {},
                    "source": source,
                    "outputs": outputs,
                }
            )
        nb["cells"] = cells
        return nb
    except Exception:  # boundary: an odd history must not break finish(); an empty notebook instead
        return _empty()


def history_notebook(shell: Any = None) -> nbformat.NotebookNode:
    """The cells executed so far in this kernel, in execution order, as a notebook.

    Each code cell carries its execution count and, when the cell produced a result,
    an ``execute_result`` output with its ``text/plain`` repr. ``shell`` defaults to the
    running IPython shell; IPython's empty cell 0 and blank cells are skipped.
    Never raises: returns an empty notebook on trouble.
    """
    import nbformat  # slow first import, see module docstring

    try:
        return nbformat.from_dict(history_dict(shell))
    except Exception:  # boundary: nbformat refusing odd content must not break finish()
        return nbformat.from_dict(_empty())


def history_notebook_bytes(shell: Any = None) -> bytes:
    """``history_notebook`` serialised as .ipynb JSON (UTF-8), without importing nbformat."""
    try:
        nb = history_dict(shell)
    except Exception:  # boundary: as above, without nbformat
        nb = _empty()
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False, default=str)
    return (text + "\n").encode("utf-8")
