"""Hyperparameter sweeps run in the notebook: a local controller whose state is the store.

``spec`` reads wandb's sweep config, ``search`` (grid, random) and ``bayes`` (optuna's
TPE) choose runs, ``controller`` hands them out under the store's lock, ``agent`` holds
``nbtrack.sweep`` / ``nbtrack.agent``, ``public`` the read side (``Api().sweep``).
"""
