"""Capture what a run came from: the notebook or script, and the environment.

Import from the submodules: ``nbtrack.capture.notebook`` (``find_notebook``,
``history_notebook``, ``script_source``, ``CodeSource``) and
``nbtrack.capture.environment`` (``environment``, ``git_info``). Nothing is re-exported
here, so ``nbtrack.capture.environment`` always names the module.
"""
