"""SapSession protocol rules, checked against the scripted fake over httpx.MockTransport."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from monitron_sap.errors import (
    ConfigurationError,
    SapAuthorizationError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.errors import SapThrottledError
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import (
    ApiKeyAuth,
    BasicAuth,
    OAuth2ClientCredentials,
    SapConnectionSettings,
)
from tests.unit.sap.fake_sap import BASE_URL, FakeSap, Fault, is_create, is_fetch

NOTIFICATION = {"NotificationText": "Pump bearing noise", "NotificationType": "M2"}


def open_session(
    fake: FakeSap, sleeps: list[float] | None = None, **settings: object
) -> SapSession:
    recorded = sleeps if sleeps is not None else []
    return SapSession(fake.settings(**settings), transport=fake.transport(), sleep=recorded.append)


def test_first_post_fetches_token_then_one_request_each() -> None:
    fake = FakeSap()
    with open_session(fake) as session:
        for _ in range(5):
            session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    assert fake.count(is_fetch) == 1
    assert fake.count(is_create) == 5
    assert len(fake.requests) == 6


def test_post_carries_token_and_session_cookie() -> None:
    fake = FakeSap()
    with open_session(fake) as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    post = fake.requests[-1]
    assert post.headers["x-csrf-token"] == "token-S1"
    assert "SAP_SESSIONID_EMU_100=S1" in post.headers["cookie"]


def test_sap_client_language_and_accept_on_every_request() -> None:
    fake = FakeSap()
    with open_session(fake, sap_client="100", sap_language="EN") as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)
        session.read("MaintenanceNotification", params={"$filter": "NotificationType eq 'M2'"})

    assert len(fake.requests) == 3
    for request in fake.requests:
        assert request.url.params["sap-client"] == "100"
        assert request.url.params["sap-language"] == "EN"
        assert request.headers["accept"] == "application/json"


def test_filter_spaces_encoded_as_percent_20() -> None:
    fake = FakeSap()
    with open_session(fake) as session:
        session.read("MaintenanceNotification", params={"$filter": "NotificationType eq 'M2'"})

    assert b"$filter=NotificationType%20eq%20'M2'" in fake.requests[0].url.raw_path


def test_expired_token_is_fetched_again_once() -> None:
    fake = FakeSap()
    with open_session(fake) as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)
        fake.expire_tokens()
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    assert fake.count(is_fetch) == 2
    assert fake.count(is_create) == 3
    assert len(fake.notifications) == 2


def test_403_without_required_is_not_retried() -> None:
    fake = FakeSap()
    fake.faults.append(
        Fault(is_create, status=403, body={"error": {"code": "/IWFND/CM_CONSUMER/101"}})
    )
    with open_session(fake) as session, pytest.raises(SapAuthorizationError) as caught:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    assert caught.value.code == "/IWFND/CM_CONSUMER/101"
    assert fake.count(is_create) == 1
    assert fake.count(is_fetch) == 1


def test_second_csrf_challenge_raises_authorization_error() -> None:
    fake = FakeSap()
    challenge = {"x-csrf-token": "Required"}
    fake.faults.append(Fault(is_create, status=403, headers=challenge))
    fake.faults.append(Fault(is_create, status=403, headers=challenge))
    with open_session(fake) as session, pytest.raises(SapAuthorizationError) as caught:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    assert "freshly fetched CSRF token" in str(caught.value)
    assert fake.count(is_create) == 2


def test_401_is_authorization_error() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_fetch, status=401, headers={"content-type": "text/html"}))
    with open_session(fake) as session, pytest.raises(SapAuthorizationError) as caught:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    assert caught.value.status == 401
    assert fake.count(is_create) == 0


def test_head_fetch_falls_back_to_get_on_405() -> None:
    fake = FakeSap()
    fake.head_supported = False
    with open_session(fake, csrf_fetch_method="HEAD") as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)
        fake.expire_tokens()
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    methods = [request.method for request in fake.requests if is_fetch(request)]
    assert methods == ["HEAD", "GET", "GET"]


def test_head_fetch_falls_back_to_get_on_501() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(lambda r: r.method == "HEAD", status=501))
    with open_session(fake, csrf_fetch_method="HEAD") as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    methods = [request.method for request in fake.requests if is_fetch(request)]
    assert methods == ["HEAD", "GET"]


def test_head_fetch_used_when_supported() -> None:
    fake = FakeSap()
    with open_session(fake, csrf_fetch_method="HEAD") as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    assert [request.method for request in fake.requests] == ["HEAD", "POST"]


def test_service_without_csrf_gets_no_token_header() -> None:
    fake = FakeSap()
    fake.csrf_enabled = False
    with open_session(fake) as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    assert fake.count(is_fetch) == 1
    assert "x-csrf-token" not in fake.requests[-1].headers


def test_read_retries_503_with_backoff() -> None:
    fake = FakeSap()
    is_read = lambda request: request.method == "GET"  # noqa: E731
    fake.faults.append(Fault(is_read, status=503))
    fake.faults.append(Fault(is_read, raise_error=httpx.ReadTimeout))
    sleeps: list[float] = []
    with open_session(fake, sleeps, backoff_seconds=1.0) as session:
        response = session.read("MaintenanceNotification")

    assert response.status_code == 200
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 2.0


def test_read_gives_up_after_max_retries() -> None:
    fake = FakeSap()
    for _ in range(5):
        fake.faults.append(Fault(lambda r: r.method == "GET", status=500))
    with open_session(fake, max_retries=2) as session, pytest.raises(SapUnavailableError):
        session.read("MaintenanceNotification")

    assert len(fake.requests) == 3


def test_429_waits_for_retry_after() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(lambda r: True, status=429, headers={"retry-after": "7"}))
    sleeps: list[float] = []
    with open_session(fake, sleeps) as session:
        session.read("MaintenanceNotification")

    assert sleeps == [7.0]


def test_503_waits_for_retry_after() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(lambda r: True, status=503, headers={"retry-after": "7"}))
    sleeps: list[float] = []
    with open_session(fake, sleeps) as session:
        session.read("MaintenanceNotification")

    assert sleeps == [7.0]


def test_429_longer_than_max_backoff_is_raised() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(lambda r: True, status=429, headers={"retry-after": "120"}))
    sleeps: list[float] = []
    with open_session(fake, sleeps) as session, pytest.raises(SapThrottledError) as caught:
        session.read("MaintenanceNotification")

    assert caught.value.retry_after == 120.0
    assert sleeps == []


def test_log_lines_hold_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeSap()
    caplog.set_level(logging.DEBUG)
    auth = BasicAuth("MONITRON", "s3cret-password")
    with open_session(fake, auth=auth) as session:
        session.send("POST", "MaintenanceNotification", json_body=NOTIFICATION)

    text = caplog.text
    assert "POST /sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification 201" in text
    for secret in ("s3cret-password", "token-S1", "SAP_SESSIONID", "Basic "):
        assert secret not in text


def test_basic_auth_header_sent() -> None:
    fake = FakeSap()
    with open_session(fake, auth=BasicAuth("MONITRON", "pw")) as session:
        session.read("MaintenanceNotification")

    assert fake.requests[0].headers["authorization"].startswith("Basic ")


def test_api_key_header_is_configurable() -> None:
    fake = FakeSap()
    with open_session(fake, auth=ApiKeyAuth("k-123", header="x-api-key")) as session:
        session.read("MaintenanceNotification")

    assert fake.requests[0].headers["x-api-key"] == "k-123"
    assert "authorization" not in fake.requests[0].headers


def test_tls_verification_off_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    url = "https://insecure-once.test"
    for _ in range(2):
        SapSession(SapConnectionSettings(base_url=url, verify=False)).close()

    warnings = [r for r in caplog.records if "verification is turned off" in r.getMessage()]
    assert len(warnings) == 1


def test_next_link_to_other_host_is_rejected() -> None:
    fake = FakeSap()
    with open_session(fake) as session, pytest.raises(SapRejectedError):
        session.read("https://elsewhere.test/sap/opu/odata/sap/API_MAINTNOTIFICATION/X")

    assert fake.requests == []


class TokenEndpoint:
    """Wraps FakeSap and serves the OAuth token URL; ``lifetime`` is expires_in."""

    def __init__(self, fake: FakeSap, lifetime: int = 3600) -> None:
        self.fake = fake
        self.lifetime = lifetime
        self.token_requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.test":
            self.token_requests.append(request)
            token = f"access-{len(self.token_requests)}"
            return httpx.Response(200, json={"access_token": token, "expires_in": self.lifetime})
        return self.fake.handle(request)


def oauth_session(endpoint: TokenEndpoint) -> SapSession:
    credentials = OAuth2ClientCredentials("https://auth.test/oauth/token", "client", "secret")
    settings = endpoint.fake.settings(auth=credentials)
    return SapSession(settings, transport=httpx.MockTransport(endpoint.handle))


def test_oauth_token_cached_across_requests() -> None:
    endpoint = TokenEndpoint(FakeSap())
    with oauth_session(endpoint) as session:
        session.read("MaintenanceNotification")
        session.read("MaintenanceNotification")

    assert len(endpoint.token_requests) == 1
    token_request = endpoint.token_requests[0]
    assert b"grant_type=client_credentials" in token_request.content
    assert token_request.headers["authorization"].startswith("Basic ")
    assert endpoint.fake.requests[1].headers["authorization"] == "Bearer access-1"


def test_oauth_token_renewed_after_expiry() -> None:
    # expires_in below the renewal margin makes every cached token count as expired.
    endpoint = TokenEndpoint(FakeSap(), lifetime=10)
    with oauth_session(endpoint) as session:
        session.read("MaintenanceNotification")
        session.read("MaintenanceNotification")

    assert len(endpoint.token_requests) == 2
    assert endpoint.fake.requests[1].headers["authorization"] == "Bearer access-2"


def test_oauth_401_on_cached_token_fetches_new_one() -> None:
    endpoint = TokenEndpoint(FakeSap())
    with oauth_session(endpoint) as session:
        session.read("MaintenanceNotification")
        endpoint.fake.faults.append(Fault(lambda r: True, status=401))
        session.read("MaintenanceNotification")

    assert len(endpoint.token_requests) == 2
    assert endpoint.fake.requests[-1].headers["authorization"] == "Bearer access-2"


def test_oauth_token_rejected_is_authorization_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    credentials = OAuth2ClientCredentials("https://auth.test/oauth/token", "client", "wrong")
    settings = FakeSap().settings(auth=credentials)
    session = SapSession(settings, transport=httpx.MockTransport(handle))
    with session, pytest.raises(SapAuthorizationError) as caught:
        session.read("MaintenanceNotification")

    assert "OAuth token request" in str(caught.value)
    assert BASE_URL not in str(caught.value)


def test_invalid_ca_bundle_is_configuration_error(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")
    settings = SapConnectionSettings(base_url="https://s4.example.com", verify=str(bundle))

    with pytest.raises(ConfigurationError) as caught:
        SapSession(settings)

    assert str(bundle) in str(caught.value)
