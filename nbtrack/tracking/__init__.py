"""The Run and its parts: step/commit rules (`run`), config (`config`), summary and
metric definitions (`summary`), alerts, saved files, code artifacts and restore, the
system-metrics sampler and wandb's further run methods.

Named ``tracking`` because ``nbtrack.run`` is the active run (as ``wandb.run``), not a
module. Nothing is re-exported here: ``import nbtrack`` stays cheap.
"""
