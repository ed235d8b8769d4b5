"""Registration and tickets for free events: confirmation, capacity, cancellation, check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from projects.models import Registration, Roadshow
from projects.registrations import services as registration_services
from projects.roadshows import services
from projects.roadshows.live import services as live_services
from tests import factories
from tests.projects.roadshow_support import client_for, make_roadshow, register, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadshow(broker):
    return make_roadshow(broker, projects=2)


def test_free_registration_is_confirmed_at_once_with_a_ticket(roadshow, enterprise_user):
    response = client_for(enterprise_user).post(url("registrations", roadshow), {}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed" and body["checkout_url"] is None
    assert body["kind"] == "enterprise_member" and body["amount_cny"] == "0.00"
    assert len(body["ticket_code"]) == 10
    registration = Registration.objects.get(pk=body["id"])
    assert registration.payment is None and registration.confirmed_at is not None


def test_registering_twice_is_a_conflict(roadshow, enterprise_user):
    register(roadshow, enterprise_user)
    response = client_for(enterprise_user).post(url("registrations", roadshow), {}, format="json")
    assert response.status_code == 409
    assert Registration.objects.filter(user=enterprise_user).count() == 1


def test_attendee_kind_follows_memberships(roadshow, researcher, enterprise_user):
    assert register(roadshow, researcher).kind == "researcher"
    response = client_for(enterprise_user).post(
        url("registrations", roadshow), {"kind": "researcher"}, format="json"
    )
    assert response.status_code == 400 and "kind" in response.json()["fields"]
    guest = factories.UserFactory()
    assert register(roadshow, guest).kind == "guest"


def test_capacity_counts_confirmed_tickets_and_live_payment_holds(broker):
    roadshow = make_roadshow(broker, projects=1, capacity=2)
    register(roadshow, factories.enterprise_member())
    holder = factories.enterprise_member()
    hold = Registration.objects.create(
        roadshow=roadshow, user=holder, kind="guest", status="pending_payment",
        hold_until=timezone.now() + timedelta(minutes=10),
    )
    late = factories.enterprise_member()
    response = client_for(late).post(url("registrations", roadshow), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "full"
    # Once the hold runs out, its seat is free again.
    Registration.objects.filter(pk=hold.pk).update(hold_until=timezone.now() - timedelta(1))
    assert register(roadshow, late).status == "confirmed"
    with pytest.raises(ConflictError):
        register(roadshow, factories.enterprise_member())
    assert roadshow.registrations.filter(status="confirmed").count() == 2


def test_attendee_cancels_before_the_start_and_may_register_again(roadshow, enterprise_user):
    registration = register(roadshow, enterprise_user)
    response = client_for(enterprise_user).post(
        url("registration-cancel", roadshow, registration_pk=registration.pk)
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = register(roadshow, enterprise_user)
    assert again.pk != registration.pk and again.status == "confirmed"


def test_attendee_cannot_cancel_after_the_start(roadshow, enterprise_user, broker):
    registration = register(roadshow, enterprise_user)
    Roadshow.objects.filter(pk=roadshow.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    roadshow.refresh_from_db()
    registration.roadshow = roadshow
    with pytest.raises(ConflictError):
        registration_services.registration_cancel(registration=registration, actor=enterprise_user)
    # Staff still can.
    cancelled = registration_services.registration_cancel(registration=registration, actor=broker)
    assert cancelled.status == "cancelled"


def test_nobody_else_cancels_a_ticket(roadshow, enterprise_user, outsider):
    registration = register(roadshow, enterprise_user)
    response = client_for(outsider).post(
        url("registration-cancel", roadshow, registration_pk=registration.pk)
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDeniedError):
        registration_services.registration_cancel(registration=registration, actor=outsider)


def test_registration_is_closed_for_ended_or_cancelled_events(roadshow, broker, enterprise_user):
    live_services.roadshow_cancel(roadshow=roadshow, actor=broker)
    response = client_for(enterprise_user).post(url("registrations", roadshow), {}, format="json")
    assert response.status_code == 409


def test_cancelling_the_event_cancels_every_ticket(roadshow, broker, enterprise_user, researcher):
    register(roadshow, enterprise_user)
    register(roadshow, researcher)
    live_services.roadshow_cancel(roadshow=roadshow, actor=broker)
    assert set(roadshow.registrations.values_list("status", flat=True)) == {"cancelled"}


def test_staff_check_in_by_ticket_code_once(roadshow, broker, enterprise_user):
    registration = register(roadshow, enterprise_user)
    client = client_for(broker)
    code = registration.ticket_code.lower()
    check_in = f"/api/v1/roadshows/{roadshow.pk}/check-in/"
    response = client.post(check_in, {"code": f" {code} "}, format="json")
    assert response.status_code == 200 and response.json()["checked_in_at"]
    again = client.post(check_in, {"code": code}, format="json")
    assert again.status_code == 409
    unknown = client.post(check_in, {"code": "NOPE"}, format="json")
    assert unknown.status_code == 400 and "code" in unknown.json()["fields"]
    attendee = client_for(enterprise_user).post(
        check_in, {"code": code}, format="json"
    )
    assert attendee.status_code == 403


def test_ticket_of_another_roadshow_does_not_check_in(roadshow, broker, enterprise_user):
    other = make_roadshow(broker, projects=1)
    registration = register(other, enterprise_user)
    response = client_for(broker).post(
        f"/api/v1/roadshows/{roadshow.pk}/check-in/",
        {"code": registration.ticket_code},
        format="json",
    )
    assert response.status_code == 400


def test_only_host_staff_list_registrations_and_users_list_their_own(
    roadshow, broker, enterprise_user
):
    register(roadshow, enterprise_user)
    staff = client_for(broker).get(url("registrations", roadshow))
    assert staff.status_code == 200 and staff.json()["count"] == 1
    assert client_for(enterprise_user).get(url("registrations", roadshow)).status_code == 403
    mine = client_for(enterprise_user).get("/api/v1/roadshows/my-registrations/").json()
    assert [r["roadshow"] for r in mine["results"]] == [roadshow.pk]


def test_capacity_cannot_drop_below_the_seats_already_taken(roadshow, broker, enterprise_user):
    register(roadshow, enterprise_user)
    register(roadshow, factories.enterprise_member())
    with pytest.raises(DomainError) as exc:
        services.roadshow_update(roadshow=roadshow, actor=broker, data={"capacity": 1})
    assert "capacity" in exc.value.fields
    services.roadshow_update(roadshow=roadshow, actor=broker, data={"capacity": 2})
    roadshow.refresh_from_db()
    assert roadshow.capacity == 2


def test_roadshow_list_counts_seats_without_a_query_per_roadshow(
    broker, enterprise_user, django_assert_max_num_queries
):
    for _ in range(3):
        register(make_roadshow(broker, projects=2), enterprise_user)
    client = client_for(enterprise_user)
    with django_assert_max_num_queries(8):
        rows = client.get("/api/v1/roadshows/").json()["results"]
    assert [row["seats_taken"] for row in rows] == [1, 1, 1]
    assert [row["slot_count"] for row in rows] == [2, 2, 2]
