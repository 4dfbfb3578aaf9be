"""The endpoint's TLS certificate: the configured one, or a self-signed one made once under the data root.

Made with the `cryptography` package when it is installed, else with the `openssl` command. Clients that verify
the server (redshift_connector's default `sslmode='verify-ca'`) need to trust it: `ca-bundle.pem` next to it holds
the certificate plus the system's CA certificates, for `SSL_CERT_FILE`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from dw_simulator.connections import BUNDLE_NAME, CERT_NAME, KEY_NAME, tls_dir
from dw_simulator.errors import MissingDependencyError

if TYPE_CHECKING:
    from dw_simulator.config import Settings


def certificate_paths(settings: Settings) -> tuple[Path, Path]:
    """The certificate and key the endpoint serves, making a self-signed pair on first use."""
    if settings.redshift_endpoint_cert is not None:
        key = settings.redshift_endpoint_key or settings.redshift_endpoint_cert
        return settings.redshift_endpoint_cert, key
    directory = tls_dir(settings)
    cert, key = directory / CERT_NAME, directory / KEY_NAME
    if not (cert.is_file() and key.is_file()):
        directory.mkdir(parents=True, exist_ok=True)
        _make_self_signed(cert, key)
        _write_bundle(cert, directory / BUNDLE_NAME)
    return cert, key


def server_context(settings: Settings) -> ssl.SSLContext:
    cert, key = certificate_paths(settings)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context


def _write_bundle(cert: Path, bundle: Path) -> None:
    parts = [cert.read_text()]
    system = ssl.get_default_verify_paths().cafile
    if system and Path(system).is_file():
        parts.append(Path(system).read_text())
    bundle.write_text("\n".join(parts))


def _make_self_signed(cert: Path, key: Path) -> None:
    try:
        _with_cryptography(cert, key)
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            raise MissingDependencyError("TLS on the Redshift endpoint", "endpoint", "cryptography") from None
        subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "3650",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
    key.chmod(0o600)


def _with_cryptography(cert_path: Path, key_path: Path) -> None:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
