"""Parsing COPY statements: the target may be a schema-qualified, quoted name (as loaders and users write it)."""

from __future__ import annotations

from dw_simulator.sql.redshift.copy_unload.actions import CopyAction, parse_action


def test_qualified_quoted_target_and_manifest() -> None:
    action = parse_action(
        """COPY "My Schema"."orders__new" (id, "Total") FROM 's3://b/run/manifests/orders.manifest' """
        "IAM_ROLE 'arn:aws:iam::0:role/r' FORMAT AS PARQUET MANIFEST",
        "copy",
    )
    assert isinstance(action, CopyAction)
    assert action.table == '"My Schema"."orders__new"'
    assert action.columns == ["id", "total"]
    assert action.source == "s3://b/run/manifests/orders.manifest"
    assert action.options == {"iam_role": "arn:aws:iam::0:role/r", "format": "parquet", "manifest": True}


def test_unquoted_names_still_parse() -> None:
    action = parse_action("copy public.t from 's3://b/p/' iam_role 'r' csv", "copy")
    assert isinstance(action, CopyAction)
    assert (action.table, action.source, action.format) == ("public.t", "s3://b/p/", "csv")
