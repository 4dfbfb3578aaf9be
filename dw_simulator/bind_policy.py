"""One bind policy for every listener dw-sim opens: the HTTP API, the Redshift endpoint, the Snowflake endpoint.

Loopback addresses (127.0.0.0/8, ::1, `localhost`) are always allowed. Any other address, wildcards (`0.0.0.0`,
`::`, empty) and host names included, exposes the listener to the network, where its local mock credentials protect
nothing: it is allowed only when the user asked for it in so many words. For the HTTP API that is an API token
(`DW_SIM_API_TOKEN`; every call must then send it); for the wire endpoints, `--allow-remote` or
`DW_SIM_ALLOW_REMOTE=true`. The listeners check at the moment they bind, whichever command or setting chose the
address (`DW_SIM_REDSHIFT_ENDPOINT_HOST=0.0.0.0` goes through the same check as `--host 0.0.0.0`).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from dw_simulator.errors import DwSimError

log = logging.getLogger(__name__)


class UnsafeBindError(DwSimError):
    kind = "unsafe_bind"


@dataclass(frozen=True)
class Listener:
    name: str
    remote_needs: str  # "token" (the HTTP API) or "allow_remote" (wire endpoints)
    why: str  # what an exposed listener would give away


HTTP_API = Listener("the HTTP API", "token", "it creates, replaces and deletes experiments for any caller")
REDSHIFT_ENDPOINT = Listener("the Redshift endpoint", "allow_remote", "its credentials are local mock ones")
SNOWFLAKE_ENDPOINT = Listener("the Snowflake endpoint", "allow_remote", "it accepts any password")


def is_loopback(host: str) -> bool:
    """True only for addresses that cannot be reached from another machine."""
    name = (host or "").strip().strip("[]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name (or a wildcard such as "" or "*"): it may resolve to a public interface


def check_bind(host: str, listener: Listener, *, allow_remote: bool = False, token: str | None = None) -> None:
    """Raise UnsafeBindError unless `listener` may listen on `host`."""
    if is_loopback(host):
        return
    if listener.remote_needs == "token":
        if token:
            log.warning("listening on a non-loopback address", extra={"listener": listener.name, "host": host})
            return
        raise UnsafeBindError(
            f"refusing to serve {listener.name} on {host!r}, which is not a loopback address, without an API token "
            f"({listener.why}): set DW_SIM_API_TOKEN (clients then send `Authorization: Bearer <token>`), or bind "
            "127.0.0.1"
        )
    if allow_remote:
        log.warning("listening on a non-loopback address", extra={"listener": listener.name, "host": host})
        return
    raise UnsafeBindError(
        f"refusing to serve {listener.name} on {host!r}, which is not a loopback address ({listener.why}): pass "
        "--allow-remote or set DW_SIM_ALLOW_REMOTE=true to do it anyway, or bind 127.0.0.1"
    )
