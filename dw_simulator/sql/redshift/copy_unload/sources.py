"""The objects a COPY reads: every object under the S3 prefix, or the files its MANIFEST lists, decompressed.

https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html
"""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload.actions import CopyAction

if TYPE_CHECKING:
    from dw_simulator.staging import Stage


def source_objects(action: CopyAction, stage: Stage) -> list[str]:
    if action.options.get("manifest"):
        manifest = json.loads(stage.read(action.source))
        urls = []
        for entry in manifest.get("entries", []):
            url = entry["url"]
            if entry.get("mandatory") and not stage.list(url):
                raise QueryError(f"Manifest file is not valid: the mandatory file '{url}' does not exist")
            urls.append(url)
        return urls
    urls = [u for u in stage.list(action.source) if not u.endswith("/")]
    if not urls:
        raise QueryError(f"The specified S3 prefix '{action.source}' does not exist")
    return urls


def read_object(url: str, stage: Stage, options: dict[str, Any]) -> bytes:
    data = stage.read(url)
    if options.get("gzip") or (url.endswith(".gz") and data[:2] == b"\x1f\x8b"):
        data = gzip.decompress(data)
    elif options.get("bzip2"):
        import bz2

        data = bz2.decompress(data)
    elif options.get("zstd"):
        raise QueryError("COPY ... ZSTD is not supported by dw-sim; use GZIP or BZIP2")
    return data
