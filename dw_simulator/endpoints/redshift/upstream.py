"""A PostgreSQL client connection at the wire level (asyncio), for relaying: startup, authentication (trust,
cleartext, md5, SCRAM-SHA-256), and the cancel request."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass, field

from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.errors import INTERNAL, EndpointError

_I = struct.Struct("!i")


@dataclass
class UpstreamAddress:
    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_url(cls, url: str) -> UpstreamAddress:
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(url)
        host = str(params.get("host") or "127.0.0.1").split(",")[0]
        if host.startswith("/"):
            raise EndpointError(INTERNAL, "the Redshift endpoint reaches PostgreSQL over TCP; give a host in the URL")
        return cls(
            host="127.0.0.1" if host == "localhost" else host,
            port=int(str(params.get("port") or 5432).split(",")[0]),
            user=str(params.get("user") or "postgres"),
            password=str(params.get("password") or ""),
            database=str(params.get("dbname") or params.get("user") or "postgres"),
        )


@dataclass
class Upstream:
    address: UpstreamAddress
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pid: int = 0
    secret: int = 0
    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def connect(cls, address: UpstreamAddress, options: dict[str, str]) -> Upstream:
        try:
            reader, writer = await asyncio.open_connection(address.host, address.port, limit=1 << 22)
        except OSError as exc:
            raise EndpointError(
                "08006",
                f"cannot reach the PostgreSQL server behind this experiment ({address.host}:{address.port}): {exc}",
            ) from None
        upstream = cls(address, reader, writer)
        await upstream._startup(options)
        return upstream

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def _startup(self, options: dict[str, str]) -> None:
        params = {"user": self.address.user, "database": self.address.database, **options}
        body = _I.pack(pg.PROTOCOL_3) + b"".join(pg.cstr(k) + pg.cstr(v) for k, v in params.items()) + b"\x00"
        self.send(_I.pack(len(body) + 4) + body)
        await self.writer.drain()
        scram: _Scram | None = None
        while True:
            kind, payload = await pg.read_message(self.reader)
            if kind == b"R":
                (code,) = _I.unpack_from(payload)
                if code == 0:
                    continue
                if code == 3:
                    self.send(pg.message(b"p", pg.cstr(self.address.password)))
                elif code == 5:
                    inner = hashlib.md5((self.address.password + self.address.user).encode()).hexdigest()
                    digest = "md5" + hashlib.md5(inner.encode() + payload[4:8]).hexdigest()
                    self.send(pg.message(b"p", pg.cstr(digest)))
                elif code == 10:
                    mechanisms = payload[4:].split(b"\x00")
                    if b"SCRAM-SHA-256" not in mechanisms:
                        raise EndpointError(INTERNAL, "PostgreSQL asks for an unsupported SASL mechanism")
                    scram = _Scram(self.address.password)
                    first = scram.first().encode()
                    self.send(pg.message(b"p", pg.cstr("SCRAM-SHA-256") + _I.pack(len(first)) + first))
                elif code == 11 and scram is not None:
                    self.send(pg.message(b"p", scram.final(payload[4:].decode()).encode()))
                elif code == 12:
                    continue
                else:
                    raise EndpointError(INTERNAL, f"PostgreSQL asks for an unsupported authentication (code {code})")
                await self.writer.drain()
            elif kind == b"S":
                name, value, _ = payload.split(b"\x00", 2)
                self.parameters[name.decode()] = value.decode()
            elif kind == b"K":
                self.pid, self.secret = struct.unpack("!ii", payload)
            elif kind == b"E":
                fields = pg.parse_error_fields(payload)
                raise EndpointError(
                    fields.get("C", INTERNAL), "PostgreSQL behind this experiment: " + fields.get("M", "error")
                )
            elif kind == b"Z":
                return

    async def cancel(self) -> None:
        """Ask PostgreSQL to cancel the running statement (a CancelRequest on a connection of its own)."""
        try:
            _, writer = await asyncio.open_connection(self.address.host, self.address.port)
        except OSError:
            return
        writer.write(struct.pack("!iiii", 16, pg.CANCEL_REQUEST, self.pid, self.secret))
        try:
            await writer.drain()
        finally:
            writer.close()

    def close(self) -> None:
        try:
            self.writer.write(pg.message(b"X"))
            self.writer.close()
        except Exception:
            pass


class _Scram:
    """SCRAM-SHA-256 client side (RFC 5802 / 7677), without channel binding."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.nonce = base64.b64encode(secrets.token_bytes(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"

    def first(self) -> str:
        return "n,," + self.first_bare

    def final(self, server_first: str) -> str:
        attrs = dict(part.split("=", 1) for part in server_first.split(","))
        salt, iterations, nonce = base64.b64decode(attrs["s"]), int(attrs["i"]), attrs["r"]
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={nonce}"
        auth_message = f"{self.first_bare},{server_first},{without_proof}".encode()
        signature = hmac.new(stored, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        return f"{without_proof},p={base64.b64encode(proof).decode()}"
