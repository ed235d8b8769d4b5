"""The site's template filters (`kernel.templatetags.keqiao`, `{% load keqiao %}`)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from kernel.templatetags import keqiao
from kernel.web import MAX_RETURN_PATH


def test_cny_filter_formats_decimals_and_passes_empty_values():
    assert keqiao.cny(Decimal("500000")) == "¥500,000.00"
    assert keqiao.cny(Decimal("1234567.5")) == "¥1,234,567.50"
    assert keqiao.cny(Decimal("-12.345")) == "-¥12.35"  # rounded half up
    assert keqiao.cny("n/a") == "n/a"
    assert keqiao.cny(None) == ""


def test_join_list_and_parens_follow_the_active_language():
    with translation.override("zh-hans"):
        assert keqiao.join_list(["合作开发", "许可"]) == "合作开发、许可"
        assert keqiao.parens(3) == "（3）"
        assert keqiao.colon() == "："
    with translation.override("en"):
        assert keqiao.join_list(["a", "", None, "b"]) == "a, b"
        assert keqiao.parens(3) == "(3)"
        assert keqiao.colon() == ": "


def test_the_way_back_is_the_page_itself_unless_its_address_is_too_long_or_the_view_gives_one():
    from django.template import Context
    from django.test import RequestFactory

    short = RequestFactory().get("/roadshows/", {"page": "2"})
    assert keqiao.return_path(Context({"request": short})) == "/roadshows/?page=2"
    long = RequestFactory().get("/roadshows/", {"q": "x" * MAX_RETURN_PATH})
    assert keqiao.return_path(Context({"request": long})) == "/roadshows/"
    given = Context({"request": long, "return_path": "/?q=y"})
    assert keqiao.return_path(given) == "/?q=y"
    too_long = Context({"request": short, "return_path": "/?q=" + "y" * MAX_RETURN_PATH})
    assert keqiao.return_path(too_long) == "/roadshows/"
    escaped = RequestFactory().get("/a%3Fb/", {"q": "x" * MAX_RETURN_PATH})
    assert keqiao.return_path(Context({"request": escaped})) == "/a%3Fb/"
    assert keqiao.return_path(Context({})) == ""
