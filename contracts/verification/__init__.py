"""Public verification of agreement PDFs: anyone uploads a file and learns whether it is an
intact, sealed Keqiao agreement.

- `report`: the verdict (`verify_upload`: valid, tampered, not_keqiao), the metadata embedded
  in sealed PDFs (`seal_metadata`), and the re-check of every stored seal (`verify_stored_seals`,
  command verify_seals).
- `limits`: bounds on hostile uploads (size, read deadline, length required, the seal check in a
  child process with memory and time limits, a machine-wide cap on concurrent checks) and the
  upload steps shared by the API and the web page.
- `apis`: ``POST /api/v1/agreements/verify/``; `views`: the web page ``/agreements/verify/``.
  Their routes are in `contracts.api_urls` and `contracts.urls`.

Submodules are imported where used; this package imports none of them, so that loading one
does not load the others (the API view does not need the web form, nor the seal worker DRF).
"""
