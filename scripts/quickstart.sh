#!/usr/bin/env bash
# The main job: set up, run notebooks/quickstart.ipynb once headless (three training runs
# land in notebooks/nbtrack/runs.duckdb), then open it in JupyterLab to watch the live
# curves. On a machine without a browser JupyterLab prints the URL to open.
# NBTRACK_NO_LAB=1 stops after the headless run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh lab

echo "nbtrack quickstart: executing notebooks/quickstart.ipynb"
.venv/bin/python - <<'PY'
import nbformat, time
from nbclient import NotebookClient
path = "notebooks/quickstart.ipynb"
nb = nbformat.read(path, as_version=4)
start = time.time()
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "notebooks"}},
               store_widget_state=True).execute()
nbformat.write(nb, "notebooks/quickstart.executed.ipynb")
import nbtrack
frame = nbtrack.runs("quickstart", dir="notebooks/nbtrack")
print(f"ran in {time.time() - start:.0f} s; {len(frame)} runs of project 'quickstart' are in notebooks/nbtrack/runs.duckdb:")
print(frame[["name", "state", "config.lr", "summary.train/loss"]].to_string(index=False))
print("the executed notebook (with the final curves saved) is notebooks/quickstart.executed.ipynb")
PY

if [ "${NBTRACK_NO_LAB:-0}" = "1" ]; then exit 0; fi
echo "nbtrack quickstart: opening JupyterLab; run the notebook's cells to watch the curves grow"
lab_args=()
[ "$(id -u)" = 0 ] && lab_args+=(--allow-root)  # JupyterLab refuses root without it
exec .venv/bin/jupyter lab "${lab_args[@]}" ${NBTRACK_LAB_ARGS:-} notebooks/quickstart.ipynb
