"""The notebook glue: the ``%nbtrack`` magic (`magic`), the IPython cell hooks that place
and checkpoint the live panel (`_hooks`), and the capture of a run's code at init and
finish (`_snapshot`; the finding and reading itself is in ``nbtrack.capture``).

Nothing is re-exported here: ``import nbtrack`` stays cheap.
"""
