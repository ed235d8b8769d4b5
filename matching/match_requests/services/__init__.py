"""Match-request services (对接), by verb: `creation` (create, propose, submit), `decisions`
(accept, decline, withdraw), `messages` (the thread that acceptance opens) and `mediation`
(the transfer centre's queue: brokers' actions, escalation); `guards` holds
the checks they share (text, open state, what a lock reads) and `notifying` their notification
verbs. Callers import this package: `from matching.match_requests import services`.

Rules:

- An organisation member asks to be introduced to the owner of a published research result,
  optionally in the context of one of their organisation's published technology needs
  (`match_request_create`, direction NEED_TO_RESULT). A member of a result's owner may propose
  that result to a published need (`match_request_propose`, direction RESULT_TO_NEED).
  `match_request_submit` picks one of the two from the actor's memberships (used by the API).
- Only searchable listings (published, not expired) take part; nobody can request their own
  organisation's listing (400).
- At most one OPEN request per (requester organisation, result, need-or-none): checked under a
  row lock, and backed by the `match_request_one_open_per_pair` constraint (409 either way).
- Members of the addressed organisation accept or decline (with a `DeclineReason`; a text is
  required for OTHER). Brokers (技术经纪人) may accept or decline on behalf of the addressee;
  the thread then records a note saying so and both sides are notified. Members of the
  requesting organisation may withdraw an open request. Deciding a request that is no longer
  open is a conflict (409).
- Acceptance reveals both organisations' contact details to each other (see
  `matching.match_requests.selectors.visible_contact_sides`) and opens the message thread,
  where members of both organisations and brokers may write (brokers also before acceptance).
- A request to an organisation without members goes to the brokers' queue, and an open
  request unanswered for `settings.REQUEST_ESCALATION_DAYS` days is escalated there
  (`mediation`); the requester sees that the transfer centre handles it.
- Every state change and every message notifies the other side's members in-app and by e-mail
  (`marketplace.notifications.notify`, e-mail sent on commit), in zh-Hans and en.

Errors: `DomainError` (400, with per-field messages), `PermissionDeniedError` (403),
`ConflictError` (409). All writes happen inside `transaction.atomic`; nothing is half-written.
Callers load the request with `matching.match_requests.selectors.match_request_get` before
acting on it, so a viewer who cannot see it (not a party, not a broker) gets 404 as for reads;
the 403 here is for visible requests acted on out of turn (e.g. the requester accepting).
"""

from matching.match_requests.services.creation import (
    match_request_create,
    match_request_propose,
    match_request_submit,
)
from matching.match_requests.services.decisions import (
    match_request_accept,
    match_request_decline,
    match_request_withdraw,
)
from matching.match_requests.services.guards import MESSAGE_MAX_LENGTH
from matching.match_requests.services.mediation import (
    match_request_accept_on_behalf,
    match_request_decline_on_behalf,
    match_request_invite_to_claim,
    match_request_mediation_outcome,
    match_requests_escalate,
)
from matching.match_requests.services.messages import match_request_message_post
from matching.match_requests.services.notifying import (
    VERB_ACCEPTED,
    VERB_CREATED,
    VERB_DECLINED,
    VERB_MESSAGE,
    VERB_WITHDRAWN,
)

__all__ = [
    "MESSAGE_MAX_LENGTH",
    "VERB_ACCEPTED",
    "VERB_CREATED",
    "VERB_DECLINED",
    "VERB_MESSAGE",
    "VERB_WITHDRAWN",
    "match_request_accept",
    "match_request_accept_on_behalf",
    "match_request_create",
    "match_request_decline",
    "match_request_decline_on_behalf",
    "match_request_invite_to_claim",
    "match_request_mediation_outcome",
    "match_request_message_post",
    "match_request_propose",
    "match_request_submit",
    "match_request_withdraw",
    "match_requests_escalate",
]
