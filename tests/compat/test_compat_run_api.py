"""Issue 12 items 1, 4, 10 and 11: wandb's module paths after a bare import, the run's
attributes and methods, alerts and utilities, nested summaries and Histogram.histogram."""

from __future__ import annotations

import json

import nbtrack

RUN_API = [
    """import numpy as np
import nbtrack as wandb
wandb.require("core")
with open("train.py", "w") as f:
    f.write("print('training')\\n")
with open("model.txt", "w") as f:
    f.write("weights v1")""",
    """run = wandb.init(project="run-api", entity="my-team", config={"lr": 0.1},
                 settings=wandb.Settings(start_method="thread", _disable_stats=True))
run.tags = run.tags + ("promoted",)
run.notes = "edited after init"
print("where", run.entity, run.path, run.project_name(), run.resumed, run.offline, run.settings.project,
      run.settings.start_method)
assert run.url == run.get_url() and run.url.startswith("file://")
wandb.log({"nested": {"a": 1, "b": {"c": 2}}, "hist": wandb.Histogram(np.arange(10), num_bins=5)})
assert wandb.summary["nested"]["a"] == 1 and wandb.summary["nested"]["b"]["c"] == 2
wandb.summary["best"] = {"acc": 0.9, "epoch": 3}
assert wandb.run.summary["best"]["acc"] == 0.9
h = wandb.Histogram(np_histogram=np.histogram(np.arange(10), bins=2))
print("histogram", h.histogram, h.bins)
wandb.alert(title="Low accuracy", text="accuracy 0.1 is below 0.5", level=wandb.AlertLevel.WARN)
run.alert("Done", "training finished")
wandb.termlog("a log line")
wandb.termwarn("a warning line")
wandb.errors.term.termlog("from wandb.errors.term")
print("id", len(wandb.util.generate_id()))
wandb.save("model.txt")
code = run.log_code(".")
model = run.log_model("model.txt", name="tiny-model", aliases=["best"])
linked = run.link_model("model.txt", "digits-classifier", aliases=["production"])
first_id = run.id
print("config via sdk", isinstance(wandb.config, wandb.sdk.wandb_config.Config))
wandb.sdk.wandb_run.finish()
assert wandb.run is None""",
    """run = wandb.init(project="run-api", id=first_id, resume="allow")
assert run.resumed and run.tags == ("promoted",)
restored = wandb.restore("model.txt", replace=True, root="restored")
print("restored", restored.read())
path = wandb.use_model("tiny-model:best")
print("model at", open(path).read())
wandb.finish()
f = wandb.restore("model.txt", run_path=f"my-team/run-api/{first_id}", root="again")
print("again", f.read())""",
]


def test_run_attributes_alerts_utilities_and_nested_summary(wandb_notebook):
    nb, store = wandb_notebook(RUN_API)
    out = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    api = nbtrack.Api(dir=store)
    (run,) = api.runs("run-api")
    assert f"where my-team my-team/run-api/{run.id} run-api False False run-api thread" in out
    # set after init: stored (they were silently dropped)
    assert run.tags == ["promoted"] and run.notes == "edited after init"
    # nested dicts stay flat in the store, read back nested
    assert run.summary["nested"] == {"a": 1, "b": {"c": 2}} and run.summary["best"]["epoch"] == 3
    assert run.summary._json_dict["nested/b/c"] == 2
    frame = nbtrack.runs("run-api", dir=store)
    assert {"summary.nested/a", "summary.nested/b/c", "summary.best/acc"} <= set(frame.columns)
    assert run.history()["hist"].iloc[0]["values"] == [2, 2, 2, 2, 2]
    assert "histogram [5.0, 5.0] [0.0, 4.5, 9.0]" in out
    # alerts: shown in the notebook and kept with the run
    assert "nbtrack alert [WARN] Low accuracy: accuracy 0.1 is below 0.5" in out
    alerts = run.alerts()
    assert [(a["title"], a["level"]) for a in alerts] == [("Low accuracy", "WARN"), ("Done", "INFO")]
    assert "nbtrack: a log line" in out and "nbtrack: WARNING a warning line" in out and "from wandb.errors.term" in out
    assert "id 8" in out and "config via sdk True" in out
    # log_code: a "code" artifact of the .py files; models and the registry link
    code = api.artifact(f"source-run-api-{run.id}:latest")
    assert code.type == "code" and [f.path for f in code.files()] == ["train.py"]
    assert sorted(api.artifact("tiny-model:best").aliases) == ["best", "latest"]
    registered = api.artifact("model-registry/digits-classifier:production")
    assert registered.type == "model" and [f.path for f in registered.files()] == ["model.txt"]
    assert {a.collection_name for a in run.logged_artifacts()} == {"tiny-model", f"run-{run.id}-model.txt",
                                                                   f"source-run-api-{run.id}"}  # a link is not a log
    # restore and use_model wrote the files back
    assert "restored weights v1" in out and "model at weights v1" in out and "again weights v1" in out
    assert (wandb_notebook.work / "restored" / "model.txt").read_text() == "weights v1"


def test_cli_show_prints_the_summary_as_json(capsys):
    from nbtrack.cli import main

    run = nbtrack.init(project="cli", live=False)
    run.log({"nested": {"a": 1}})
    run.finish()
    assert main(["show", run.id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["summary"] == {"nested/a": 1}


def test_submodules_after_a_bare_import():
    import subprocess
    import sys

    code = (
        "import nbtrack as wandb\n"
        "print(wandb.sdk.wandb_run.Run.__name__, wandb.sdk.wandb_settings.Settings.__name__,"
        " wandb.sdk.data_types.Table.__name__, wandb.sdk.artifacts.artifact.Artifact.__name__,"
        " wandb.apis.public.Api.__name__, wandb.apis.PublicApi.__name__, wandb.data_types.Image.__name__,"
        " wandb.util.generate_id.__name__, wandb.errors.term.termwarn.__name__, wandb.errors.CommError.__name__,"
        " wandb.sdk.wandb_alerts.AlertLevel.WARN.value)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["Run", "Settings", "Table", "Artifact", "Api", "Api", "Image", "generate_id", "termwarn",
                           "CommError", "WARN"]


def test_alert_rate_limit_and_bad_level(tmp_path):
    run = nbtrack.init(project="alerts", live=False)
    run.alert("disk", "almost full", wait_duration=300)
    run.alert("disk", "almost full again", wait_duration=300)  # within 5 minutes: not sent again
    try:
        run.alert("x", "y", level="LOUD")
    except ValueError as exc:
        assert "INFO, WARN, ERROR" in str(exc)
    else:
        raise AssertionError("an unknown level must be refused")
    run.finish()
    alerts = nbtrack.Api().run(run.id).alerts()
    assert [a["text"] for a in alerts] == ["almost full"]
    assert json.loads(json.dumps(alerts))  # plain JSON
