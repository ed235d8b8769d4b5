"""The transfer centre's mediation queue (对接队列): match requests and 1:1 meeting requests
that brokers carry (`matching.mediation`), both kinds in one list for brokers, with their
actions. It lives in `projects` because it reads both kinds (the layers allow projects to read
matching, not the reverse). `selectors` (the queue and one item), `services` (the brokers'
verbs, passed on to each kind's services), `serializers` and `apis` (/api/v1/mediated-requests/),
`forms` and `views` (/mediation/)."""
