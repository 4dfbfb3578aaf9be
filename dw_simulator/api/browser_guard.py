"""What a browser must not be able to do to a local dw-sim: DNS rebinding and cross-site requests.

* **Host**: without an API token, the API answers only requests whose `Host` header names a loopback address
  (`localhost`, `127.x.x.x`, `[::1]`, any port) or a host listed in `DW_SIM_API_ALLOWED_HOSTS`. A page on
  `evil.example` whose name an attacker re-points at 127.0.0.1 (DNS rebinding) sends `Host: evil.example`: 421.
* **Origin**: a state-changing request (POST, PUT, PATCH, DELETE) that a browser sends from another site
  (`Origin` not this server's own origin nor one of `DW_SIM_API_CORS_ORIGINS`, `Origin: null`, or
  `Sec-Fetch-Site: cross-site` without an `Origin`) is refused with 403, token or not. Clients that are not browsers
  (curl, httpx, the CLI) send neither header and are not affected.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def split_host(value: str) -> str:
    """`Host`/`Origin` authority -> host name, lower case, without port or IPv6 brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def is_loopback_name(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str | None, allowed: list[str]) -> bool:
    if not host_header:
        return False  # HTTP/1.1 requires Host; a request without one did not come from a browser page
    host = split_host(host_header)
    return is_loopback_name(host) or host in {split_host(a) for a in allowed}


def origin_of(value: str) -> str | None:
    """`https://Example.com:8443/x` -> `https://example.com:8443`; None when it is not an origin URL."""
    parts = urlsplit(value.strip())
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def cross_site(method: str, headers: dict[str, str], allowed_origins: list[str]) -> str | None:
    """Why a request must be refused as cross-site (None: it may go on)."""
    if method in SAFE_METHODS:
        return None
    origin = headers.get("origin")
    if origin is None:
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return "the browser says this request comes from another site (Sec-Fetch-Site: cross-site)"
        return None
    if origin.strip().lower() == "null":
        return "requests from an opaque origin (Origin: null) may not change anything"
    found = origin_of(origin)
    host = headers.get("host", "").strip().lower()
    if found is not None and found.split("://", 1)[1] == host:
        return None  # same origin: the web UI served by this server
    if found is not None and found in {origin_of(o) for o in allowed_origins}:
        return None
    return f"cross-origin {method} from {origin} refused (allow it with DW_SIM_API_CORS_ORIGINS)"
