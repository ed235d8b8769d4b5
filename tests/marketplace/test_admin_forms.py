"""The admin's forms: addresses typed without a scheme are taken as https, and rendering them
raises no deprecation warning (Django 5.2 warns where a URLField form field still assumes
http)."""

from __future__ import annotations

import warnings

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.deprecation import RemovedInDjango60Warning

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["organization", "researchresult", "technologyneed"])
def test_admin_change_forms_with_web_addresses_raise_no_deprecation_warning(model):
    objects = {
        "organization": factories.OrganizationFactory,
        "researchresult": factories.ResearchResultFactory,
        "technologyneed": factories.TechnologyNeedFactory,
    }
    obj = objects[model]()
    client = Client()
    client.force_login(factories.admin())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.get(reverse(f"admin:marketplace_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert not [w for w in caught if issubclass(w.category, RemovedInDjango60Warning)]
