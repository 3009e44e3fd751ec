"""The team store on PostgreSQL: local-first shipping, and reads over the team's runs.

A run is written to the local DuckDB store as always; a shipper copies what the local
store holds to PostgreSQL in batches, idempotently (a ledger in PostgreSQL records, per
run, the highest step shipped; it moves in the same transaction as the rows). Reads load
the team's runs, files and the history they need from PostgreSQL as Arrow (ADBC) into an
in-memory DuckDB, so every query of the local reader runs unchanged.

Modules: ``url`` (recognise and redact URLs), ``connect`` (ADBC connections, credentials),
``schema`` (DDL, versions, migrations; ``artifact_schema`` v2), ``blob_store`` (the
team's content-addressed blobs: ``blobs`` a shared directory, ``s3_blobs`` an
S3-compatible object store), ``ship`` (one shipping pass; ``ship_artifacts`` its
artifacts and lineage), ``shipper`` (the process's background shippers), ``team_store``,
``reader`` and ``artifact_tables`` (reads).
"""
