"""Names and kinds of the files nbtrack keeps with a run.

Shared by what writes them (the code capture at init and finish, `run.alert()`) and what
reads them back (the read API, reports), so neither side imports the other.
"""

from __future__ import annotations

#: the cells executed in the session, as a notebook (stored at init and again at finish)
HISTORY_NOTEBOOK = "code/_session_history.ipynb"
#: uncommitted changes of the git checkout the run started in
GIT_DIFF = "code/git.diff"
#: the `files.kind` of an alert, and the folder its JSON files go to
ALERT_KIND = "alert"
ALERT_DIR = "alerts"
