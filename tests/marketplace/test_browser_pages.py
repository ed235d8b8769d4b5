"""Every page works under the Content-Security-Policy: a real browser (Playwright + Debian's
chromium) crawls the demo site as each demo role and as an anonymous visitor and meets no CSP
violation, no script error and no failed stylesheet, script or image.

The crawl starts from the main pages of every area (search, listing details and matches,
dashboard, match requests, moderation, roadshows with the live audience page and the control
room, check-in, report, ticket, agreements, verification, the API docs, the admin) and follows
same-site links, one page per kind of address, up to `PAGES_PER_ROLE`."""

from __future__ import annotations

import re
from collections import deque
from io import StringIO
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from contracts.models import Agreement
from marketplace.models import ResearchResult, TechnologyNeed
from matching.models import MatchRequest
from projects.models import Roadshow
from projects.roadshows.live import services as live_services
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, session_cookie

# Database-independent: what it checks (the policy, scripts, subresources) is the same on
# either database; the pages' queries are tested on both by their own tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.database_independent,
]

PAGES_PER_ROLE = 45
#: Links the crawl does not follow: actions, downloads, JSON, the admin beyond its seeds.
SKIP = re.compile(
    r"/(logout|i18n)/|/pdf/|\.(pdf|csv|ics|xlsx|json)$|^/api/(?!v1/docs/$)|^/admin/|^/static/"
)


def _kind(url: str) -> str:
    """Addresses of one kind share a page template: numbers and query values do not count."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def _seeds() -> dict[str, list[str]]:
    demo = "【演示】"
    result = ResearchResult.objects.filter(owner__legal_name__startswith=demo).first()
    need = TechnologyNeed.objects.filter(owner__legal_name__startswith=demo).first()
    roadshow = Roadshow.objects.get()
    agreement = Agreement.objects.get()
    request = MatchRequest.objects.first()
    assert result and need
    rs = f"/roadshows/{roadshow.pk}"
    public = [
        "/", "/?q=储能", "/?q=battery+safety&kind=needs", f"/results/{result.pk}/",
        f"/needs/{need.pk}/", "/roadshows/", f"{rs}/", "/agreements/verify/", "/api/v1/docs/",
    ]
    member = [
        *public, "/dashboard/", "/requests/", f"/results/{result.pk}/matches/",
        f"/needs/{need.pk}/matches/", "/agreements/", f"/agreements/{agreement.pk}/",
        f"/agreements/{agreement.pk}/check/",
        *([f"/requests/{request.pk}/"] if request else []),
    ]
    return {
        "anonymous": [*public, "/accounts/login/"],
        "researcher": [*member, "/results/new/"],
        "enterprise": [*member, "/needs/new/", f"{rs}/live/", f"{rs}/ticket/",
                       f"{rs}/my-schedule/"],
        "broker": [*public, "/dashboard/", "/requests/", "/moderation/", f"{rs}/control/",
                   f"{rs}/live/", f"{rs}/checkin/", f"{rs}/report/"],
        "admin": ["/", "/admin/", "/admin/marketplace/researchresult/",
                  f"/admin/marketplace/researchresult/{result.pk}/change/"],
    }


def _settle(page: Any, path: str) -> None:
    """Let the page's scripts run: the live pages start polling, Swagger UI renders the schema
    and opens one operation."""
    if path.endswith(("/live/", "/control/")):
        page.wait_for_selector("#live.js-live")
    if path == "/api/v1/docs/":
        page.wait_for_selector(".swagger-ui .opblock-summary")
        page.click(".swagger-ui .opblock-summary")
        page.wait_for_selector(".swagger-ui .opblock-body")
    page.wait_for_timeout(250)


def _crawl(context: Any, watch: PageWatch, origin: str, seeds: list[str]) -> list[str]:
    """Visits the seeds, then same-site links; returns the paths visited, in order."""
    from playwright.sync_api import Error as PlaywrightError

    page = context.new_page()
    queue = deque(seeds)
    kinds_seen: set[str] = set()
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.popleft()
        is_seed = path in seeds
        if not is_seed and (_kind(path) in kinds_seen or SKIP.search(path)):
            continue
        kinds_seen.add(_kind(path))
        try:
            response = page.goto(origin + path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue
            raise
        assert response is not None
        assert response.status < 500, f"{path}: {response.status}"
        if is_seed:
            assert response.status == 200, f"{path}: {response.status}"
        visited.append(path)
        _settle(page, path)
        problems += watch.problems(page)
        watch.console_violations.clear()
        watch.script_errors.clear()
        watch.failed_resources.clear()
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            link, _ = urldefrag(href)
            if link.startswith(origin + "/"):
                queue.append(link[len(origin):])
    page.close()
    assert problems == []
    return visited


def test_every_page_works_under_the_content_security_policy_for_every_role(
    live_server, sync_playwright, monkeypatch, settings
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM setup beside Playwright's loop
    settings.KEQIAO_DEMO_PASSWORD = "browser-test-password"
    call_command("load_demo", stdout=StringIO())
    users = get_user_model().objects
    roadshow = Roadshow.objects.get()
    live_services.roadshow_go_live(roadshow=roadshow, actor=users.get(username="broker"))
    seeds = _seeds()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for role, role_seeds in seeds.items():
                context = browser.new_context()
                if role != "anonymous":
                    user = users.get(username=role)
                    context.add_cookies([session_cookie(user, live_server.url)])
                watch = PageWatch(context, live_server.url)
                visited = _crawl(context, watch, live_server.url, role_seeds)
                print(f"{role}: {len(visited)} pages without a CSP violation")
                assert set(role_seeds) <= set(visited)
                context.close()
        finally:
            browser.close()
