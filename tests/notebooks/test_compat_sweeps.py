"""wandb sweep notebooks run unchanged with `import nbtrack as wandb`; the sweep, its runs
and their sampled configs land in the store."""

from __future__ import annotations

import math

import pytest

import nbtrack

pytest.importorskip("optuna")

# In the style of wandb's "Organizing Hyperparameter Sweeps in PyTorch" notebook.
SWEEP_CELLS = [
    "import math\nimport numpy as np\nimport nbtrack as wandb",
    """sweep_config = {'method': 'random'}
metric = {'name': 'loss', 'goal': 'minimize'}
sweep_config['metric'] = metric
parameters_dict = {
    'optimizer': {'values': ['adam', 'sgd']},
    'fc_layer_size': {'values': [128, 256, 512]},
    'dropout': {'values': [0.3, 0.4, 0.5]},
}
sweep_config['parameters'] = parameters_dict
parameters_dict.update({'epochs': {'value': 3}})
parameters_dict.update({
    'learning_rate': {'distribution': 'uniform', 'min': 0, 'max': 0.1},
    'batch_size': {'distribution': 'q_log_uniform_values', 'q': 8, 'min': 32, 'max': 256},
})
sweep_id = wandb.sweep(sweep_config, project="pytorch-sweeps-demo")""",
    """def train(config=None):
    # Initialize a new wandb run
    with wandb.init(config=config):
        config = wandb.config
        rng = np.random.default_rng(int(config.batch_size))
        for epoch in range(config.epochs):
            avg_loss = (config.learning_rate - 0.03) ** 2 + config.dropout / 10 + rng.random() / 100
            wandb.log({"loss": avg_loss, "epoch": epoch})""",
    "wandb.agent(sweep_id, train, count=5)",
    """api = wandb.Api()
sweep = api.sweep(f"someone/pytorch-sweeps-demo/{sweep_id}")
best = sweep.best_run()
print("BEST", best.id, len(sweep.runs))""",
]


def test_random_sweep_notebook(run_notebook, monkeypatch, tmp_path):
    store = tmp_path / "sweep-store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    nb = run_notebook(SWEEP_CELLS)
    printed = nb.cells[4].outputs[0]["text"]

    api = nbtrack.Api(dir=store)
    runs = api.runs("pytorch-sweeps-demo")
    assert len(runs) == 5 and all(r.state == "finished" for r in runs)
    sweep_ids = {r.sweep_id for r in runs}
    assert len(sweep_ids) == 1
    (sweep_id,) = sweep_ids
    for r in runs:
        c = r.config
        assert c["optimizer"] in ("adam", "sgd") and c["fc_layer_size"] in (128, 256, 512)
        assert c["dropout"] in (0.3, 0.4, 0.5) and c["epochs"] == 3
        assert 0 <= c["learning_rate"] <= 0.1
        assert isinstance(c["batch_size"], int) and c["batch_size"] % 8 == 0 and 32 <= c["batch_size"] <= 256
        assert list(r.history()["epoch"]) == [0, 1, 2]
    sweep = api.sweep(sweep_id)
    assert sweep.method == "random" and sweep.project == "pytorch-sweeps-demo"
    assert sweep.config["parameters"]["epochs"] == {"value": 3}
    best = min(runs, key=lambda r: r.summary["loss"])
    assert sweep.best_run().id == best.id
    assert f"BEST {best.id} 5" in printed
    # the runs table has a sweep column to filter and sort by
    table = nbtrack.sql("SELECT count(*) AS n FROM runs WHERE sweep_id = ?", [sweep_id], dir=store).fetchall()
    assert table == [(5,)]


GRID_AND_BAYES_CELLS = [
    "import nbtrack as wandb",
    """grid_id = wandb.sweep({"method": "grid", "name": "grid-demo",
                        "parameters": {"optimizer": {"parameters": {"name": {"values": ["adam", "sgd"]},
                                                                  "momentum": {"value": 0.9}}},
                                       "layers": {"values": [1, 2, 3]}}}, project="sweeps")
def train_grid():
    run = wandb.init(config={"optimizer": {"name": "none", "eps": 1e-8}, "layers": 0})
    if wandb.config.layers == 2 and wandb.config.optimizer["name"] == "sgd":
        raise RuntimeError("diverged")
    wandb.log({"acc": wandb.config.layers / 10})
    # no wandb.finish(): the agent finishes the run
wandb.agent(grid_id, function=train_grid, count=10)
print("RUN AFTER AGENT", wandb.run)""",
    """bayes_id = wandb.sweep({"method": "bayes", "metric": {"name": "val/score", "goal": "maximize"},
                         "parameters": {"x": {"min": -5.0, "max": 5.0}, "k": {"values": ["a", "b"]}}},
                        project="sweeps")
def objective():
    wandb.init()
    c = wandb.config
    wandb.log({"val": {"score": -(c.x - 2) ** 2 - (0 if c.k == "a" else 1)}})
    wandb.finish()
wandb.agent(bayes_id, objective, count=6)
wandb.agent(bayes_id, objective, count=6)   # a second agent continues the same sweep""",
]


def test_grid_and_bayes_sweeps(run_notebook, monkeypatch, tmp_path):
    store = tmp_path / "sweep-store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    nb = run_notebook(GRID_AND_BAYES_CELLS)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert "RUN AFTER AGENT None" in text and "diverged" in text and "no runs left" in text

    api = nbtrack.Api(dir=store)
    by_sweep: dict[str, list] = {}
    for r in api.runs("sweeps"):
        by_sweep.setdefault(r.sweep_id, []).append(r)
    assert len(by_sweep) == 2
    grid_runs = next(rs for rs in by_sweep.values() if "layers" in rs[0].config)
    # the grid ran each of its 6 points once, then stopped although count was 10
    points = sorted((r.config["optimizer"]["name"], r.config["layers"]) for r in grid_runs)
    assert points == [(o, n) for o in ("adam", "sgd") for n in (1, 2, 3)]
    for r in grid_runs:
        # sampled values merge into the function's nested defaults
        assert r.config["optimizer"]["momentum"] == 0.9 and r.config["optimizer"]["eps"] == 1e-8
    states = {(r.config["optimizer"]["name"], r.config["layers"]): r.state for r in grid_runs}
    assert states.pop(("sgd", 2)) == "failed" and set(states.values()) == {"finished"}
    grid = api.sweep(grid_runs[0].sweep_id)
    assert grid.state == "FINISHED" and grid.name == "grid-demo" and grid.expected_run_count == 6

    bayes_runs = next(rs for rs in by_sweep.values() if "x" in rs[0].config)
    assert len(bayes_runs) == 12
    assert all(-5 <= r.config["x"] <= 5 and r.config["k"] in ("a", "b") for r in bayes_runs)
    sweep = api.sweep(bayes_runs[0].sweep_id)
    best = sweep.best_run()
    assert best.summary["val/score"] == max(r.summary["val/score"] for r in bayes_runs)
    assert math.isclose(sweep.best_run(order="+summary_metrics.val/score").summary["val/score"],
                        min(r.summary["val/score"] for r in bayes_runs))
