"""The team's blobs in an S3-compatible object store (a local moto server on loopback)."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
import s3_server
from pg_helpers import pg_execute, pg_rows

import nbtrack as wandb
from nbtrack.store.errors import UnsafeStoreEntry
from nbtrack.store.postgres.blob_store import open_blob_store
from nbtrack.sync import sync

_buckets = itertools.count()


@pytest.fixture(scope="module")
def s3_endpoint():
    reason = s3_server.unavailable_reason()
    if reason is not None:
        pytest.skip(f"no local S3-compatible server: {reason}")
    with s3_server.running() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, tmp_path):
    """A new bucket; boto3 pointed at the local server with throwaway credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "nbtrack-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "nbtrack-test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("NBTRACK_CACHE_DIR", str(tmp_path / "cache"))
    import boto3

    name = f"nbtrack-team-{next(_buckets)}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def _objects(bucket: str) -> dict[str, bytes]:
    import boto3

    client = boto3.client("s3")
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def _blob(tmp_path: Path, content: bytes) -> tuple[Path, str]:
    path = tmp_path / hashlib.sha256(content).hexdigest()[:8]
    path.write_bytes(content)
    return path, hashlib.sha256(content).hexdigest()


def test_s3_blobs_are_content_addressed_uploaded_when_missing_and_checked(bucket, tmp_path, monkeypatch):
    blobs = open_blob_store(f"s3://{bucket}/team/")
    assert blobs.location == f"s3://{bucket}/team"
    files = [_blob(tmp_path, f"blob {i}".encode()) for i in range(12)]
    assert blobs.missing({sha for _, sha in files}) == {sha for _, sha in files}  # listed, 12 > a few HEADs
    for path, sha in files[:5]:
        blobs.upload(path, sha)
    assert blobs.missing({sha for _, sha in files}) == {sha for _, sha in files[5:]}
    assert blobs.missing({files[0][1], files[6][1]}) == {files[6][1]}  # a few: one HEAD each
    # a listing that stops early (its request budget spent) asks the rest with HEADs
    blobs.list_page = 1
    assert blobs.missing({sha for _, sha in files}) == {sha for _, sha in files[5:]}
    path, sha = files[0]
    assert f"team/{sha[:2]}/{sha}" in _objects(bucket)
    assert blobs.read(sha) == b"blob 0" and blobs.local_path(sha).read_bytes() == b"blob 0"
    # a file whose content is not its name is not uploaded
    with pytest.raises(UnsafeStoreEntry):
        blobs.upload(files[1][0], sha)
    # an object changed in the bucket is refused, on read and on download
    import boto3

    boto3.client("s3").put_object(Bucket=bucket, Key=f"team/{files[2][1][:2]}/{files[2][1]}", Body=b"changed")
    with pytest.raises(UnsafeStoreEntry, match="does not match"):
        blobs.read(files[2][1], "weights.txt")
    with pytest.raises(UnsafeStoreEntry, match="does not match"):
        blobs.local_path(files[2][1], "weights.txt")
    with pytest.raises(FileNotFoundError):
        blobs.local_path(files[7][1])
    with pytest.raises(UnsafeStoreEntry):
        blobs.has("../../etc/passwd")


def test_runs_and_artifacts_share_blobs_through_s3(pg_url, bucket, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NBTRACK_TEAM_BLOBS", f"s3://{bucket}/nbtrack")
    (tmp_path / "notes.txt").write_text("saved file")
    (tmp_path / "weights.bin").write_bytes(b"\x00weights\xff")
    run = wandb.init(project="team", dir=str(tmp_path / "machine-a"), store=pg_url)
    wandb.save(str(tmp_path / "notes.txt"), base_path=str(tmp_path))
    art = wandb.Artifact("model", type="model")
    art.add_file(str(tmp_path / "weights.bin"))
    run.log_artifact(art)
    run.finish()
    assert run.team_shipper.flush(30)
    named = {r[0] for r in pg_rows(pg_url, "SELECT sha256 FROM files UNION SELECT sha256 FROM artifact_files")}
    assert {k.rsplit("/", 1)[1] for k in _objects(bucket)} == named
    assert pg_rows(pg_url, "SELECT value FROM nbtrack_meta WHERE key = 'blob_dir'") == [(f"s3://{bucket}/nbtrack",)]

    # another machine names no blob store: the database says where it is
    monkeypatch.delenv("NBTRACK_TEAM_BLOBS")
    api = wandb.Api(store=pg_url)
    assert {f.name: f.read() for f in api.run(run.id).files()}["notes.txt"] == b"saved file"
    b = wandb.init(project="team", dir=str(tmp_path / "machine-b"), store=pg_url)
    used = b.use_artifact("model:latest")
    assert (Path(used.download(str(tmp_path / "got"))) / "weights.bin").read_bytes() == b"\x00weights\xff"
    b.finish()
    assert b.team_shipper.flush(30)

    # nothing is uploaded twice: a sync from scratch finds every blob in the bucket
    uploads = []
    real = type(open_blob_store(f"s3://{bucket}/nbtrack")).upload
    monkeypatch.setattr(type(open_blob_store(f"s3://{bucket}/nbtrack")), "upload",
                        lambda self, source, sha: uploads.append(sha) or real(self, source, sha))
    pg_execute(pg_url, "DELETE FROM nbtrack_artifacts_state")
    pg_execute(pg_url, "UPDATE nbtrack_shipped SET files = 0")
    result = sync(dir=tmp_path / "machine-a", store=pg_url)
    assert uploads == [] and result.blobs == 0 and result.missing_blobs == 0
