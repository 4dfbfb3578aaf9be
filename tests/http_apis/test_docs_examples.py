"""The copy-paste examples of docs/redshift-data-api.md and docs/snowflake-sql-api.md run as written (only the
server's address changes) against `dw-sim serve` over the experiments their shell lines create."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from http_api_support import Live, live_app

from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLE = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples" / "ecommerce_experiment.json"


def python_blocks(doc: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / doc).read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture(scope="module")
def docs_live(tmp_path_factory: pytest.TempPathFactory, stop_snowflake_endpoints: None) -> Iterator[Live]:
    settings = Settings(data_root=tmp_path_factory.mktemp("docs") / "data")
    with Simulator(settings) as sim:  # the docs' shell lines
        sim.create_experiment_from_file(EXAMPLE)
        sim.generate("ecommerce_experiment", seed=1)
        sim.create_experiment_from_file(EXAMPLE, name="shop_sf", target_warehouse="snowflake")
        sim.generate("shop_sf", seed=1)
    with live_app(settings, ApiSettings()) as server:
        yield server


def run_example(code: str, live: Live) -> str:
    host, port = live.url.removeprefix("http://").split(":")
    code = code.replace("http://127.0.0.1:8000", live.url).replace(
        'host="127.0.0.1", port=8000', f'host="{host}", port={port}'
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<doc example>", "exec"), {"__name__": "doc_example"})
    return out.getvalue()


def test_the_data_api_example(docs_live: Live) -> None:
    blocks = python_blocks("redshift-data-api.md")
    assert blocks
    lines = run_example(blocks[0], docs_live).splitlines()
    assert len(lines) == 5
    counts = [int(line.split()[1]) for line in lines]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 1


def test_the_sql_api_examples(docs_live: Live, tmp_path: Path) -> None:
    blocks = python_blocks("snowflake-sql-api.md")
    assert len(blocks) == 2
    printed = run_example(blocks[0], docs_live)
    assert printed.startswith("['CUSTOMER_ID', 'ORDERS'] [[")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "rsa_key.p8").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    library = run_example(blocks[1], docs_live)  # the test's working directory is tmp_path
    assert re.fullmatch(r"\[\{'N': \d+\}\]\n", library)
