"""The payment models moved from the `marketplace` app to the `payments` app with their tables
(Django's "moving a model between apps": SeparateDatabaseAndState). Run on a real database:
migrating back to before the move and forward again keeps every payment, webhook event and the
registration that points to a payment; the models' content types follow them."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payments.models import Payment, WebhookEvent
from projects.models import Registration
from tests.projects.roadshow_support import make_roadshow

pytestmark = pytest.mark.django_db(transaction=True)

#: The last migrations before the move: the models belong to `marketplace`, no `payments` app.
BEFORE_MOVE = [
    ("marketplace", "0005_notification_params"),
    ("projects", "0003_roadshow_last_presented_slot"),
    ("payments", None),
]
MOVED_TABLES = {"marketplace_payment", "marketplace_webhookevent"}


def migrate(targets: list[tuple[str, str | None]]) -> Apps:
    """Migrate the test database to `targets`; the historical models there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    nodes = [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(nodes).apps


def latest() -> list[tuple[str, str | None]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    """Whatever happens in the test, leave the database fully migrated for the next one."""
    yield
    migrate(latest())


@pytest.fixture
def paid_registration(broker, enterprise_user) -> Registration:
    roadshow = make_roadshow(broker, projects=1, price="200.00")
    payment = Payment.objects.create(
        purpose="registration",
        reference="registration:1",
        description="Ticket",
        amount_cny=Decimal("200.00"),
        provider="stripe",
        provider_ref="cs_test_moved",
        status="paid",
        payer=enterprise_user,
    )
    WebhookEvent.objects.create(
        provider="stripe", event_id="evt_moved", type="checkout.session.completed",
        payload={"id": "evt_moved"}, payment=payment, result="paid",
    )
    return Registration.objects.create(
        roadshow=roadshow, user=enterprise_user, kind="enterprise_member",
        status="confirmed", payment=payment,
    )


def test_moving_the_payment_models_keeps_their_tables_and_rows(
    paid_registration, enterprise_user, back_to_latest
):
    payment_id = paid_registration.payment_id
    payment_type = ContentType.objects.get_for_model(Payment)

    old_apps = migrate(BEFORE_MOVE)
    with pytest.raises(LookupError):
        old_apps.get_model("payments", "Payment")
    assert set(connection.introspection.table_names()) >= MOVED_TABLES
    OldPayment = old_apps.get_model("marketplace", "Payment")
    OldRegistration = old_apps.get_model("projects", "Registration")
    assert OldPayment.objects.get(pk=payment_id).provider_ref == "cs_test_moved"
    assert OldRegistration.objects.get(pk=paid_registration.pk).payment_id == payment_id
    labels = ContentType.objects.filter(pk=payment_type.pk).values_list("app_label", flat=True)
    assert labels.get() == "marketplace"
    # A row written by the code of before the move, as in an existing database.
    older = OldPayment.objects.create(
        purpose="platform_fee", reference="agreement:7", description="Fee",
        amount_cny=Decimal("30.00"), provider="dummy", status="created",
        payer_id=enterprise_user.pk,
    )

    migrate(latest())
    assert set(connection.introspection.table_names()) >= MOVED_TABLES
    assert Payment._meta.db_table == "marketplace_payment"
    assert Payment.objects.get(pk=payment_id).provider_ref == "cs_test_moved"
    assert Payment.objects.get(pk=older.pk).reference == "agreement:7"
    assert WebhookEvent.objects.get(event_id="evt_moved").payment_id == payment_id
    assert Registration.objects.get(pk=paid_registration.pk).payment.pk == payment_id
    assert ContentType.objects.filter(app_label="marketplace", model="payment").count() == 0
    assert labels.get() == "payments"
