"""Issue 12 item 9: wandb's public API as analysis notebooks use it: MongoDB-style filters,
summary and config edits written back, files, projects, system metrics, deletion."""

from __future__ import annotations

import pytest

import nbtrack

PUBLIC_API = [
    """import nbtrack as wandb
for i, (lr, opt) in enumerate([(0.1, "sgd"), (0.01, "adam"), (0.001, "adam")]):
    run = wandb.init(project="sweep-like", config={"lr": lr, "optimizer": {"name": opt}},
                     tags=["baseline"] if i == 0 else ["candidate"], group="g1" if i < 2 else "g2")
    wandb.log({"val": {"acc": 0.8 + 0.06 * i}, "loss": 1 - 0.3 * i})
    run.log_system({"system/cpu_percent": 10.0 + i})
    wandb.finish()""",
    """api = wandb.Api()
entity = api.default_entity
runs = api.runs(f"{entity}/sweep-like", filters={"$or": [{"config.lr": 0.1}, {"summary.val/acc": {"$gt": 0.9}}]})
print("or", sorted(r.config["lr"] for r in runs))
print("and", [r.config["lr"] for r in api.runs("sweep-like", {"$and": [{"config.optimizer.name": "adam"},
                                                                     {"summary_metrics.val.acc": {"$gte": 0.9}}]})])
print("in", sorted(r.config["lr"] for r in api.runs("sweep-like", {"tags": {"$in": ["baseline", "nope"]}})))
print("nin", sorted(r.config["lr"] for r in api.runs("sweep-like", {"group": {"$nin": ["g1"]}})))
print("regex", len(api.runs("sweep-like", {"display_name": {"$regex": ".+"}, "state": "finished"})))
print("value", [r.config["lr"] for r in api.runs("sweep-like", {"config.lr.value": {"$lt": 0.005}})])
print("order", [r.config["lr"] for r in api.runs("sweep-like", order="+summary_metrics.loss")])
try:
    api.runs("sweep-like", {"summary.acc": {"$between": [0, 1]}})
except ValueError as exc:
    print("refused", exc)""",
    """best = api.runs("sweep-like", order="-summary_metrics.val/acc")[0]
print("json", best.summary._json_dict["val/acc"], best.summary["val"]["acc"])
best.summary["selected"] = True           # written at once
best.summary.update({"notes": {"by": "analysis"}})
best.config["lr_note"] = "best of three"
best.tags.append("best")
best.notes = "picked by the analysis notebook"
best.update()
with open("report.md", "w") as f:
    f.write("# report")
best.upload_file("report.md")
events = best.history(stream="events")
print("events", list(events.columns), events["system/cpu_percent"].tolist())
print("project", api.project("sweep-like").name, [p.name for p in api.projects()])
api.flush()
worst = api.runs("sweep-like", order="+summary_metrics.val/acc")[0]
worst_id = worst.id
worst.delete()
print("left", len(api.runs("sweep-like")))""",
]


def test_public_api_filters_edits_files_and_delete(wandb_notebook):
    nb, store = wandb_notebook(PUBLIC_API)
    out = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "or [0.001, 0.1]" in out  # these silently matched no runs before
    assert "and [0.001]" in out
    assert "in [0.1]" in out and "nin [0.001]" in out and "regex 3" in out and "value [0.001]" in out
    assert "order [0.001, 0.01, 0.1]" in out
    assert "refused unknown filter operator '$between'" in out
    assert "json 0.92 0.92" in out
    assert "events ['_step', '_timestamp', '_runtime', 'system/cpu_percent'] [12.0]" in out
    assert "project sweep-like ['sweep-like']" in out and "left 2" in out
    api = nbtrack.Api(dir=store)
    best = max(api.runs("sweep-like"), key=lambda r: r.summary["val/acc"])
    assert best.summary["selected"] is True and best.summary["notes"]["by"] == "analysis"  # was silently lost
    assert best.config["lr_note"] == "best of three" and best.config["lr"] == 0.001
    assert best.tags == ["candidate", "best"] and best.notes == "picked by the analysis notebook"
    assert best.file("report.md").read() == b"# report"
    assert len(api.runs("sweep-like")) == 2
    with pytest.raises(nbtrack.errors.CommError):
        api.run("sweep-like/" + [r for r in nbtrack.runs("sweep-like", dir=store)["id"]][0] + "-missing")


def test_filters_refuse_unknown_fields_and_bad_arguments():
    api = nbtrack.Api()
    with pytest.raises(ValueError, match="unknown filter field 'accuracy'"):
        api.runs("p", {"accuracy": 1})
    with pytest.raises(ValueError, match=r"\$in on 'tags' takes a list"):
        api.runs("p", {"tags": {"$in": "best"}})
    with pytest.raises(ValueError, match=r"\$or takes a list"):
        api.runs("p", {"$or": {"state": "finished"}})
