"""Issue 12 item 3, Stable-Baselines3: `from wandb.integration.sb3 import WandbCallback` as
wandb's SB3 docs write it (skipped where stable_baselines3 is not installed)."""

from __future__ import annotations

import importlib.util

import pytest

import nbtrack

pytestmark = pytest.mark.skipif(importlib.util.find_spec("stable_baselines3") is None,
                                reason="needs stable_baselines3 and gymnasium")

SB3 = [
    """import gymnasium as gym
from stable_baselines3 import PPO
import nbtrack as wandb
from nbtrack.integration.sb3 import WandbCallback
config = {"policy_type": "MlpPolicy", "total_timesteps": 256, "env_name": "CartPole-v1"}
run = wandb.init(project="sb3", config=config, sync_tensorboard=True, monitor_gym=True, save_code=True)
model = PPO(config["policy_type"], config["env_name"], n_steps=64, batch_size=32, n_epochs=1, verbose=0, seed=0)
model.learn(total_timesteps=config["total_timesteps"],
            callback=WandbCallback(gradient_save_freq=2, model_save_path=f"models/{run.id}", verbose=2))
run.finish()""",
]


def test_sb3_callback_logs_metrics_config_gradients_and_model(wandb_notebook):
    nb, store = wandb_notebook(SB3)
    (run,) = nbtrack.Api(dir=store).runs("sb3")
    assert run.config["algo"] == "PPO" and run.config["policy_type"] == "MlpPolicy" and run.config["n_steps"] == 64
    history = run.history()
    assert history["global_step"].dropna().tolist() == [64.0, 128.0, 192.0, 256.0]  # one dump per rollout
    assert history["time/fps"].notna().sum() == 4 and history["train/loss"].notna().sum() >= 3
    assert any(c.startswith("gradients/") for c in history.columns)
    assert run.file("model.zip").size > 1000
