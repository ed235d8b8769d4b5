"""Security headers on every response: a Content-Security-Policy that allows nothing inline, a
Permissions-Policy that turns powerful features off except for the roadshow stream players,
and no caching of anything a logged-in user receives. Templates contain nothing the CSP would
block (the browser tests check the rendered pages; this catches it before a browser runs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tests.marketplace.test_settings import _settings_value

pytestmark = pytest.mark.django_db

#: Inline script, inline style and inline event handlers, which the CSP blocks.
INLINE = re.compile(
    r"<script(?![^>]*\b(src|type=\"application/(ld\+)?json\")\b)[^>]*>|<style\b|\sstyle=|"
    r"\son[a-z]+=",
    re.IGNORECASE,
)
#: Rendered to PDF by WeasyPrint, never shown in a browser.
PDF_TEMPLATES = {"contracts/pdf", "projects/pdf"}


def _directives(header: str) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()
    }


def test_pages_allow_scripts_styles_and_fonts_from_this_site_only(client):
    csp = _directives(client.get("/").headers["Content-Security-Policy"])
    for directive in ("default-src", "script-src", "style-src", "font-src", "connect-src"):
        assert csp[directive] == ["'self'"], directive
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


def test_only_the_roadshow_stream_hosts_may_be_framed(client):
    csp = _directives(client.get("/roadshows/").headers["Content-Security-Policy"])
    assert csp["frame-src"] == [f"https://{host}" for host in settings.ROADSHOW_STREAM_HOSTS]


def test_the_api_docs_run_under_the_same_policy(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert not INLINE.search(response.content.decode())
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_stripe_checkout_is_an_allowed_form_target_when_stripe_is_configured():
    form_action = _settings_value(
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']",
        STRIPE_SECRET_KEY="sk_test_123",
    )
    assert form_action == "[\"'self'\", 'https://checkout.stripe.com']"


def test_powerful_features_are_off_and_players_may_play_fullscreen(client):
    header = client.get("/").headers["Permissions-Policy"]
    policy = dict(item.split("=", 1) for item in header.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature
    players = " ".join(f'"https://{host}"' for host in settings.ROADSHOW_STREAM_HOSTS)
    for feature in ("fullscreen", "autoplay", "encrypted-media", "picture-in-picture"):
        assert policy[feature] == f"(self {players})", feature


def test_the_policy_names_no_feature_chromium_would_warn_about(client):
    # Chromium logs "Unrecognized feature" on every page for features it ships only behind
    # flags; the policy names only features it recognises.
    header = client.get("/").headers["Permissions-Policy"]
    features = {item.split("=", 1)[0] for item in header.split(", ")}
    assert not features & {"ambient-light-sensor", "bluetooth", "battery", "document-domain"}


def test_pages_for_logged_in_users_are_never_stored(researcher):
    response = factories.login(researcher).get("/dashboard/")
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_api_answers_to_token_users_are_never_stored(api_client, researcher):
    issued = api_client.post(
        "/api/v1/auth/token/", {"username": researcher.username, "password": factories.PASSWORD}
    )
    assert issued.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_anonymous_pages_keep_their_cacheability(client):
    response = client.get("/roadshows/")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_static_files_keep_caching_for_logged_in_users(researcher):
    response = factories.login(researcher).get("/static/css/keqiao.css")
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "no-store" not in cache_control and "public" in cache_control


def test_no_browser_template_has_inline_script_style_or_event_handler():
    template_dir = Path(settings.BASE_DIR) / "templates"
    offending = []
    for path in sorted(template_dir.rglob("*.html")):
        relative = path.relative_to(template_dir).as_posix()
        if any(relative.startswith(prefix + "/") for prefix in PDF_TEMPLATES):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(line):
                offending.append(f"{relative}:{number}: {line.strip()}")
    assert offending == []


@pytest.mark.parametrize("host", ["player.bilibili.com", "www.youtube-nocookie.com"])
def test_the_audience_page_lets_the_stream_player_play_under_both_policies(host):
    from tests.projects.live_support import register, roadshow_with_agenda

    broker = factories.broker()
    stream = f"https://{host}/embed/keqiao-demo"
    roadshow = roadshow_with_agenda(broker, stream_embed_url=stream)
    attendee = factories.enterprise_member()
    register(roadshow, attendee)
    response = factories.login(attendee).get(f"/roadshows/{roadshow.pk}/live/")
    assert response.status_code == 200
    iframe = re.search(r"<iframe [^>]*>", response.content.decode())
    assert iframe is not None
    assert f'src="{stream}"' in iframe.group(0)
    allowed = re.search(r'allow="([^"]+)"', iframe.group(0))
    assert allowed is not None
    features = {f.strip() for f in allowed.group(1).split(";")}
    assert {"autoplay", "fullscreen", "encrypted-media", "picture-in-picture"} <= features
    assert f"https://{host}" in _directives(response.headers["Content-Security-Policy"])[
        "frame-src"
    ]
    policy = dict(item.split("=", 1) for item in response.headers["Permissions-Policy"].split(", "))
    for feature in ("autoplay", "fullscreen", "encrypted-media"):
        assert f'"https://{host}"' in policy[feature]
