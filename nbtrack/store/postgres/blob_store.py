"""The team's blob store: content-addressed files every machine can reach.

Two kinds behind one interface (:class:`BlobStore`): a shared directory
(:class:`~nbtrack.store.postgres.blobs.SharedBlobs`, a path on a shared filesystem) and
an S3-compatible object store (:class:`~nbtrack.store.postgres.s3_blobs.S3Blobs`, for an
``s3://bucket/prefix`` location; the endpoint of a non-AWS server comes from
``AWS_ENDPOINT_URL``, credentials from boto3's usual chain). Both keep a blob under its
sha256 (``<sha[:2]>/<sha>``), upload only what is missing, and check what they hand
back against its digest: the store is written by many people.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from .. import paths
from ..store import Store
from .blobs import SharedBlobs

S3_SCHEME = "s3://"
#: uploads in flight at once
UPLOADS_AT_ONCE = 8


class BlobStore(Protocol):
    """What the team store needs of a blob store."""

    #: where the blobs are (a directory or an ``s3://`` URL), as recorded for other clients
    location: str

    def has(self, sha: str) -> bool:
        """True if the blob is in the store."""
        ...

    def missing(self, shas: set[str]) -> set[str]:
        """The digests of ``shas`` the store does not have."""
        ...

    def upload(self, source: Path, sha: str) -> None:
        """Put the file ``source`` (whose sha256 is ``sha``) in the store, whole or not at all."""
        ...

    def read(self, sha: str, entry: str = "") -> bytes:
        """A blob's bytes, checked against its digest (``FileNotFoundError`` if absent)."""
        ...

    def local_path(self, sha: str, entry: str = "") -> Path:
        """A readable local file with the blob's content (a download for an object store,
        checked against its digest; ``FileNotFoundError`` if absent)."""
        ...


def is_s3_url(location: object) -> bool:
    """True for an ``s3://bucket[/prefix]`` location."""
    return isinstance(location, str) and location.strip().lower().startswith(S3_SCHEME)


def normalise(location: str | os.PathLike[str]) -> str:
    """The location as recorded in the database: an absolute directory or the S3 URL."""
    text = os.fspath(location).strip()
    if is_s3_url(text):
        return text.rstrip("/")
    return os.path.abspath(os.path.expanduser(text))


def open_blob_store(location: str | os.PathLike[str]) -> BlobStore:
    """The blob store at ``location``: an ``s3://`` URL or a directory."""
    text = os.fspath(location).strip()
    if is_s3_url(text):
        # boto3 is loaded only by a team that keeps its blobs in an object store
        from .s3_blobs import S3Blobs

        return S3Blobs(text)
    return SharedBlobs(text)


def upload_missing(store: Store, blobs: BlobStore | None, shas: set[str]) -> tuple[int, set[str]]:
    """Upload from the local ``store`` the blobs of ``shas`` the team's blob store lacks
    (several at a time: an object store answers each request over the network):
    (how many were uploaded, the digests not there: no blob store, or missing locally too)."""
    if blobs is None:
        return 0, set(shas)
    todo: list[tuple[Path, str]] = []
    missing: set[str] = set()
    for sha in sorted(blobs.missing(shas)):
        source = paths.blob_path(store.root, sha)
        if source.is_file():
            todo.append((source, sha))
        else:
            missing.add(sha)
    if len(todo) <= 1:
        for source, sha in todo:
            blobs.upload(source, sha)
    else:
        with ThreadPoolExecutor(max_workers=min(UPLOADS_AT_ONCE, len(todo)), thread_name_prefix="nbtrack-blobs") as pool:
            list(pool.map(lambda item: blobs.upload(*item), todo))  # a failed upload raises here
    return len(todo), missing
