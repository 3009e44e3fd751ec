"""wandb's `wandb.integration.*` import paths (singular, as wandb spells them).

- `nbtrack.integration.keras`: `WandbMetricsLogger`, `WandbModelCheckpoint`,
  `WandbEvalCallback`, `WandbCallback` (also `nbtrack.keras`, wandb's legacy path);
- `nbtrack.integration.xgboost`: `WandbCallback` (also `nbtrack.xgboost`);
- `nbtrack.integration.lightgbm`: `wandb_callback`, `log_summary` (also `nbtrack.lightgbm`);
- `nbtrack.integration.sklearn`: the `plot_*` functions (also `nbtrack.sklearn`);
- `nbtrack.integration.sb3`: `WandbCallback` for Stable-Baselines3.

Each module imports its framework when imported. nbtrack's own modules live in
`nbtrack.integrations` (plural).
"""
