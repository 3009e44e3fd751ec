"""Team blobs in an S3-compatible object store (AWS S3, MinIO, Ceph, ...), through boto3.

``s3://bucket/prefix`` keeps the blob with sha256 ``sha`` under the key
``prefix/<sha[:2]>/<sha>``. A server other than AWS is named by ``AWS_ENDPOINT_URL``
(boto3 reads it); credentials come from boto3's own chain (environment, profile, role),
never from nbtrack. Uploads are whole objects (S3 never shows half of one); what is
already there (a HEAD answers) is not uploaded again. Downloads go to a local cache
(``NBTRACK_CACHE_DIR``, default ``~/.cache/nbtrack``) and are checked against their
digest before they are used.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import UnsafeStoreEntry
from ..untrusted import check_content, check_digest

try:  # an optional dependency: only a team that keeps its blobs in an object store needs it
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:  # S3Blobs() says what to install
    boto3 = None

ENV_CACHE_DIR = "NBTRACK_CACHE_DIR"
_CHUNK = 1 << 20


def cache_dir() -> Path:
    """Where downloaded team blobs are kept: ``NBTRACK_CACHE_DIR`` or ``$XDG_CACHE_HOME/nbtrack``."""
    named = os.environ.get(ENV_CACHE_DIR)
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nbtrack"


class S3Blobs:
    """Blobs under ``s3://bucket/prefix``."""

    #: keys a listing request returns (S3's maximum)
    list_page = 1000

    def __init__(self, url: str) -> None:
        if boto3 is None:
            raise ImportError("an s3:// blob store needs boto3: pip install 'nbtrack[s3]'")
        parts = urlsplit(url.strip())
        if not parts.netloc:
            raise ValueError(f"an S3 blob store is named s3://bucket/prefix, not {url!r}")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.location = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)
        self._client: Any = boto3.session.Session().client("s3", config=config)
        self._errors: Any = self._client.exceptions
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"S3Blobs({self.location!r})"

    def key(self, sha: str) -> str:
        """The object key of a blob."""
        sha = check_digest(sha)
        return f"{self.prefix}/{sha[:2]}/{sha}" if self.prefix else f"{sha[:2]}/{sha}"

    def has(self, sha: str) -> bool:
        """True if the object exists (one HEAD request)."""
        try:
            self._client.head_object(Bucket=self.bucket, Key=self.key(sha))
            return True
        except ClientError as exc:
            if _status(exc) == 404:
                return False
            raise

    def missing(self, shas: set[str]) -> set[str]:
        """The digests not in the store. A few are asked with a HEAD each; for more, the
        prefix is listed (1,000 keys a request) as long as that costs fewer requests than
        the HEADs it saves, and what the listing did not reach is asked with HEADs."""
        wanted = {check_digest(s) for s in shas}
        if len(wanted) <= 8:
            return {s for s in wanted if not self.has(s)}
        found: set[str] = set()
        budget = max(1, len(wanted) // 4)  # listing requests worth spending instead of HEADs
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start,
                                                                     PaginationConfig={"PageSize": self.list_page})
        reached: str | None = None  # the last key listed, when the listing stopped early
        for n, page in enumerate(pages, 1):
            keys = [obj["Key"] for obj in page.get("Contents", [])]
            found.update(k.rsplit("/", 1)[-1] for k in keys)
            if n >= budget and page.get("IsTruncated"):
                reached = keys[-1] if keys else ""
                break
        absent = wanted - found
        if reached is None:
            return absent
        # keys are listed in order: one after the last listed key may still be there
        return {s for s in absent if self.key(s) <= reached or not self.has(s)}

    def upload(self, source: Path, sha: str) -> None:
        """Upload a local file as the blob ``sha`` (its content is checked first)."""
        key = self.key(sha)
        if _sha256_of(source) != sha:
            raise UnsafeStoreEntry(f"nbtrack: {source} does not hold the content of blob {sha[:12]}...; "
                                   "not uploaded.")
        self._client.upload_file(str(source), self.bucket, key)

    def read(self, sha: str, entry: str = "") -> bytes:
        """A blob's bytes, checked against its digest."""
        try:
            body = self._client.get_object(Bucket=self.bucket, Key=self.key(sha))["Body"]
            data = body.read()
        except ClientError as exc:
            if _status(exc) == 404:
                raise FileNotFoundError(f"blob {sha[:12]}... is not in {self.location}") from None
            raise
        return check_content(data, sha, entry)

    def local_path(self, sha: str, entry: str = "") -> Path:
        """The blob downloaded into the local cache (checked; kept for the next use)."""
        sha = check_digest(sha, entry)
        target = cache_dir() / "blobs" / sha[:2] / sha
        if target.is_file() and _sha256_of(target) == sha:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            try:
                self._client.download_file(self.bucket, self.key(sha), str(tmp))
            except ClientError as exc:
                if _status(exc) == 404:
                    raise FileNotFoundError(f"blob {sha[:12]}... is not in {self.location}") from None
                raise
            if _sha256_of(tmp) != sha:
                what = f" of {entry!r}" if entry else ""
                raise UnsafeStoreEntry(f"nbtrack: the stored content{what} in {self.location} does not match "
                                       f"its sha256 {sha[:12]}...; the blob was changed or is corrupt.")
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
        return target


def _status(exc: Any) -> int:
    try:
        return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])
    except (KeyError, TypeError, ValueError):
        return 0


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()
