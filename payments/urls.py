"""Payment routes. The root URLconf includes them with
``path("", include("payments.urls"))``."""

from django.urls import URLPattern, path

from payments.webhooks import payment_webhook

app_name = "payments"

urlpatterns: list[URLPattern] = [
    path("payments/webhooks/<slug:provider>/", payment_webhook, name="webhook"),
]
