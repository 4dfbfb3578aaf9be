"""A run's parts as warehouses receive them: local Parquet files (`Path`) or objects on S3 (`s3://` URL strings),
written there by the generator's workers. Loaders read S3 parts where they are, never through a local copy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from dw_simulator.errors import QueryError
from dw_simulator.staging.s3 import S3Stage, parse_s3_url

if TYPE_CHECKING:
    import pyarrow.dataset as pads

    from dw_simulator.config import Settings

Part = Path | str


def is_s3_url(part: Part) -> bool:
    return isinstance(part, str) and part.lower().startswith("s3://")


def s3_stage(settings: Settings) -> S3Stage:
    """The S3 API the settings name (no endpoint: AWS itself, credentials from the usual chain)."""
    return S3Stage(
        settings.s3_endpoint_url,
        access_key_id=settings.s3_access_key_id or None,
        secret_access_key=settings.s3_secret_access_key or None,
        region=settings.s3_region,
    )


def arrow_filesystem(settings: Settings) -> Any:
    """PyArrow's S3 filesystem for the settings' endpoint and credentials."""
    import pyarrow.fs as pafs

    kwargs: dict[str, Any] = {"region": settings.s3_region, "connect_timeout": 10, "request_timeout": 120}
    if settings.s3_endpoint_url:
        parsed = urlparse(settings.s3_endpoint_url)
        kwargs["endpoint_override"] = parsed.netloc or parsed.path
        kwargs["scheme"] = parsed.scheme or "https"
    if settings.s3_access_key_id:
        kwargs["access_key"] = settings.s3_access_key_id
        kwargs["secret_key"] = settings.s3_secret_access_key or ""
    return pafs.S3FileSystem(**kwargs)


def parts_dataset(parts: Sequence[Part], settings: Settings) -> pads.Dataset:
    """The parts as one Arrow dataset, read in order and streamed batch by batch (local files or S3 objects)."""
    import pyarrow.dataset as pads

    if parts and all(is_s3_url(p) for p in parts):
        keys = ["/".join(parse_s3_url(str(p))) for p in parts]
        try:
            return pads.dataset(keys, format="parquet", filesystem=arrow_filesystem(settings))
        except OSError as exc:
            raise QueryError(f"cannot read the run's parts on S3 ({parts[0]} ...): {exc}") from None
    if any(is_s3_url(p) for p in parts):
        raise QueryError("a load takes either local Parquet files or s3:// objects, not both")
    return pads.dataset([str(p) for p in parts], format="parquet")
