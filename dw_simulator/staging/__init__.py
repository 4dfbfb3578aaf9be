"""Staging areas for Parquet and user files: S3 (LocalStack, moto, real S3) or, without an endpoint, a local folder
that mirrors `s3://bucket/key` as `<data_root>/s3/bucket/key`."""

from dw_simulator.staging.s3 import LocalStage, S3Stage, Stage, parse_s3_url, stage_for

__all__ = ["LocalStage", "S3Stage", "Stage", "parse_s3_url", "stage_for"]
