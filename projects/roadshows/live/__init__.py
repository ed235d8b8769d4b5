"""A roadshow while it runs: `services` (live control by host staff; questions and intents of
the audience), `selectors` (the live state and its version for the live endpoint's ETag) and
`apis` (/api/v1/roadshows/{id}/live/, control, questions, intents). The live pages are
`projects.roadshows.views`."""
