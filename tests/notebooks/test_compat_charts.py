"""wandb.plot charts, wandb.plot_table, and matplotlib/plotly figures logged from a notebook
with `import nbtrack as wandb`: each chart's table and figure land in the store."""

from __future__ import annotations

import plotly.io as pio
import pytest

import nbtrack

pytest.importorskip("matplotlib")

CHART_CELLS = [
    "import numpy as np\nimport matplotlib.pyplot as plt\nimport nbtrack as wandb",
    """run = wandb.init(project="charts-demo")
data = [[x, y] for (x, y) in zip(range(20), np.linspace(0, 1, 20) ** 2)]
table = wandb.Table(data=data, columns=["x", "y"])
wandb.log({"my_custom_plot_id": wandb.plot.line(table, "x", "y", title="Custom Y vs X Line Plot")})
wandb.log({"my_scatter": wandb.plot.scatter(table, "x", "y", title="Scatter")})
bars = wandb.Table(data=[["cat", 3], ["dog", 5]], columns=["label", "value"])
wandb.log({"my_bar_chart_id": wandb.plot.bar(bars, "label", "value", title="Custom Bar Chart")})
scores = wandb.Table(data=[[s] for s in np.random.default_rng(0).normal(size=200)], columns=["scores"])
wandb.log({"my_histogram": wandb.plot.histogram(scores, "scores", title="Histogram")})
wandb.log({"my_custom_id": wandb.plot.line_series(xs=[0, 1, 2, 3, 4], ys=[[10, 20, 30, 40, 50], [0.5, 11, 72, 3, 41]],
                                                  keys=["metric Y", "metric Z"], title="Two Random Metrics", xname="x units")})
rng = np.random.default_rng(1)
ground_truth = rng.integers(0, 3, 300)
predictions = rng.random((300, 3))
predictions[np.arange(300), ground_truth] += 0.6
predictions /= predictions.sum(axis=1, keepdims=True)
labels = ["cat", "dog", "bird"]
wandb.log({"pr": wandb.plot.pr_curve(ground_truth, predictions, labels=labels, classes_to_plot=None)})
wandb.log({"roc": wandb.plot.roc_curve(ground_truth, predictions, labels=labels)})
wandb.log({"conf_mat": wandb.plot.confusion_matrix(probs=None, y_true=ground_truth, preds=predictions.argmax(1),
                                                   class_names=labels)})
wandb.log({"custom": wandb.plot_table(vega_spec_name="carey/new_chart", data_table=table,
                                      fields={"x": "x", "y": "y"}, string_fields={"title": "Height Histogram"})})
plt.plot([1, 2, 3, 4])
plt.ylabel("some interesting numbers")
wandb.log({"chart": plt})
fig, ax = plt.subplots()
ax.bar(["a", "b"], [1, 2])
wandb.log({"figure": fig})
wandb.finish()""",
]


def test_charts_land_in_the_store(run_notebook, monkeypatch, tmp_path):
    store = tmp_path / "chart-store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    run_notebook(CHART_CELLS)
    run = nbtrack.Api(dir=store).runs("charts-demo")[0]
    s = run.summary
    files = {f.name: f for f in run.files()}

    def figure(key):
        return pio.from_json(files[s[key]["plotly"]["path"]].read().decode())

    line = s["my_custom_plot_id"]
    assert line["_type"] == "custom-chart" and line["chart"] == "line"
    assert line["fields"] == {"x": "x", "y": "y"} and line["title"] == "Custom Y vs X Line Plot"
    assert line["table"]["columns"] == ["x", "y"] and line["table"]["nrows"] == 20
    fig = figure("my_custom_plot_id")
    assert fig.layout.title.text == "Custom Y vs X Line Plot" and list(fig.data[0].x) == list(range(20))
    assert figure("my_scatter").data[0].mode == "markers"
    assert list(figure("my_bar_chart_id").data[0].y) == [3, 5]
    assert len(figure("my_histogram").data[0].x) == 200

    series = s["my_custom_id"]
    assert series["table"]["columns"] == ["lineKey", "lineVal", "step"] and series["table"]["nrows"] == 10
    assert [t.name for t in figure("my_custom_id").data] == ["metric Y", "metric Z"]

    pr = s["pr"]["table"]
    assert pr["columns"] == ["class", "precision", "recall"] and pr["nrows"] == 3 * 21
    assert {row[0] for row in pr["data"]} == {"cat", "dog", "bird"}
    roc = s["roc"]["table"]
    cat = [row for row in roc["data"] if row[0] == "cat"]
    assert cat[0][1:] == [0.0, 0.0] and cat[-1][1:] == [1.0, 1.0]
    # the classifier is good: its ROC curve passes well above the diagonal
    assert max(tpr - fpr for _, fpr, tpr in cat) > 0.5

    cm = s["conf_mat"]["table"]
    assert cm["columns"] == ["Actual", "Predicted", "nPredictions"] and cm["nrows"] == 9
    assert sum(row[2] for row in cm["data"]) == 300
    assert [t.type for t in figure("conf_mat").data] == ["heatmap"]

    custom = s["custom"]
    assert custom["chart"] == "carey/new_chart" and custom["title"] == "Height Histogram"

    for key in ("chart", "figure"):  # matplotlib (plt or a Figure) is kept as a PNG image
        ref = s[key]
        assert ref["_type"] == "image-file" and ref["format"] == "png"
        assert files[ref["path"]].read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_errors_name_the_problem():
    table = nbtrack.Table(columns=["x", "y"], data=[[1, 2]])
    with pytest.raises(ValueError, match="no column 'z'"):
        nbtrack.plot.line(table, "x", "z")
    with pytest.raises(ValueError, match="exactly one of"):
        nbtrack.plot.confusion_matrix(y_true=[0, 1])
    with pytest.raises(ValueError, match="not in class_names"):
        nbtrack.plot.confusion_matrix(y_true=[0, 5], preds=[0, 1], class_names=["a", "b"])
