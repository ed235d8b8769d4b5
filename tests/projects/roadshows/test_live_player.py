"""The audience page's stream player never leaves an empty box: fallback text in both
languages and a link to the stream, and (in a real browser) a refused player frame replaced by
that text."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, session_cookie
from tests.projects.live_support import register, roadshow_with_agenda

STREAM = "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"
LINK = (f'<a href="{STREAM.replace("&", "&amp;")}" target="_blank" '
        'rel="noopener noreferrer">')


def _audience_html(broker, *, stream: str, language: str = "en") -> str:
    roadshow = roadshow_with_agenda(broker, projects=1, stream_embed_url=stream)
    user = factories.enterprise_member()
    register(roadshow, user)
    client = factories.login(user)
    client.cookies["django_language"] = language
    return client.get(reverse("roadshow-live", args=[roadshow.pk])).content.decode()


@pytest.mark.django_db
def test_the_player_has_fallback_text_and_a_link_to_the_stream(broker):
    html = _audience_html(broker, stream=STREAM)
    stream = html.split('<div class="stream" data-player>')[1].split("</iframe>")[0]
    # The fallback comes before the frame, which covers it once it paints.
    assert stream.index("Loading the live stream player") < stream.index("<iframe")
    assert "could not load here" in stream and LINK in stream
    below = html.split("</iframe>")[1]
    assert "Video not playing?" in below and LINK in below  # visible whatever the frame shows
    assert re.search(r'<script src="/static/projects/player\.js[^"]*" defer>', html)


@pytest.mark.django_db
def test_the_fallback_is_translated(broker):
    html = _audience_html(broker, stream=STREAM, language="zh-hans")
    assert "在新窗口中打开直播" in html and "视频无法播放？" in html
    assert "正在加载直播播放器" in html and "直播播放器无法在此加载" in html


@pytest.mark.django_db
def test_without_a_stream_the_box_says_so(broker):
    html = _audience_html(broker, stream="")
    box = html.split('<div class="stream" data-player>')[1].split("</div>")[0]
    assert "The video stream is not available here." in box
    assert "<iframe" not in html and "player.js" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_player_frame_gives_way_to_the_fallback(live_server, sync_playwright,
                                                           monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    broker = factories.broker()
    roadshow = roadshow_with_agenda(broker, projects=1, stream_embed_url=STREAM)
    attendee = factories.enterprise_member()
    register(roadshow, attendee)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_cookies([session_cookie(attendee, live_server.url)])
            watch = PageWatch(context, live_server.url)
            # The player redirects off the allowed hosts: the page's frame-src refuses it.
            context.route("https://player.bilibili.com/**", lambda route: route.fulfill(
                status=302, headers={"Location": "https://elsewhere.example/player"}))
            page = context.new_page()
            page.goto(f"{live_server.url}/roadshows/{roadshow.pk}/live/")
            page.wait_for_selector(".stream.stream-failed", timeout=20000)
            assert page.locator(".stream iframe").count() == 0
            assert page.is_visible("text=The live stream player could not load here.")
            assert page.is_visible(".stream a[href^='https://player.bilibili.com/']")
            assert not page.is_visible("[data-player-state=loading]")
            problems = watch.problems(page)
            assert problems and all("elsewhere.example" in p for p in problems), problems
        finally:
            browser.close()
