"""Match requests (对接): services (by verb), selectors (visibility), the API, the web pages,
forms and serializers, and their url lists (included by `matching.urls` and
`matching.api_urls`)."""
