"""S3 staging with boto3 (imported lazily), and the local-folder stand-in used when no endpoint is configured.

A generation run's files go to `s3://<bucket>/<experiment>/<run id>/<table>/<file>.parquet`; COPY reads every
object under a prefix, as Redshift does (`COPY ... FROM 's3://bucket/prefix'` matches keys starting with it).
"""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import BackendUnavailableError, MissingDependencyError, QueryError

if TYPE_CHECKING:
    from dw_simulator.config import Settings


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/key/prefix` -> (bucket, key prefix). Raises QueryError naming the URL when it is not one."""
    if not url.lower().startswith("s3://"):
        raise QueryError(f"'{url}' is not an S3 URL (expected s3://bucket/prefix)")
    rest = url[5:]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise QueryError(f"'{url}' names no bucket")
    return bucket, key


class Stage(ABC):
    """Where staged objects live. Every method takes full `s3://` URLs."""

    @abstractmethod
    def list(self, url: str) -> list[str]:
        """Object URLs whose keys start with the URL's key, sorted."""

    @abstractmethod
    def read(self, url: str) -> bytes: ...

    @abstractmethod
    def write(self, url: str, data: bytes) -> None: ...

    @abstractmethod
    def upload(self, path: Path, url: str) -> None: ...

    @abstractmethod
    def delete_prefix(self, url: str) -> int: ...

    def local_path(self, url: str) -> Path | None:
        """A local file holding the object, when the stage is a folder (saves a copy)."""
        return None

    def size(self, url: str) -> int:
        """The object's size in bytes."""
        local = self.local_path(url)
        return local.stat().st_size if local is not None else len(self.read(url))

    def upload_run(self, experiment: str, run: str, files: Mapping[str, Sequence[Path]], bucket: str) -> dict[str, str]:
        """Upload a run's files; returns table -> prefix URL (ending in '/')."""
        prefixes: dict[str, str] = {}
        for table, paths in files.items():
            prefix = f"s3://{bucket}/{experiment}/{run}/{table}/"
            for path in paths:
                self.upload(Path(path), prefix + Path(path).name)
            prefixes[table] = prefix
        return prefixes


