"""AWS Signature Version 4, checked the way AWS checks it: the server's token is the secret access key.

When `dw-sim serve` runs with `DW_SIM_API_TOKEN`, a Data API client signs with `aws_secret_access_key=<token>` (any
access key id, any region): the signature is recomputed from the request and compared, so the token itself never
travels. Without a token (loopback only) any credentials, or none, are accepted as the local mock ones.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*SignedHeaders=(?P<headers>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        pairs.append((quote(name, safe="-_.~"), quote(value, safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def check(*, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, secret: str) -> str | None:
    """None when the request is signed with `secret`; otherwise what is wrong (for the error message)."""
    match = _AUTH.match(headers.get("authorization", ""))
    if match is None:
        return "the request is not signed with AWS Signature Version 4 (AWS4-HMAC-SHA256)"
    parts = match.group("credential").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return "the credential scope of the signature is malformed"
    _key_id, date, region, service, _ = parts
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        return "the X-Amz-Date header does not match the credential scope"
    signed = match.group("headers").split(";")
    missing = [h for h in signed if h not in headers]
    if missing:
        return f"signed header {missing[0]} is missing from the request"
    canonical_headers = "".join(f"{h}:{' '.join(headers[h].split())}\n" for h in signed)
    payload = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join(
        [
            method,
            quote(path or "/", safe="/-_.~"),
            _canonical_query(query),
            canonical_headers,
            ";".join(signed),
            payload,
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), date), region), service), "aws4_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group("signature")):
        return "the request signature does not match: sign with aws_secret_access_key set to the server's token"
    return None
