"""PostgreSQL v3 wire protocol: message framing, the backend messages the endpoint sends, and the frontend
messages it reads. https://www.postgresql.org/docs/current/protocol-message-formats.html"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence
from dataclasses import dataclass

PROTOCOL_3 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
MAX_MESSAGE = 1 << 30

_I = struct.Struct("!i")
_H = struct.Struct("!h")
_II = struct.Struct("!ii")
_FIELD = struct.Struct("!ihihih")


class ProtocolError(Exception):
    """The peer sent something the protocol does not allow."""


def message(kind: bytes, payload: bytes = b"") -> bytes:
    return kind + _I.pack(len(payload) + 4) + payload


def cstr(text: str) -> bytes:
    return text.encode() + b"\x00"


# -- backend messages ---------------------------------------------------------------------------------------------
AUTH_OK = message(b"R", _I.pack(0))
AUTH_CLEARTEXT = message(b"R", _I.pack(3))
PARSE_COMPLETE = message(b"1")
BIND_COMPLETE = message(b"2")
CLOSE_COMPLETE = message(b"3")
NO_DATA = message(b"n")
EMPTY_QUERY = message(b"I")
PORTAL_SUSPENDED = message(b"s")


def auth_md5(salt: bytes) -> bytes:
    return message(b"R", _I.pack(5) + salt)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstr(name) + cstr(value))


def backend_key_data(pid: int, secret: int) -> bytes:
    return message(b"K", _II.pack(pid, secret))


def ready_for_query(status: bytes) -> bytes:
    return message(b"Z", status)


def command_complete(tag: str) -> bytes:
    return message(b"C", cstr(tag))


def parameter_description(oids: Sequence[int]) -> bytes:
    return message(b"t", _H.pack(len(oids)) + b"".join(_I.pack(o) for o in oids))


@dataclass(frozen=True)
class Field:
    """A result column as RowDescription describes it."""

    name: str
    type_oid: int
    type_size: int = -1
    type_modifier: int = -1
    table_oid: int = 0
    column_number: int = 0


def row_description(fields: Sequence[Field], formats: Sequence[int] = ()) -> bytes:
    parts = [_H.pack(len(fields))]
    for i, f in enumerate(fields):
        fmt = formats[i] if i < len(formats) else (formats[0] if len(formats) == 1 else 0)
        parts.append(cstr(f.name))
        parts.append(_FIELD.pack(f.table_oid, f.column_number, f.type_oid, f.type_size, f.type_modifier, fmt))
    return message(b"T", b"".join(parts))


def error_response(
    code: str,
    text: str,
    *,
    severity: str = "ERROR",
    detail: str | None = None,
    hint: str | None = None,
    position: int | None = None,
) -> bytes:
    fields = [b"S" + cstr(severity), b"V" + cstr(severity), b"C" + cstr(code), b"M" + cstr(text)]
    if detail:
        fields.append(b"D" + cstr(detail))
    if hint:
        fields.append(b"H" + cstr(hint))
    if position:
        fields.append(b"P" + cstr(str(position)))
    return message(b"E", b"".join(fields) + b"\x00")


def notice_response(text: str, code: str = "00000") -> bytes:
    return message(
        b"N", b"S" + cstr("NOTICE") + b"V" + cstr("NOTICE") + b"C" + cstr(code) + b"M" + cstr(text) + b"\x00"
    )


def parse_error_fields(payload: bytes) -> dict[str, str]:
    """The fields of an ErrorResponse/NoticeResponse payload, keyed by their one-letter codes."""
    out: dict[str, str] = {}
    for part in payload.split(b"\x00"):
        if part:
            out[chr(part[0])] = part[1:].decode(errors="replace")
    return out


# -- reading ------------------------------------------------------------------------------------------------------
async def read_startup(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The first message: length, then a 4-byte code (protocol version or a special request), then the body."""
    head = await reader.readexactly(4)
    (length,) = _I.unpack(head)
    if length < 8 or length > 10_000:
        raise ProtocolError(f"invalid startup packet length {length}")
    body = await reader.readexactly(length - 4)
    (code,) = _I.unpack_from(body)
    return code, body[4:]


def startup_parameters(body: bytes) -> dict[str, str]:
    parts = body.split(b"\x00")
    params: dict[str, str] = {}
    for i in range(0, len(parts) - 1, 2):
        if not parts[i]:
            break
        params[parts[i].decode(errors="replace")] = parts[i + 1].decode(errors="replace")
    return params


async def read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readexactly(5)
    (length,) = _I.unpack_from(head, 1)
    if length < 4 or length > MAX_MESSAGE:
        raise ProtocolError(f"invalid message length {length}")
    payload = await reader.readexactly(length - 4) if length > 4 else b""
    return head[:1], payload


class Cursor:
    """Reads the fields of a frontend message payload in order."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def cstr(self) -> str:
        end = self.data.index(b"\x00", self.pos)
        text = self.data[self.pos : end].decode()
        self.pos = end + 1
        return text

    def int16(self) -> int:
        (value,) = _H.unpack_from(self.data, self.pos)
        self.pos += 2
        return int(value)

    def int32(self) -> int:
        (value,) = _I.unpack_from(self.data, self.pos)
        self.pos += 4
        return int(value)

    def byte(self) -> bytes:
        value = self.data[self.pos : self.pos + 1]
        self.pos += 1
        return value

    def take(self, n: int) -> bytes:
        value = self.data[self.pos : self.pos + n]
        self.pos += n
        return value


@dataclass
class Parse:
    name: str
    query: str
    param_oids: list[int]


@dataclass
class Bind:
    portal: str
    statement: str
    param_formats: list[int]
    params: list[bytes | None]
    result_formats: list[int]

    def param_format(self, i: int) -> int:
        if not self.param_formats:
            return 0
        return self.param_formats[0] if len(self.param_formats) == 1 else self.param_formats[i]


def parse_parse(payload: bytes) -> Parse:
    c = Cursor(payload)
    name, query = c.cstr(), c.cstr()
    return Parse(name, query, [c.int32() for _ in range(c.int16())])


def parse_bind(payload: bytes) -> Bind:
    c = Cursor(payload)
    portal, statement = c.cstr(), c.cstr()
    formats = [c.int16() for _ in range(c.int16())]
    params: list[bytes | None] = []
    for _ in range(c.int16()):
        n = c.int32()
        params.append(None if n < 0 else c.take(n))
    results = [c.int16() for _ in range(c.int16())]
    return Bind(portal, statement, formats, params, results)


def parse_describe(payload: bytes) -> tuple[str, str]:
    """('S' or 'P', name) -- also the layout of Close."""
    c = Cursor(payload)
    return c.byte().decode(), c.cstr()


def parse_execute(payload: bytes) -> tuple[str, int]:
    c = Cursor(payload)
    return c.cstr(), c.int32()


def parse_query(payload: bytes) -> str:
    return payload.rstrip(b"\x00").decode()
