"""Signals that domain apps connect to, filtering on ``payment.purpose``.

They are sent inside the database transaction that changed the payment, so a receiver's writes
commit or roll back together with it (a failing receiver makes the webhook fail, and the
provider sends it again). Receivers defer their own outside effects with
`transaction.on_commit`. Each is sent once per change: never for a repeated event.

- `payment_paid(sender=Payment, payment=...)`: the money was received.
- `payment_refunded(sender=Payment, payment=..., amount_cny=Decimal)`: `amount_cny` more was
  returned (``payment.refunded_cny`` is the new total; ``payment.status`` tells whether all).
- `payment_failed(sender=Payment, payment=...)`: the checkout expired or the payment was
  declined (``payment.failure_reason``); a new checkout may be started.
"""

from __future__ import annotations

from django.dispatch import Signal

payment_paid = Signal()
payment_refunded = Signal()
payment_failed = Signal()
