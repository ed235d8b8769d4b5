"""Introductions through the transfer centre (技术转移中心对接): what match requests and 1:1
meeting requests share when brokers carry them.

A request whose receiving organisation has no members on Keqiao cannot be answered by anyone
there, so it goes to the brokers' queue ("mediated") when it is made; a request left
unanswered for `settings.REQUEST_ESCALATION_DAYS` days is escalated to that queue as well.
Brokers then record what came of contacting the organisation off the platform, invite it to
claim its page, and accept or decline on its behalf; every step is one `MediationEvent`
(who, when, note).

`models` holds the choices and the abstract event (each app's concrete event table lives with
its request: `matching.models.MatchRequestMediationEvent`,
`projects.models.MeetingRequestMediationEvent`); `common` the checks, the broker
notifications and the claim invitation e-mail the two kinds' services share
(`matching.match_requests.services.mediation`, `projects.meetings.mediation`).
"""
