"""The admin of log-in lockout (django-axes, whose handler lives in `accounts.lockout`): axes'
own admin of access attempts, with its status column under a translated heading (axes names
that column by its method's name only)."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)

    @admin.register(AccessAttempt)
    class AccessAttemptAdmin(AxesAccessAttemptAdmin):
        @admin.display(description=_("Status"))
        def status(self, obj: AccessAttempt) -> str:
            return str(super().status(obj))
