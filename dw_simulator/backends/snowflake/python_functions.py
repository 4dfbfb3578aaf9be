"""Snowflake functions DuckDB has no counterpart for, as Python functions registered on the engine's DuckDB
instance (named `dwsim_*`; the rewrites of `dw_simulator.sql.snowflake.rewrites.functions` call them):
SOUNDEX, PARSE_IP, ENCRYPT / DECRYPT (passphrase, AES-GCM), ENCRYPT_RAW / DECRYPT_RAW, ARRAY_SORT of a VARIANT.

ENCRYPT's output is dw-sim's own envelope (salt, IV, ciphertext, tag), so values encrypted by Snowflake cannot be
decrypted here and the other way round; round trips, wrong passphrases and authenticated data behave as documented.

https://docs.snowflake.com/en/sql-reference/functions/encrypt
https://docs.snowflake.com/en/sql-reference/functions/encrypt_raw
https://docs.snowflake.com/en/sql-reference/functions/parse_ip
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
from collections.abc import Callable
from typing import Any

import duckdb

from dw_simulator.sql.snowflake.errors import UNSUPPORTED

_ENVELOPE = b"DWS1"
_SOUNDEX = {
    c: str(d) for d, letters in enumerate(("AEIOUYHW", "BFPV", "CGJKQSXZ", "DT", "L", "MN", "R")) for c in letters
}


def soundex(text: str) -> str:
    """American Soundex: the first letter, then up to three digits of the consonants' codes."""
    letters = [c for c in text.upper() if c.isalpha()]
    if not letters:
        return ""
    code = letters[0]
    previous = _SOUNDEX.get(letters[0], "")
    for char in letters[1:]:
        digit = _SOUNDEX.get(char, "")
        if digit and digit != "0" and digit != previous:
            code += digit
        if char not in "HW":
            previous = digit
    return (code + "000")[:4]


def parse_ip(text: str, kind: str, permissive: int | None = 0) -> str | None:
    """PARSE_IP(expr, 'INET') as the OBJECT Snowflake returns (JSON text)."""
    if kind.upper() != "INET":
        raise ValueError(UNSUPPORTED + f"PARSE_IP of type {kind!r} (only INET)")
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
        address = ipaddress.ip_address(text.strip().split("/")[0])
    except ValueError as exc:
        if permissive:
            return json.dumps({"error": f"invalid IP address {text!r}"})
        raise ValueError(f"Error parsing IP address: {exc}") from None
    result: dict[str, Any] = {
        "family": address.version,
        "host": str(address),
        "ip_type": "inet",
        "netmask_prefix_length": network.prefixlen,
        "snowflake$type": "ip_address",
    }
    if address.version == 4:
        result.update(ipv4=int(address), ipv4_range_start=int(network.network_address),
                      ipv4_range_end=int(network.broadcast_address), ip_fields=[int(address), 0, 0, 0])  # fmt: skip
    else:
        value = int(address)
        result.update(hex_ipv6=f"{value:032X}", hex_ipv6_range_start=f"{int(network.network_address):032X}",
                      hex_ipv6_range_end=f"{int(network.broadcast_address):032X}",
                      ip_fields=[(value >> s) & 0xFFFFFFFF for s in (96, 64, 32, 0)])  # fmt: skip
    return json.dumps(result)


def _bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _aesgcm(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(key) not in (16, 24, 32):
        raise ValueError(f"the key must be 128, 192 or 256 bits, not {len(key) * 8}")
    return AESGCM(key)


def _method(method: str | None) -> None:
    if method is not None and method.upper().replace("_", "-") not in ("AES-GCM", "AES-GCM-NONE", "AES"):
        raise ValueError(UNSUPPORTED + f"encryption method {method!r} (only AES-GCM)")


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, 10_000, dklen=32)


def encrypt(value: Any, passphrase: str, aad: Any = None, method: str | None = None) -> bytes | None:
    if value is None or passphrase is None:
        return None
    _method(method)
    salt, iv = os.urandom(16), os.urandom(12)
    sealed: bytes = _aesgcm(_passphrase_key(passphrase, salt)).encrypt(iv, _bytes(value), _bytes(aad) if aad else None)
    return _ENVELOPE + salt + iv + sealed


def decrypt(value: Any, passphrase: str, aad: Any = None, method: str | None = None) -> bytes | None:
    if value is None or passphrase is None:
        return None
    _method(method)
    data = bytes(value)
    if not data.startswith(_ENVELOPE) or len(data) < 4 + 16 + 12 + 16:
        raise ValueError("Decryption failed. Check encrypted data, key, AAD, or AEAD tag.")
    salt, iv, sealed = data[4:20], data[20:32], data[32:]
    try:
        plain: bytes = _aesgcm(_passphrase_key(passphrase, salt)).decrypt(iv, sealed, _bytes(aad) if aad else None)
        return bytes(plain)
    except Exception:  # InvalidTag: wrong passphrase, data or AAD
        raise ValueError("Decryption failed. Check encrypted data, key, AAD, or AEAD tag.") from None


