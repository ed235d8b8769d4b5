"""Match requests (对接): services (by verb), selectors (visibility), the API, the web pages,
forms and serializers. Their routes are in the app's `matching.urls` and `matching.api_urls`."""
