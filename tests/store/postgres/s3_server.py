"""A throwaway S3-compatible server on loopback (moto's server mode), for the blob store tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


def unavailable_reason() -> str | None:
    """Why no local S3 server can be started here (None if it can)."""
    try:
        import boto3  # noqa: F401
        from moto.server import ThreadedMotoServer  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install 'moto[server]' boto3, in nbtrack's test extras)"
    return None


@contextmanager
def running() -> Iterator[str]:
    """Start the server on a free loopback port; yield its endpoint URL; stop it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
