"""Seed a store the way users write one: `import nbtrack as wandb`, init/log/finish."""

from __future__ import annotations

from pathlib import Path

import numpy as np

XSS = "<img src=x onerror=alert(1)>"


def train(store: Path, project: str = "rep", n: int = 4, steps: int = 300) -> list[str]:
    """`n` finished runs with curves, an image gallery and a Table; run 1 is named like an XSS payload."""
    import nbtrack as wandb

    ids = []
    for i in range(n):
        lr = [1e-4, 1e-3, 1e-2, 1e-1, 3e-1, 3e-3][i % 6]
        run = wandb.init(project=project, dir=str(store), name=XSS if i == 1 else f"lr-{lr:g}",
                         notes=f"notes {i} <script>alert(2)</script>", tags=["t", XSS] if i == 1 else ["t"],
                         config={"lr": lr, "opt": "adam" if i % 2 else "sgd", "net": {"depth": 2 + i, XSS: 1}})
        for s in range(steps):
            wandb.log({"train/loss": 1 / (s + 1) + lr, "train/acc": 1 - 1 / (s + 2) - lr, XSS: float(s)})
            if s % 100 == 0:
                img = np.zeros((16, 16, 3), dtype=np.uint8)
                img[:, : 4 + s // 25] = 255
                wandb.log({"val/loss": 2 / (s + 1) + lr, "samples": [wandb.Image(img, caption=XSS)]}, commit=False)
        wandb.log({"predictions": wandb.Table(columns=["x", "pred"], data=[[1, XSS], [2, "ok"]])})
        run.summary["best"] = 0.5 + i / 10
        ids.append(run.id)
        run.finish()
    return ids


