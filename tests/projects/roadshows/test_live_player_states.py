"""The stream player says honestly what is going on: an ended roadshow shows "the live stream
has ended" instead of a player, and (in a real browser) the loading text goes once the frame
has loaded even when the player host is unreachable, with the link to the stream below."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.choices import RoadshowStatus
from projects.models import Roadshow
from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, session_cookie
from tests.projects.live_support import register, roadshow_with_agenda

STREAM = "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"


@pytest.mark.django_db
@pytest.mark.parametrize("language, ended", [("en", "The live stream has ended."),
                                             ("zh-hans", "直播已结束。")])
def test_an_ended_roadshow_says_the_stream_has_ended_instead_of_a_player(
    broker, language, ended
):
    roadshow = roadshow_with_agenda(broker, projects=1, stream_embed_url=STREAM)
    user = factories.enterprise_member()
    register(roadshow, user)
    Roadshow.objects.filter(pk=roadshow.pk).update(status=RoadshowStatus.ENDED)
    client = factories.login(user)
    client.cookies["django_language"] = language
    html = client.get(reverse("roadshow-live", args=[roadshow.pk])).content.decode()
    box = html.split('<div class="stream" data-player>')[1].split("</div>")[0]
    assert ended in box
    assert "<iframe" not in html and "player.js" not in html
    assert "data-player-state" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_loading_text_goes_when_the_player_host_is_unreachable(live_server, sync_playwright,
                                                                    monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    broker = factories.broker()
    roadshow = roadshow_with_agenda(broker, projects=1, stream_embed_url=STREAM)
    attendee = factories.enterprise_member()
    register(roadshow, attendee)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            context.add_cookies([session_cookie(attendee, live_server.url)])
            # The player host cannot be reached: Chromium shows its error page in the frame.
            context.route("https://player.bilibili.com/**",
                          lambda route: route.abort("connectionrefused"))
            page = context.new_page()
            page.goto(f"{live_server.url}/roadshows/{roadshow.pk}/live/")
            page.wait_for_selector(".stream.stream-settled", state="attached", timeout=20000)
            assert page.locator("[data-player-state=loading]").is_hidden()
            assert page.is_visible(".stream-link a[href^='https://player.bilibili.com/']")
        finally:
            browser.close()