class LocalStage(Stage):
    """`s3://bucket/key` <-> `<root>/bucket/key` on the local disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, url: str) -> Path:
        bucket, key = parse_s3_url(url)
        path = (self.root / bucket / key).resolve()
        if not str(path).startswith(str(self.root.resolve())):
            raise QueryError(f"'{url}' points outside the local staging folder")
        return path

    def list(self, url: str) -> list[str]:
        bucket, key = parse_s3_url(url)
        base = self.root / bucket
        if not base.is_dir():
            return []
        out = []
        for path in base.rglob("*"):
            if path.is_file():
                rel = path.relative_to(base).as_posix()
                if rel.startswith(key):
                    out.append(f"s3://{bucket}/{rel}")
        return sorted(out)

    def read(self, url: str) -> bytes:
        path = self._path(url)
        if not path.is_file():
            raise QueryError(f"the staged object '{url}' does not exist (local staging folder {self.root})")
        return path.read_bytes()

    def write(self, url: str, data: bytes) -> None:
        path = self._path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def upload(self, path: Path, url: str) -> None:
        target = self._path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)

    def delete_prefix(self, url: str) -> int:
        urls = self.list(url)
        for item in urls:
            self._path(item).unlink(missing_ok=True)
        return len(urls)

    def local_path(self, url: str) -> Path | None:
        path = self._path(url)
        return path if path.is_file() else None


class S3Stage(Stage):
    """An S3 API endpoint (LocalStack, moto, or AWS itself with credentials from the environment)."""

    def __init__(
        self,
        endpoint_url: str | None,
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str = "us-east-1",
    ) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise MissingDependencyError("S3 staging", "s3", "boto3") from None
        self.endpoint_url = endpoint_url
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
            config=Config(
                retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60, s3={"addressing_style": "path"}
            ),
        )
        self._buckets: set[str] = set()

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NoSuchBucket"):
                raise QueryError(
                    f"S3 {what}: {code} ({kwargs.get('Bucket')}/{kwargs.get('Key', kwargs.get('Prefix', ''))})"
                ) from None
            raise BackendUnavailableError(f"S3 {what} failed at {self.endpoint_url or 'AWS'}: {exc}") from None
        except BotoCoreError as exc:
            raise BackendUnavailableError(f"cannot reach S3 at {self.endpoint_url or 'AWS'}: {exc}") from None

    def ensure_bucket(self, bucket: str) -> None:
        if bucket in self._buckets:
            return
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=bucket)
        except ClientError:
            self._call("create bucket", self.client.create_bucket, Bucket=bucket)
        except Exception as exc:
            raise BackendUnavailableError(f"cannot reach S3 at {self.endpoint_url or 'AWS'}: {exc}") from None
        self._buckets.add(bucket)

    def list(self, url: str) -> list[str]:
        bucket, key = parse_s3_url(url)
        out: list[str] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": key}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("list", self.client.list_objects_v2, **kwargs)
            out.extend(f"s3://{bucket}/{item['Key']}" for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                break
            token = page.get("NextContinuationToken")
        return sorted(out)

    def read(self, url: str) -> bytes:
        bucket, key = parse_s3_url(url)
        body = self._call("get", self.client.get_object, Bucket=bucket, Key=key)["Body"]
        data: bytes = body.read()
        return data

    def write(self, url: str, data: bytes) -> None:
        bucket, key = parse_s3_url(url)
        self.ensure_bucket(bucket)
        self._call("put", self.client.put_object, Bucket=bucket, Key=key, Body=data)

    def upload(self, path: Path, url: str) -> None:
        bucket, key = parse_s3_url(url)
        self.ensure_bucket(bucket)
        self._call("upload", self.client.upload_file, Filename=str(path), Bucket=bucket, Key=key)

    def size(self, url: str) -> int:
        bucket, key = parse_s3_url(url)
        return int(self._call("head", self.client.head_object, Bucket=bucket, Key=key)["ContentLength"])

    def delete_prefix(self, url: str) -> int:
        bucket, _ = parse_s3_url(url)
        urls = self.list(url)
        for start in range(0, len(urls), 1000):
            chunk = urls[start : start + 1000]
            objects = [{"Key": parse_s3_url(u)[1]} for u in chunk]
            self._call("delete", self.client.delete_objects, Bucket=bucket, Delete={"Objects": objects})
        return len(urls)


def stage_for(settings: Settings) -> Stage:
    """S3 when `s3_endpoint_url` is set, else the local folder `<data_root>/s3`."""
    if settings.s3_endpoint_url:
        return S3Stage(
            settings.s3_endpoint_url,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key or None,
            region=settings.s3_region,
        )
    return LocalStage(settings.data_root / "s3")


class FileListStage(LocalStage):
    """Local files presented under made-up `s3://` prefixes, so a load reads the generated folder in place."""

    def __init__(self) -> None:
        super().__init__(Path("."))
        self._files: dict[str, Path] = {}

    def add(self, prefix: str, paths: Sequence[Path]) -> str:
        for i, path in enumerate(paths):
            self._files[f"{prefix}{i:05d}_{Path(path).name}"] = Path(path)
        return prefix

    def list(self, url: str) -> list[str]:
        return sorted(u for u in self._files if u.startswith(url))

    def read(self, url: str) -> bytes:
        return self._files[url].read_bytes()

    def local_path(self, url: str) -> Path | None:
        return self._files.get(url)

    def write(self, url: str, data: bytes) -> None:
        raise QueryError("the local file list is read-only")

    def upload(self, path: Path, url: str) -> None:
        self._files[url] = path

    def delete_prefix(self, url: str) -> int:
        return 0
