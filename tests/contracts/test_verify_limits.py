"""Bounds on public verification uploads (contracts.verify_limits): refused by
Content-Length before the body is read and while it streams in; the seal check in a child
process with memory and time limits; a machine-wide cap on concurrent checks; rate limits;
CSRF still checked on the web form."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient

from contracts.verify_apis import AgreementVerifyApi
from contracts.verify_limits import UploadLimitHandler, verification_slot
from contracts.verify_views import agreement_verify
from marketplace.pdf import render_pdf
from tests.contracts.hostile_pdfs import many_signature_fields
from tests.contracts.samples import agreement_context

pytestmark = pytest.mark.django_db

VERIFY_API = "/api/v1/agreements/verify/"
VERIFY_PAGE = "/agreements/verify/"


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context())


class _UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def _huge_request(path: str, length: int = 10**9) -> WSGIRequest:
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "10.5.5.5",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(length),
            "wsgi.input": _UnreadableBody(),
            "wsgi.url_scheme": "http",
        }
    )


@pytest.mark.parametrize("view", [AgreementVerifyApi.as_view(), agreement_verify])
def test_an_upload_over_the_limit_by_content_length_is_refused_before_its_body_is_read(view):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = _huge_request(VERIFY_API)
    request.user = AnonymousUser()
    request.session = SessionStore()
    response = view(request)
    assert response.status_code == 413


@pytest.mark.parametrize("view", [AgreementVerifyApi.as_view(), agreement_verify])
def test_with_every_slot_taken_an_upload_is_refused_before_its_body_is_read(view, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    settings.VERIFY_CONCURRENCY = 1
    request = _huge_request(VERIFY_API, length=5_000_000)  # within the size limit
    request.user = AnonymousUser()
    request.session = SessionStore()
    with verification_slot():
        response = view(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_the_upload_handler_stops_reading_once_the_file_passes_the_limit(settings):
    settings.VERIFY_MAX_UPLOAD_BYTES = 100_000
    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 900_000)
    body = encode_multipart(BOUNDARY, {"file": big})
    stream = io.BytesIO(body)
    limit = UploadLimitHandler()
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    _post, files = MultiPartParser(meta, stream, [limit, MemoryFileUploadHandler()]).parse()
    assert limit.exceeded
    assert "file" not in files
    assert stream.tell() < 300_000, "the rest of the body was not read"


def test_api_file_over_the_limit_within_the_envelope_allowance_is_413(api_client, settings):
    settings.VERIFY_MAX_UPLOAD_BYTES = 10_000
    response = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 30_000)},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_check_over_its_memory_limit_is_refused_as_too_complex(api_client, settings):
    # No room beyond the worker's own mappings (free space in its heap is reusable); the file
    # needs about 150 MB. The CPU and wall limits are far away, so only memory can stop it.
    settings.VERIFY_MEMORY_BYTES = 1
    settings.VERIFY_CPU_SECONDS = 60
    settings.VERIFY_TIMEOUT_SECONDS = 120
    costly = many_signature_fields(60_000)
    response = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("a.pdf", costly)}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "too_complex" and body["fields"]["file"] == [body["message"]]


def test_a_check_over_its_cpu_limit_is_ended_and_refused_as_too_complex(api_client, settings):
    settings.VERIFY_CPU_SECONDS = 1  # the file needs about 3 s
    settings.VERIFY_TIMEOUT_SECONDS = 120  # the child runs on idle CPU only: give it time
    costly = many_signature_fields(20_000)
    response = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("a.pdf", costly)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_complex"


def test_a_check_over_its_wall_time_is_stopped_and_answered_503(api_client, settings):
    settings.VERIFY_TIMEOUT_SECONDS = 0.5
    costly = many_signature_fields(20_000)
    started = time.monotonic()
    response = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("a.pdf", costly)}, format="multipart"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "verify_timeout"
    assert time.monotonic() - started < 2.5


def test_with_every_slot_taken_a_check_is_refused_at_once_with_retry_after(
    api_client, client, settings, pdf
):
    settings.VERIFY_CONCURRENCY = 1
    with verification_slot():  # as another worker process would hold it
        response = api_client.post(
            VERIFY_API, {"file": SimpleUploadedFile("a.pdf", pdf)}, format="multipart"
        )
        assert response.status_code == 503
        assert response.json()["code"] == "busy"
        assert response["Retry-After"] == "5"
        page = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", pdf)})
        assert page.status_code == 503
        assert "Too many verifications are running" in page.content.decode()
    ok = api_client.post(VERIFY_API, {"file": SimpleUploadedFile("a.pdf", pdf)}, format="multipart")
    assert ok.status_code == 200 and ok.json()["status"] == "not_keqiao"


def test_a_second_slot_lets_two_checks_run(settings):
    settings.VERIFY_CONCURRENCY = 2
    with verification_slot(), verification_slot():
        pass
    settings.VERIFY_CONCURRENCY = 1
    from contracts.verify_limits import VerifyBusy

    with verification_slot(), pytest.raises(VerifyBusy), verification_slot():
        pass


def test_verify_uploads_are_rate_limited_per_address(settings, pdf):
    settings.THROTTLE_RATES = {"verify": "2/min", "verify_ip": "2/min"}
    client = APIClient(REMOTE_ADDR="10.6.6.6")
    for _ in range(2):
        response = client.post(
            VERIFY_API, {"file": SimpleUploadedFile("x.bin", b"junk")}, format="multipart"
        )
        assert response.status_code == 400
    response = client.post(
        VERIFY_API, {"file": SimpleUploadedFile("x.bin", b"junk")}, format="multipart"
    )
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    page = Client(REMOTE_ADDR="10.6.6.6").post(
        VERIFY_PAGE, {"file": SimpleUploadedFile("x.bin", b"junk")}
    )
    assert page.status_code == 429
    assert "Request was throttled." in page.content.decode()


def test_the_web_form_still_checks_csrf(pdf):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", pdf)})
    assert refused.status_code == 403
    client.get(VERIFY_PAGE)
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", pdf), "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 200
    assert accepted.context["report"].status == "not_keqiao"
