"""The admin site of Keqiao: Django's `AdminSite` with the site's own name, installed in place of
`django.contrib.admin` through `KeqiaoAdminConfig.default_site` (the way Django's documentation
recommends to override the default admin site, "Overriding the default admin site"), so that
every app's ``@admin.register`` and `admin.site` name it.

Also the application configurations that give two libraries' admin sections a translatable
name (Django's documented way to rename an application, "For application users"):
django-axes (log-in lockout) and django-rest-knox (API tokens) have none of their own.
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class KeqiaoAdminSite(admin.AdminSite):
    site_header = _("Keqiao administration")
    site_title = _("Keqiao administration")
    index_title = _("Keqiao administration")


class KeqiaoAdminConfig(AdminConfig):
    default_site = "marketplace.admin_site.KeqiaoAdminSite"


class KeqiaoAxesConfig(AxesAppConfig):
    verbose_name = _("Log-in lockout")


class KeqiaoKnoxConfig(AppConfig):
    name = "knox"
    verbose_name = _("API tokens")
