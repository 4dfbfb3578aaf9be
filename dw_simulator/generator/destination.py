"""Where a run's Parquet parts go: a folder (local, or shared by every worker of a cluster) or an S3 prefix.

A destination is a small picklable value: the client makes it, and every worker that writes a part gets a copy, so
parts go straight from the worker to the folder or the bucket and nothing passes through the client. The layout is
the same for both, ``<root>/<table>/part-NNNNN.parquet``, and a part that exists is complete: in a folder it is
written under a temporary name and renamed (the name is unique per attempt, so a retried unit never collides with
a lost worker's half-written file); on S3 an object appears only when its upload completes.

S3 is reached with PyArrow's own S3 filesystem (any S3-compatible store: AWS, MinIO, LocalStack, moto). Without an
access key the workers use the AWS default credential chain (environment, profile, instance or pod role), so
secrets need not travel with the work.
"""

from __future__ import annotations

import os
import shutil
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pyarrow.parquet as pq

from dw_simulator.generator.writer import parquet_options, part_name

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.fs as pafs


class Destination(ABC):
    """The run's root, where each unit writes its part and whence a failed run's parts are removed."""

    root: str

    @abstractmethod
    def part(self, table: str, index: int) -> str:
        """The location of part `index` of `table` (a path, or an `s3://` URL)."""

    @abstractmethod
    def prepare(self, tables: list[str]) -> None:
        """Make the table folders (or the bucket) before any unit runs; remember what was created."""

    @abstractmethod
    def write(self, data: pa.Table, part: str, dictionary: list[str]) -> None:
        """Write one part, complete or not at all (called on the worker)."""

    @abstractmethod
    def cleanup(self, parts: list[str]) -> None:
        """Remove the listed parts (and any temporaries of them), then what `prepare` created."""

    def finish(self, parts: list[str]) -> None:  # noqa: B027 - optional hook
        """After every unit succeeded: remove what lost attempts may have left (a folder's temporaries)."""

    @property
    def is_local(self) -> bool:
        return True


@dataclass
class FolderDestination(Destination):
    """A folder every worker sees at the same path (this machine's disk, or a shared NFS/EFS/SMB mount)."""

    root: str
    created: list[str] = field(default_factory=list)

    def part(self, table: str, index: int) -> str:
        return str(Path(self.root) / table / part_name(index))

    def prepare(self, tables: list[str]) -> None:
        for table in tables:
            path = Path(self.root) / table
            missing: list[Path] = []
            probe = path
            while not probe.exists():
                missing.append(probe)
                probe = probe.parent
            path.mkdir(parents=True, exist_ok=True)
            self.created.extend(str(p) for p in reversed(missing))

    def write(self, data: pa.Table, part: str, dictionary: list[str]) -> None:
        path = Path(part)
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        try:
            pq.write_table(data, tmp, **parquet_options(dictionary))
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def cleanup(self, parts: list[str]) -> None:
        for part in parts:
            _unlink(Path(part))
        self.finish(parts)
        for directory in reversed(self.created):
            shutil.rmtree(directory, ignore_errors=True)
        self.created.clear()

    def finish(self, parts: list[str]) -> None:
        for directory in {Path(p).parent for p in parts}:
            if directory.is_dir():
                for stray in directory.glob("part-*.parquet.*.tmp"):
                    _unlink(stray)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        return


@dataclass(frozen=True)
class S3Options:
    """How workers reach the store. Keys left empty: the AWS default credential chain on each worker."""

    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)

    def filesystem(self) -> pafs.S3FileSystem:
        import pyarrow.fs as pafs

        kwargs: dict[str, Any] = {"region": self.region, "connect_timeout": 10, "request_timeout": 120}
        if self.endpoint_url:
            parsed = urlparse(self.endpoint_url)
            kwargs["endpoint_override"] = parsed.netloc or parsed.path
            kwargs["scheme"] = parsed.scheme or "https"
        if self.access_key_id:
            kwargs["access_key"] = self.access_key_id
            kwargs["secret_key"] = self.secret_access_key or ""
        kwargs["allow_bucket_creation"] = True
        return pafs.S3FileSystem(**kwargs)


def split_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix/` -> (`bucket`, `some/prefix`). Raises ValueError naming the URL."""
    if not url.lower().startswith("s3://"):
        raise ValueError(f"'{url}' is not an S3 URL (expected s3://bucket/prefix)")
    bucket, _, key = url[5:].partition("/")
    if not bucket:
        raise ValueError(f"'{url}' names no bucket")
    return bucket, key.strip("/")


@dataclass
class S3Destination(Destination):
    """An S3 prefix: parts are objects `s3://bucket/<prefix>/<table>/part-NNNNN.parquet`."""

    root: str
    options: S3Options = field(default_factory=S3Options)
    _fs: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bucket, prefix = split_s3_url(self.root)
        self.root = f"s3://{bucket}/{prefix}".rstrip("/")

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_fs"] = None  # each process opens its own connection pool
        return state

    @property
    def is_local(self) -> bool:
        return False

    @property
    def fs(self) -> pafs.S3FileSystem:
        if self._fs is None:
            self._fs = self.options.filesystem()
        return self._fs

    def part(self, table: str, index: int) -> str:
        return f"{self.root}/{table}/{part_name(index)}"

    @staticmethod
    def _key(url: str) -> str:
        bucket, key = split_s3_url(url)
        return f"{bucket}/{key}"

    def prepare(self, tables: list[str]) -> None:
        import pyarrow.fs as pafs

        bucket, _ = split_s3_url(self.root)
        if self.fs.get_file_info(bucket).type == pafs.FileType.NotFound:
            self.fs.create_dir(bucket)

    def write(self, data: pa.Table, part: str, dictionary: list[str]) -> None:
        import pyarrow as pa

        # encode first (a failure while encoding uploads nothing), then one upload: the object appears only
        # when it completes
        buffer = pa.BufferOutputStream()
        pq.write_table(data, buffer, **parquet_options(dictionary))
        payload = buffer.getvalue()
        with self.fs.open_output_stream(self._key(part), metadata={"Content-Type": "application/octet-stream"}) as sink:
            sink.write(payload)

    def cleanup(self, parts: list[str]) -> None:
        import pyarrow.fs as pafs

        for part in parts:
            key = self._key(part)
            try:
                if self.fs.get_file_info(key).type != pafs.FileType.NotFound:
                    self.fs.delete_file(key)
            except OSError:
                continue


def destination_for(root: str | Path, s3: S3Options | None = None) -> Destination:
    """An `s3://` URL is an S3 prefix (reached with `s3`); anything else is a folder path."""
    text = str(root)
    if text.lower().startswith("s3://"):
        return S3Destination(text, s3 or S3Options())
    return FolderDestination(text)
