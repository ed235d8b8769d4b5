"""Payment routes. The root URLconf includes them with
``path("", include("marketplace.payments.urls"))``."""

from django.urls import URLPattern, path

from marketplace.payments.webhooks import payment_webhook

app_name = "payments"

urlpatterns: list[URLPattern] = [
    path("payments/webhooks/<slug:provider>/", payment_webhook, name="webhook"),
]
