"""S3 access for Snowflake external stages: the loader uploads a run's Parquet files, the embedded endpoint
downloads them again for COPY INTO (DuckDB's httpfs extension cannot be installed offline)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dw_simulator.errors import BackendUnavailableError, MissingDependencyError
from dw_simulator.staging.s3 import check_key

DEFAULT_REGION = "us-east-1"
TRANSFER_THREADS = 4


@dataclass(frozen=True)
class S3Credentials:
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> S3Credentials:
        """From a stage's CREDENTIALS = (AWS_KEY_ID = '...' AWS_SECRET_KEY = '...' AWS_TOKEN = '...')."""
        return cls(
            access_key_id=options.get("AWS_KEY_ID"),
            secret_access_key=options.get("AWS_SECRET_KEY"),
            session_token=options.get("AWS_TOKEN"),
        )


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int


def split_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    parsed = urlparse(url)
    if parsed.scheme not in ("s3", "s3a") or not parsed.netloc:
        raise ValueError(f"'{url}' is not an s3://bucket/path URL")
    key = parsed.path.lstrip("/")
    check_key(url, key)
    return parsed.netloc, key


def client(endpoint_url: str | None, credentials: S3Credentials | None = None, region: str | None = None) -> Any:
    """A boto3 S3 client (cached: creating one costs tens of milliseconds; clients are thread-safe)."""
    creds = credentials or S3Credentials()
    key = (
        endpoint_url,
        creds,
        region,
        os.environ.get("AWS_ACCESS_KEY_ID"),
        os.environ.get("AWS_SECRET_ACCESS_KEY"),
        os.environ.get("AWS_DEFAULT_REGION"),
    )
    with _clients_lock:
        cached = _clients.get(key)
    if cached is not None:
        return cached
    made = _new_client(endpoint_url, creds, region)
    with _clients_lock:
        return _clients.setdefault(key, made)


_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


def _new_client(endpoint_url: str | None, creds: S3Credentials, region: str | None) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise MissingDependencyError("S3 staging", "s3", "boto3") from None
    access_key = creds.access_key_id or os.environ.get("AWS_ACCESS_KEY_ID")
    secret_key = creds.secret_access_key or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if endpoint_url and not access_key:
        # local S3 emulators (LocalStack, moto) accept any key; boto3 still needs one to sign requests
        access_key, secret_key = "test", "test"
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=creds.session_token,
        region_name=region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60),
    )


def list_objects(s3: Any, bucket: str, prefix: str) -> list[S3Object]:
    objects: list[S3Object] = []
    paginator = s3.get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            objects.extend(
                S3Object(item["Key"], int(item["Size"]))
                for item in page.get("Contents", [])
                if not item["Key"].endswith("/")
            )
    except Exception as exc:
        raise BackendUnavailableError(f"cannot list s3://{bucket}/{prefix}: {_describe(exc)}") from None
    return objects


def download(s3: Any, bucket: str, keys: list[str], target: Path) -> list[Path]:
    """Download objects into `target` (a few at a time), keeping their key paths; returns the local paths in key
    order."""

    def fetch(key: str) -> Path:
        path = target / key
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            s3.download_file(bucket, key, str(path))
        except Exception as exc:
            raise BackendUnavailableError(f"cannot download s3://{bucket}/{key}: {_describe(exc)}") from None
        return path

    with ThreadPoolExecutor(max_workers=TRANSFER_THREADS) as pool:
        return list(pool.map(fetch, keys))


def delete(s3: Any, bucket: str, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        if chunk:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})


def upload(s3: Any, bucket: str, files: list[tuple[Path, str]]) -> None:
    """Upload (local path, key) pairs, creating the bucket when it does not exist yet."""
    ensure_bucket(s3, bucket)

    def send(item: tuple[Path, str]) -> None:
        path, key = item
        try:
            s3.upload_file(str(path), bucket, key)
        except Exception as exc:
            raise BackendUnavailableError(f"cannot upload {path} to s3://{bucket}/{key}: {_describe(exc)}") from None

    with ThreadPoolExecutor(max_workers=TRANSFER_THREADS) as pool:
        list(pool.map(send, files))


def ensure_bucket(s3: Any, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except Exception:  # missing (404) or not ours: try to create it, and report that error if it fails
        pass
    try:
        s3.create_bucket(Bucket=bucket)
    except Exception as exc:
        raise BackendUnavailableError(
            f"S3 bucket '{bucket}' does not exist and cannot be created: {_describe(exc)}"
        ) from None


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
