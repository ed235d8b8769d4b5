"""The accounts' API routes (under /api/v1/): ``api-auth-signup`` -> auth/signup/."""

from django.urls import path

from accounts.apis import SignupApi

urlpatterns = [
    path("auth/signup/", SignupApi.as_view(), name="api-auth-signup"),
]
