"""Connection options from the configuration over real HTTP: TLS verification on by default,
a CA bundle that trusts a private certificate, and the CSRF fetch method."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from monitron_sap.config import load_settings
from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.errors import ConfigurationError
from monitron_sap.runtime import build_notification_client, connection_settings
from monitron_sap.sap.errors import SapNotFoundError
from monitron_sap.sap.models import NotificationDraft

ENVIRONMENT = {"MONITRON_SAP_SAP_PASSWORD": DEMO_PASSWORD}


class _NotFoundHandler(BaseHTTPRequestHandler):
    """Respond 404 to everything and count the requests that got past the TLS handshake."""

    requests_served = 0

    def do_GET(self) -> None:
        type(self).requests_served += 1
        self.send_response(404)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path = folder / "server.pem"
    key_path = folder / "server.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on loopback with a self-signed certificate: its URL and certificate."""
    certificate, key = _self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    _NotFoundHandler.requests_served = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFoundHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", certificate
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _config(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    path = tmp_path / "monitron-sap.toml"
    path.write_text(
        f'[sap]\nbase_url = "{base_url}"\nuser = "{DEMO_USER}"\n{extra}', encoding="utf-8"
    )
    return path


def test_tls_verification_on_by_default(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "https://s4.example.com:44300"), ENVIRONMENT)

    assert settings.sap.verify_tls is True
    assert connection_settings(settings.sap).verify is True


def test_default_client_rejects_self_signed(tls_server: tuple[str, Path], tmp_path: Path) -> None:
    url, _certificate = tls_server
    settings = load_settings(_config(tmp_path, url), ENVIRONMENT)

    with (
        build_notification_client(settings.sap) as client,
        pytest.raises(ConfigurationError) as caught,
    ):
        client.get("10000000")

    assert "certificate" in str(caught.value).lower()
    assert _NotFoundHandler.requests_served == 0


def test_ca_bundle_trusts_private_certificate(tls_server: tuple[str, Path], tmp_path: Path) -> None:
    url, certificate = tls_server
    settings = load_settings(_config(tmp_path, url, f'ca_bundle = "{certificate}"\n'), ENVIRONMENT)

    with build_notification_client(settings.sap) as client, pytest.raises(SapNotFoundError):
        client.get("10000000")

    assert _NotFoundHandler.requests_served == 1


def test_csrf_fetch_with_head(tmp_path: Path) -> None:
    with EmulatorServer() as sap:
        config = _config(tmp_path, sap.base_url, 'csrf_fetch_method = "HEAD"\n')
        settings = load_settings(config, ENVIRONMENT)
        draft = NotificationDraft(
            text="Pump 7 Motor DE: ALARM",
            notification_type="M1",
            technical_object="10000123",
            technical_object_kind="EAMS_EQUI",
        )
        with build_notification_client(settings.sap) as client:
            client.create(draft)

        assert settings.sap.csrf_fetch_method == "HEAD"
        assert sap.request_count["HEAD service-document"] == 1
        assert sap.request_count["GET service-document"] == 0


def test_csrf_fetch_method_invalid(tmp_path: Path) -> None:
    config = _config(tmp_path, "http://127.0.0.1:1", 'csrf_fetch_method = "OPTIONS"\n')

    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, ENVIRONMENT)

    assert "sap.csrf_fetch_method 'OPTIONS' is invalid" in str(caught.value)
