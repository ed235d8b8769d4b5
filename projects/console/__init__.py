"""The transfer centre's console (转化中心工作台): one page where a broker sees what waits for
them across the apps - listings to review, organisations and claims to verify, match requests
still unanswered and those escalated to the mediation queue, their upcoming and live
roadshows, and agreements waiting for a signature or a seal."""
