"""The team store on PostgreSQL: local-first shipping, and reads over the team's runs.

A run is written to the local DuckDB store as always; a shipper copies what the local
store holds to PostgreSQL in batches, idempotently (a ledger in PostgreSQL records, per
run, the highest step shipped; it moves in the same transaction as the rows). Reads load
the team's runs, files and the history they need from PostgreSQL as Arrow (ADBC) into an
in-memory DuckDB, so every query of the local reader runs unchanged.

Modules: ``url`` (recognise and redact URLs), ``connect`` (ADBC connections, credentials),
``schema`` (DDL, versions, migrations), ``blobs`` (the shared content-addressed
directory), ``ship`` (one shipping pass), ``shipper`` (the process's background
shippers), ``team_store`` and ``reader`` (reads).
"""
