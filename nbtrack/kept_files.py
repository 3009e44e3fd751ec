"""Names and kinds of the files nbtrack keeps with a run, and how a kept file is known to have changed.

Shared by what writes them (the code capture at init and finish, `run.alert()`) and what
reads them back (the read API, reports), so neither side imports the other.
"""

from __future__ import annotations

import os

#: the cells executed in the session, as a notebook (stored at init and again at finish)
HISTORY_NOTEBOOK = "code/_session_history.ipynb"
#: uncommitted changes of the git checkout the run started in
GIT_DIFF = "code/git.diff"
#: the `files.kind` of an alert, and the folder its JSON files go to
ALERT_KIND = "alert"
ALERT_DIR = "alerts"

#: what says a file changed: (mtime in ns, size, inode); an atomic replace changes the inode
FileSignature = tuple[int, int, int]


def file_signature(path: str | os.PathLike[str]) -> FileSignature | None:
    """The file's (mtime_ns, size, inode) now, or None if it cannot be read (missing)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)