def try_decrypt(value: Any, passphrase: str, aad: Any = None, method: str | None = None) -> bytes | None:
    try:
        return decrypt(value, passphrase, aad, method)
    except ValueError:
        return None


def encrypt_raw(value: Any, key: Any, iv: Any = None, aad: Any = None, method: str | None = None) -> str | None:
    """ENCRYPT_RAW -> {"ciphertext", "iv", "tag"} with the binary fields in hex, as Snowflake shows them."""
    if value is None or key is None:
        return None
    _method(method)
    nonce = bytes(iv) if iv is not None else os.urandom(12)
    sealed = _aesgcm(bytes(key)).encrypt(nonce, bytes(value), bytes(aad) if aad is not None else None)
    return json.dumps({"ciphertext": sealed[:-16].hex().upper(), "iv": nonce.hex().upper(),
                       "tag": sealed[-16:].hex().upper()})  # fmt: skip


def decrypt_raw(
    value: Any, key: Any, iv: Any, aad: Any = None, method: str | None = None, tag: Any = None
) -> bytes | None:
    if value is None or key is None or iv is None:
        return None
    _method(method)
    try:
        sealed = bytes(value) + (bytes(tag) if tag is not None else b"")
        return bytes(_aesgcm(bytes(key)).decrypt(bytes(iv), sealed, bytes(aad) if aad is not None else None))
    except ValueError:
        raise
    except Exception:
        raise ValueError("Decryption failed. Check encrypted data, key, AAD, or AEAD tag.") from None


_TYPE_ORDER = {type(None): 0, bool: 1, int: 2, float: 2, str: 3, list: 4, dict: 5}


def _variant_key(value: Any) -> tuple[int, Any]:
    rank = _TYPE_ORDER.get(type(value), 6)
    if isinstance(value, list | dict):
        return rank, json.dumps(value, sort_keys=True)
    return rank, value if value is not None else 0


def array_sort(array: str, ascending: bool | None = True, nulls_first: bool | None = None) -> str | None:
    """ARRAY_SORT of an ARRAY held as JSON: numbers by value, strings by text, JSON nulls as given."""
    values = json.loads(array)
    if not isinstance(values, list):
        raise ValueError("ARRAY_SORT needs an ARRAY")
    ascending = True if ascending is None else bool(ascending)
    nulls_first = (not ascending) if nulls_first is None else bool(nulls_first)
    present = sorted((v for v in values if v is not None), key=_variant_key, reverse=not ascending)
    nulls = [v for v in values if v is None]
    return json.dumps(nulls + present if nulls_first else present + nulls)


Registration = tuple[str, Callable[..., Any], list[str], str, bool]  # name, function, argument types, result, nulls
FUNCTIONS: list[Registration] = [
    ("dwsim_soundex", soundex, ["VARCHAR"], "VARCHAR", False),
    ("dwsim_parse_ip", parse_ip, ["VARCHAR", "VARCHAR", "INTEGER"], "VARCHAR", False),
    ("dwsim_encrypt", encrypt, ["BLOB", "VARCHAR", "BLOB", "VARCHAR"], "BLOB", True),
    ("dwsim_decrypt", decrypt, ["BLOB", "VARCHAR", "BLOB", "VARCHAR"], "BLOB", True),
    ("dwsim_try_decrypt", try_decrypt, ["BLOB", "VARCHAR", "BLOB", "VARCHAR"], "BLOB", True),
    ("dwsim_encrypt_raw", encrypt_raw, ["BLOB", "BLOB", "BLOB", "BLOB", "VARCHAR"], "VARCHAR", True),
    ("dwsim_decrypt_raw", decrypt_raw, ["BLOB", "BLOB", "BLOB", "BLOB", "VARCHAR", "BLOB"], "BLOB", True),
    ("dwsim_array_sort", array_sort, ["VARCHAR", "BOOLEAN", "BOOLEAN"], "VARCHAR", True),
]


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Register the functions on the instance (every cursor of it sees them)."""
    for name, function, arguments, result, special_nulls in FUNCTIONS:
        con.create_function(  # type: ignore[call-overload]
            name,
            function,
            arguments,
            result,
            null_handling="special" if special_nulls else "default",
            side_effects=name in ("dwsim_encrypt", "dwsim_encrypt_raw"),
        )
