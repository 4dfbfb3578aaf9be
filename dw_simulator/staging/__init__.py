"""Staging areas for Parquet and user files: S3 (LocalStack, moto, real S3) or, without an endpoint, a local folder
that mirrors `s3://bucket/key` as `<data_root>/s3/bucket/key`.

Owns: the `Stage` interface (list, read, write, upload, delete a prefix), `S3Stage` (boto3, imported when an S3
stage is opened: the `s3` extra), `LocalStage`, and `stage_for(settings)`, which picks one from the settings.
May import: `config` (for its type), `errors`, boto3. It is a domain: the SQL layers (COPY, UNLOAD) and the
backends use it; it never imports the service, the front ends or another domain.
"""

from dw_simulator.staging.s3 import LocalStage, S3Stage, Stage, parse_s3_url, stage_for

__all__ = ["LocalStage", "S3Stage", "Stage", "parse_s3_url", "stage_for"]
