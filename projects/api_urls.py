"""API routes of the `projects` app; the root URLconf includes them once under /api/v1/.

Methods and bodies are documented in each feature's API module: `projects.roadshows.apis`
(events, agenda), `projects.roadshows.live.apis` (live state, control, questions, intents),
`projects.registrations.apis`, `projects.meetings.apis`, `projects.checkin.apis` and
`projects.reports.apis`.

Every route of one roadshow is ``roadshows/<id>/<suffix>`` named ``api-roadshow-<name>``; the
tables below list (suffix, view, name). The roadshow's id is the kwarg ``pk`` for the roadshow
routes (with ``slot_pk`` / ``question_pk`` / ``registration_pk``) and ``roadshow_id`` for the
meeting, report and check-in routes (with ``pk`` of a meeting request). Besides them:
``api-roadshow-list``, ``api-my-registrations`` and the transfer centre's mediation queue
(`projects.mediation.apis`): ``api-mediated-requests`` and
``api-mediated-request-<action>``; the deal funnel (`projects.analytics.apis`):
``api-deal-funnel``. Every route is a distinct path (``<int:…>`` never
matches ``my-registrations``), so the order does not matter.
"""

from django.urls import URLPattern, path
from rest_framework.views import APIView

from projects.analytics import apis as analytics_apis
from projects.checkin import apis as checkin_apis
from projects.mediation import apis as mediation_apis
from projects.meetings import apis as meeting_apis
from projects.registrations import apis as registration_apis
from projects.reports import apis as report_apis
from projects.roadshows import apis
from projects.roadshows.live import apis as live_apis

#: (path after ``roadshows/<int:pk>/``, API view class, name after ``api-roadshow-``).
ROADSHOW_ROUTES: list[tuple[str, type[APIView], str]] = [
    ("", apis.RoadshowDetailApi, "detail"),
    ("publish/", apis.RoadshowPublishApi, "publish"),
    # agenda
    ("slots/", apis.SlotListApi, "slots"),
    ("slots/reorder/", apis.SlotReorderApi, "slots-reorder"),
    ("slots/import/", apis.AgendaImportApi, "agenda-import"),
    ("slots/<int:slot_pk>/", apis.SlotDetailApi, "slot-detail"),
    # live state and control
    ("live/", live_apis.RoadshowLiveApi, "live"),
    ("go-live/", live_apis.GoLiveApi, "go-live"),
    ("advance/", live_apis.AdvanceApi, "advance"),
    ("end/", live_apis.EndApi, "end"),
    ("cancel/", live_apis.CancelApi, "cancel"),
    # questions and intents
    ("questions/open/", live_apis.QuestionsOpenApi, "questions-open"),
    ("questions/close/", live_apis.QuestionsCloseApi, "questions-close"),
    ("questions/", live_apis.QuestionListApi, "questions"),
    ("questions/<int:question_pk>/upvote/", live_apis.QuestionUpvoteApi, "question-upvote"),
    ("questions/<int:question_pk>/hide/", live_apis.QuestionHideApi, "question-hide"),
    ("questions/<int:question_pk>/answer/", live_apis.QuestionAnswerApi, "question-answer"),
    ("intents/", live_apis.IntentApi, "intents"),
    # registrations
    ("registrations/", registration_apis.RegistrationListApi, "registrations"),
    (
        "registrations/<int:registration_pk>/cancel/",
        registration_apis.RegistrationCancelApi,
        "registration-cancel",
    ),
]

#: The meeting, report and check-in routes, whose views name the roadshow ``roadshow_id``:
#: (path after ``roadshows/<int:roadshow_id>/``, API view class, name after ``api-roadshow-``).
ROADSHOW_ID_ROUTES: list[tuple[str, type[APIView], str]] = [
    # 1:1 meetings
    ("meetings/", meeting_apis.MeetingRequestListApi, "meetings"),
    ("meetings/<int:pk>/", meeting_apis.MeetingRequestDetailApi, "meeting-detail"),
    ("meetings/<int:pk>/accept/", meeting_apis.MeetingRequestAcceptApi, "meeting-accept"),
    ("meetings/<int:pk>/decline/", meeting_apis.MeetingRequestDeclineApi, "meeting-decline"),
    ("meeting-blocks/", meeting_apis.MeetingBlockListApi, "meeting-blocks"),
    ("unavailability/", meeting_apis.UnavailabilityListApi, "unavailability"),
    ("schedule/", meeting_apis.ScheduleRunApi, "schedule"),
    ("schedule/publish/", meeting_apis.SchedulePublishApi, "schedule-publish"),
    ("my-schedule/", meeting_apis.MyScheduleApi, "my-schedule"),
    ("my-schedule.csv", meeting_apis.MyScheduleCsvApi, "my-schedule-csv"),
    ("my-schedule.ics", meeting_apis.MyScheduleIcsApi, "my-schedule-ics"),
    # reports and check-in
    ("report/", report_apis.ReportApi, "report"),
    ("report.csv", report_apis.ReportCsvApi, "report-csv"),
    ("report.pdf", report_apis.ReportPdfApi, "report-pdf"),
    ("check-in/", checkin_apis.CheckInApi, "check-in"),
]


def _under(prefix: str, routes: list[tuple[str, type[APIView], str]]) -> list[URLPattern]:
    return [
        path(f"{prefix}{suffix}", view.as_view(), name=f"api-roadshow-{name}")
        for suffix, view, name in routes
    ]


urlpatterns: list[URLPattern] = [
    path("roadshows/", apis.RoadshowListApi.as_view(), name="api-roadshow-list"),
    path(
        "roadshows/my-registrations/",
        registration_apis.MyRegistrationsApi.as_view(),
        name="api-my-registrations",
    ),
    *_under("roadshows/<int:pk>/", ROADSHOW_ROUTES),
    *_under("roadshows/<int:roadshow_id>/", ROADSHOW_ID_ROUTES),
    path("mediated-requests/", mediation_apis.MediatedRequestListApi.as_view(),
         name="api-mediated-requests"),
    *[
        path(f"mediated-requests/<str:item_id>/{action}/", view.as_view(),
             name=f"api-mediated-request-{action}")
        for action, view in [
            ("outcome", mediation_apis.MediatedRequestOutcomeApi),
            ("invite-to-claim", mediation_apis.MediatedRequestInviteToClaimApi),
            ("accept", mediation_apis.MediatedRequestAcceptApi),
            ("decline", mediation_apis.MediatedRequestDeclineApi),
        ]
    ],
    path("analytics/funnel/", analytics_apis.FunnelApi.as_view(), name="api-deal-funnel"),
]
