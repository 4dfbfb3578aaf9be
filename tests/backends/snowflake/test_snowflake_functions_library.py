"""dw-sim's implementations of Snowflake functions DuckDB lacks (backends/snowflake/python_functions.py) and the
session-variable substitution (sql/snowflake/variables.py), checked against the documented results."""

from __future__ import annotations

import json

import pytest

from dw_simulator.backends.snowflake import python_functions as f
from dw_simulator.sql.snowflake.variables import MissingVariable, inline_variables


@pytest.mark.parametrize(
    ("name", "code"), [("Robert", "R163"), ("Rupert", "R163"), ("Tymczak", "T522"), ("Pfister", "P236"), ("", "")]
)
def test_soundex(name: str, code: str) -> None:
    assert f.soundex(name) == code


def test_parse_ip_ipv4_and_ipv6() -> None:
    v4 = json.loads(f.parse_ip("192.168.242.188/24", "INET") or "{}")
    assert (v4["ipv4"], v4["ipv4_range_start"], v4["ipv4_range_end"], v4["family"]) == (3232297660, 3232297472,
                                                                                          3232297727, 4)  # fmt: skip
    v6 = json.loads(f.parse_ip("fe80::20c:29ff:fe2c:429/64", "INET") or "{}")
    assert v6["family"] == 6 and v6["netmask_prefix_length"] == 64 and len(v6["hex_ipv6"]) == 32
    with pytest.raises(ValueError, match="parsing IP"):
        f.parse_ip("not an ip", "INET")
    assert "error" in json.loads(f.parse_ip("not an ip", "INET", 1) or "{}")


def test_encrypt_round_trips_and_checks_passphrase_and_aad() -> None:
    sealed = f.encrypt("Secret!", "pass", b"aad")
    assert sealed is not None and sealed != f.encrypt("Secret!", "pass", b"aad")  # a fresh IV each time
    assert f.decrypt(sealed, "pass", b"aad") == b"Secret!"
    for passphrase, aad in (("wrong", b"aad"), ("pass", b"other"), ("pass", None)):
        with pytest.raises(ValueError, match="Decryption failed"):
            f.decrypt(sealed, passphrase, aad)
        assert f.try_decrypt(sealed, passphrase, aad) is None
    with pytest.raises(ValueError, match="not supported on the embedded Snowflake endpoint: encryption method"):
        f.encrypt("x", "p", None, "AES-CBC")


def test_encrypt_raw_is_aes_gcm() -> None:
    key, iv = bytes(32), bytes(12)
    raw = json.loads(f.encrypt_raw(b"Secret!", key, iv, b"aad") or "{}")
    assert raw["iv"] == iv.hex().upper() and len(raw["tag"]) == 32
    plain = f.decrypt_raw(bytes.fromhex(raw["ciphertext"]), key, iv, b"aad", None, bytes.fromhex(raw["tag"]))
    assert plain == b"Secret!"
    assert raw == json.loads(f.encrypt_raw(b"Secret!", key, iv, b"aad") or "{}")  # deterministic for a given IV


def test_array_sort_orders_variants() -> None:
    assert json.loads(f.array_sort("[3, 1, null, 2]") or "[]") == [1, 2, 3, None]
    assert json.loads(f.array_sort("[3, 1, null, 2]", False) or "[]") == [None, 3, 2, 1]
    assert json.loads(f.array_sort('["b", 10, "a", 9]') or "[]") == [9, 10, "a", "b"]


def test_variables_outside_literals_and_quoted_names() -> None:
    values = {"v": "41", "Name": "'x'"}
    assert inline_variables("SELECT $v + 1, $NAME", values) == "SELECT 41 + 1, 'x'"
    kept = """SELECT "$V", 'costs $v', $$ $v $$, a$v, $1 -- $v\nFROM t /* $v */"""
    assert inline_variables(kept, values) == kept
    with pytest.raises(MissingVariable, match=r"\$NOPE"):
        inline_variables("SELECT $nope", values)
