"""Which Snowflake endpoint the backend talks to, and the connector parameters for it.

`settings.snowflake_url` chooses, with no code change between them:

=========================  ==========================================================================================
unset or ``embedded``      the built-in endpoint (fakesnow on DuckDB files under ``<data_root>/warehouse/snowflake``),
                           started on 127.0.0.1 on first use, or the one another dw-sim process already serves
``localstack``             LocalStack Snowflake: https://snowflake.localhost.localstack.cloud:4566, user/password test
``account``                a real account: ``snowflake_account``, ``snowflake_user`` and a password
                           (``snowflake_password``) or a key pair (``snowflake_private_key_path``)
``http(s)://host:port``    any endpoint speaking the protocol (a ``dw-sim snowflake-endpoint``, LocalStack on
                           another host, or ``https://<account>.snowflakecomputing.com``)
=========================  ==========================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from dw_simulator.errors import BackendUnavailableError, MissingDependencyError

if TYPE_CHECKING:
    from dw_simulator.config import Settings

LOCALSTACK_HOST = "snowflake.localhost.localstack.cloud"
LOCALSTACK_PORT = 4566
# the connector retries failed requests until network_timeout: keep it short for local endpoints
LOCAL_NETWORK_TIMEOUT_S = 5
LOCAL_LOGIN_TIMEOUT_S = 10
LOCAL_SOCKET_TIMEOUT_S = 3600  # long queries on the embedded endpoint answer in one request


@dataclass(frozen=True)
class Endpoint:
    kind: str  # embedded | localstack | account | url
    connect_kwargs: dict[str, Any] = field(default_factory=dict)
    transactional_ddl: bool = False  # CREATE/DROP inside BEGIN ... COMMIT roll back (DuckDB yes, Snowflake no)
    local: bool = True

    @property
    def description(self) -> str:
        host = self.connect_kwargs.get("host") or f"{self.connect_kwargs.get('account')}.snowflakecomputing.com"
        port = self.connect_kwargs.get("port")
        return f"{self.kind} Snowflake endpoint {host}{':' + str(port) if port else ''}"


def endpoint_kind(settings: Settings) -> str:
    url = (settings.snowflake_url or "embedded").strip()
    lowered = url.lower()
    if lowered in ("embedded", "localstack", "account"):
        return lowered
    if lowered.startswith(("http://", "https://")):
        return "url"
    raise BackendUnavailableError(
        f"snowflake_url '{url}' is not understood: use 'embedded', 'localstack', 'account' or an http(s):// URL"
    )


def resolve_endpoint(settings: Settings) -> Endpoint:
    kind = endpoint_kind(settings)
    common: dict[str, Any] = {
        "warehouse": settings.snowflake_warehouse_name,
        "role": settings.snowflake_role,
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False, "TIMEZONE": "UTC"},
    }
    local_timeouts = {
        "network_timeout": LOCAL_NETWORK_TIMEOUT_S,
        "login_timeout": LOCAL_LOGIN_TIMEOUT_S,
        "socket_timeout": LOCAL_SOCKET_TIMEOUT_S,
    }
    password = settings.snowflake_password.get_secret_value() if settings.snowflake_password else None
    if kind == "embedded":
        from dw_simulator.backends.snowflake.endpoint import MOCK_PASSWORD, shared_endpoint

        address = shared_endpoint(settings)
        return Endpoint(
            "embedded",
            {
                **common,
                **local_timeouts,
                "account": settings.snowflake_account,
                "user": settings.snowflake_user,
                "password": password or MOCK_PASSWORD,
                "host": address.host,
                "port": address.port,
                "protocol": address.protocol,
            },
            transactional_ddl=True,
        )
    if kind == "localstack":
        return Endpoint(
            "localstack",
            {
                **common,
                **local_timeouts,
                "account": "test",
                "user": "test",
                "password": password or "test",
                "host": LOCALSTACK_HOST,
                "port": LOCALSTACK_PORT,
                "protocol": "https",
            },
        )
    if kind == "url":
        parsed = urlparse(settings.snowflake_url or "")
        host = parsed.hostname or "127.0.0.1"
        real = host.endswith(".snowflakecomputing.com")
        kwargs: dict[str, Any] = {
            **common,
            "account": settings.snowflake_account if not real else host.split(".")[0],
            "user": settings.snowflake_user,
            "host": host,
            "port": parsed.port or (443 if parsed.scheme == "https" else 80),
            "protocol": parsed.scheme,
        }
        kwargs.update(_auth(settings, password, required=real))
        if not real:
            kwargs.update(local_timeouts)
        return Endpoint("url", kwargs, local=not real)
    # a real account
    kwargs = {**common, "account": settings.snowflake_account, "user": settings.snowflake_user}
    kwargs.update(_auth(settings, password, required=True))
    return Endpoint("account", kwargs, local=False)


def _auth(settings: Settings, password: str | None, *, required: bool) -> dict[str, Any]:
    if settings.snowflake_authenticator:
        out: dict[str, Any] = {"authenticator": settings.snowflake_authenticator}
        if password:
            out["password"] = password
        return out
    if settings.snowflake_private_key_path is not None:
        return {"private_key": _load_private_key(settings)}
    if password:
        return {"password": password}
    if required:
        raise BackendUnavailableError(
            "a real Snowflake account needs credentials: set DW_SIM_SNOWFLAKE_PASSWORD, or "
            "DW_SIM_SNOWFLAKE_PRIVATE_KEY_PATH (key-pair authentication), or DW_SIM_SNOWFLAKE_AUTHENTICATOR"
        )
    return {"password": "dwsim"}


def _load_private_key(settings: Settings) -> bytes:
    """The PEM key as the DER bytes the connector takes for key-pair authentication."""
    path = settings.snowflake_private_key_path
    assert path is not None
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise MissingDependencyError("Snowflake key-pair authentication", "snowflake", "cryptography") from None
    try:
        data = path.expanduser().read_bytes()
    except OSError as exc:
        raise BackendUnavailableError(f"cannot read the Snowflake private key {path}: {exc.strerror}") from None
    passphrase = settings.snowflake_private_key_passphrase
    try:
        key = serialization.load_pem_private_key(
            data, password=passphrase.get_secret_value().encode() if passphrase else None
        )
    except (ValueError, TypeError) as exc:
        raise BackendUnavailableError(f"cannot load the Snowflake private key {path}: {exc}") from None
    return key.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def connect(endpoint: Endpoint, **extra: Any) -> Any:
    """A real `snowflake.connector` connection to the endpoint."""
    try:
        import snowflake.connector
    except ImportError:
        raise MissingDependencyError("the snowflake warehouse", "snowflake", "snowflake-connector-python") from None
    try:
        return snowflake.connector.connect(**{**endpoint.connect_kwargs, **extra})
    except snowflake.connector.errors.Error as exc:
        raise BackendUnavailableError(f"cannot connect to the {endpoint.description}: {exc.msg or exc}") from None
