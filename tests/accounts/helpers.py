"""Shared steps of the account tests: sign up on the web page, follow an e-mail's link."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.test import Client

SITE = "https://keqiao.example.org"
PASSWORD = "a-long-pass-phrase-42"


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def only_link(body: str) -> str:
    """The one link of an e-mail body to a page (besides the site's address in the
    signature), every link checked to be absolute under SITE."""
    found = links(body)
    assert found and all(link == SITE or link.startswith(f"{SITE}/") for link in found), found
    (link,) = [link for link in found if link != SITE]
    return link


def path_of(link: str) -> str:
    return urlsplit(link).path


def sign_up(client: Client, username: str = "newcomer", email: str = "newcomer@example.org"):
    return client.post(
        "/accounts/signup/",
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def verify(client: Client, body: str):
    """Open the verification link of an e-mail body and confirm (allauth confirms on POST)."""
    path = path_of(only_link(body))
    assert client.get(path).status_code == 200
    return client.post(path)


def log_in(client: Client, login: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})
