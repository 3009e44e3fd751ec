"""Framework integrations: import the one you use, e.g. ``from nbtrack.integrations.keras import MetricsLogger``.

Nothing here is imported by ``import nbtrack``; each module imports its framework when
the user imports the module.

- ``nbtrack.integrations.keras``: ``MetricsLogger``, ``ModelCheckpoint`` (Keras 3), also
  under wandb's names ``WandbMetricsLogger``, ``WandbModelCheckpoint`` (and ``nbtrack.keras``).
- ``nbtrack.integrations.torch``: ``watch``, ``unwatch``, ``count_parameters``, ``save_checkpoint``.
- ``nbtrack.integrations.sklearn``: ``log_estimator``.
- ``nbtrack.integrations.lightning``: ``NbtrackLogger`` (a Lightning ``Logger``).
- ``nbtrack.integrations.transformers``: ``NbtrackCallback`` (a Hugging Face ``TrainerCallback``).
- ``nbtrack.integrations.xgboost``: ``NbtrackCallback`` (an XGBoost ``TrainingCallback``).
- ``nbtrack.integrations.lightgbm``: ``nbtrack_callback()``, ``log_summary()`` (and
  ``wandb_log_summary()`` with wandb's arguments).
- ``nbtrack.integrations.keras_legacy``: wandb's legacy ``WandbCallback``;
  ``nbtrack.integrations.keras_eval``: ``WandbEvalCallback``.
- ``nbtrack.integrations.sklearn_plots``: wandb's ``plot_*`` functions (``nbtrack.sklearn``).
- ``nbtrack.integrations.sb3``: ``WandbCallback`` for Stable-Baselines3.

wandb's own import paths (``wandb.integration.keras`` ...) are in ``nbtrack.integration``.
"""
