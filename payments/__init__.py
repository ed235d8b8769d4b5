"""Payments, an app of its own: one `Payment` per amount a user owes for something (a roadshow
ticket, a platform fee) and one `WebhookEvent` per provider event (`models`); the provider
interface and providers (`providers`: `base`, `dummy`, `stripe`; `get_provider`,
`default_provider_name`); the services that record payments and process webhooks
(`services`); the webhook view (`webhooks`, routed by `urls`); the platform fee (`fees`); and
the signals the domain apps connect to (`signals`).

Payments imports none of the domain apps: `projects` (tickets) and `contracts` (platform fee)
call its services and listen to its signals. Its tables keep the names they had when the
models belonged to the `marketplace` app (``marketplace_payment``,
``marketplace_webhookevent``).
"""
