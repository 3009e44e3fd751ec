"""Stable-Baselines3: wandb's `WandbCallback` (`from wandb.integration.sb3 import WandbCallback`).

    run = nbtrack.init(project="cartpole", config={"policy_type": "MlpPolicy"})
    model = PPO("MlpPolicy", "CartPole-v1")
    model.learn(10_000, callback=WandbCallback(model_save_path=f"models/{run.id}", gradient_save_freq=100))

What lands in the run:

- config: the algorithm (`algo`) and the model's public attributes (numbers and text as
  they are, others as text), without overriding keys the user set (wandb's `setdefaults`);
- every time SB3's logger dumps (each rollout for on-policy algorithms, every
  `log_interval` episodes for off-policy ones): its values (`rollout/ep_rew_mean`,
  `train/loss`, `time/fps`, ...) plotted against `global_step`. wandb gets these by
  syncing TensorBoard files (`init(sync_tensorboard=True)`); nbtrack adds itself to
  SB3's logger as one more output instead, so no TensorBoard is needed;
- `gradient_save_freq > 0`: the policy network watched (`run.watch`, `log` = "gradients",
  "parameters" or "all");
- `model_save_path`: the model saved as `model.zip` there every `model_save_freq`
  steps and at the end, and kept with the run (`run.save`).

Importing this module imports stable_baselines3.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.logger import KVWriter

from ._common import resolve_run

if TYPE_CHECKING:
    from ..tracking.run import Run

__all__ = ["WandbCallback"]

STEP_KEY = "global_step"
SB3_GROUPS = ("rollout/*", "train/*", "time/*", "eval/*")


class _RunOutput(KVWriter):
    """One more output of SB3's logger: each dump becomes one step of the run."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def write(self, key_values: dict[str, Any], key_excluded: dict[str, tuple[str, ...]], step: int = 0) -> None:
        row: dict[str, Any] = {}
        for key, value in key_values.items():
            excluded = key_excluded.get(key) or ()
            if "wandb" in excluded or "nbtrack" in excluded:
                continue
            number = _number(value)
            if number is not None:
                row[key] = number
        if row and not self.run.finished:
            row[STEP_KEY] = int(step)
            self.run.log(row)

    def close(self) -> None:
        pass


def _number(value: Any) -> float | int | None:
    """A logged value as a number (numpy/torch scalars too); None for videos, figures, text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if getattr(value, "ndim", None) == 0:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


class WandbCallback(BaseCallback):
    """wandb's Stable-Baselines3 callback (see the module doc)."""

    def __init__(self, verbose: int = 0, model_save_path: str | None = None, model_save_freq: int = 0,
                 gradient_save_freq: int = 0, log: str | None = "all", run: Run | None = None) -> None:
        super().__init__(verbose)
        if log not in ("gradients", "parameters", "all", None):
            raise ValueError('WandbCallback: log must be "gradients", "parameters", "all" or None.')
        self.model_save_path = model_save_path
        self.model_save_freq = int(model_save_freq)
        self.gradient_save_freq = int(gradient_save_freq)
        self.log = log
        self._explicit_run = run
        self._output: _RunOutput | None = None
        self.path = os.path.join(model_save_path, "model.zip") if model_save_path is not None else None
        if model_save_path is not None:
            os.makedirs(model_save_path, exist_ok=True)

    @property
    def run(self) -> Run:
        """The run this callback logs to (the active one unless one was given)."""
        return resolve_run(self._explicit_run, "sb3 WandbCallback")

    def _init_callback(self) -> None:
        run = self.run
        config: dict[str, Any] = {"algo": type(self.model).__name__}
        for key, value in vars(self.model).items():
            if key in run.config or key.startswith("_"):  # private state (buffers, last obs) is not config
                continue
            config[key] = value if type(value) in (float, int, str, bool) else str(value)
        run.config.setdefaults(config)
        run.define_metric(STEP_KEY)
        for group in SB3_GROUPS:
            run.define_metric(group, step_metric=STEP_KEY)
        if self.gradient_save_freq > 0:
            run.watch(self.model.policy, log=self.log, log_freq=self.gradient_save_freq)
        self._output = _RunOutput(run)
        self.model.logger.output_formats.append(self._output)

    def _on_step(self) -> bool:
        if self.model_save_freq > 0 and self.path is not None and self.n_calls % self.model_save_freq == 0:
            self.save_model()
        return True

    def _on_training_end(self) -> None:
        if self.path is not None:
            self.save_model()
        if self._output is not None and self._output in self.model.logger.output_formats:
            self.model.logger.output_formats.remove(self._output)

    def save_model(self) -> None:
        """Save the model to `model_save_path/model.zip` and keep it with the run."""
        if self.path is None:
            return
        self.model.save(self.path)
        self.run.save(self.path, base_path=self.model_save_path, policy="now")
