"""API routes of the `projects` app; the root URLconf includes them once under /api/v1/.

Methods and bodies are documented in each feature's API module: `projects.roadshows.apis`
(events, agenda), `projects.roadshows.live_apis` (live state, control, questions, intents),
`projects.registrations.apis`, `projects.meetings.apis`, `projects.checkin.apis` and
`projects.reports.apis`. Route names: ``api-roadshow-<name>``, kwargs ``pk`` (roadshow) and
``slot_pk`` / ``question_pk`` / ``registration_pk`` for the roadshow routes, ``roadshow_id``
(and ``pk`` of a meeting request) for the meeting, check-in and report routes;
``api-my-registrations``.
"""

from django.urls import URLPattern, path

from projects.checkin import apis as checkin_apis
from projects.meetings import apis as meeting_apis
from projects.registrations import apis as registration_apis
from projects.reports import apis as report_apis
from projects.roadshows import apis, live_apis

R = "roadshows/<int:pk>/"
M = "roadshows/<int:roadshow_id>/"

urlpatterns: list[URLPattern] = [
    path("roadshows/", apis.RoadshowListApi.as_view(), name="api-roadshow-list"),
    path(
        "roadshows/my-registrations/",
        registration_apis.MyRegistrationsApi.as_view(),
        name="api-my-registrations",
    ),
    path(R, apis.RoadshowDetailApi.as_view(), name="api-roadshow-detail"),
    path(f"{R}live/", live_apis.RoadshowLiveApi.as_view(), name="api-roadshow-live"),
    path(f"{R}go-live/", live_apis.GoLiveApi.as_view(), name="api-roadshow-go-live"),
    path(f"{R}advance/", live_apis.AdvanceApi.as_view(), name="api-roadshow-advance"),
    path(f"{R}end/", live_apis.EndApi.as_view(), name="api-roadshow-end"),
    path(f"{R}cancel/", live_apis.CancelApi.as_view(), name="api-roadshow-cancel"),
    path(
        f"{R}questions/open/",
        live_apis.QuestionsOpenApi.as_view(),
        name="api-roadshow-questions-open",
    ),
    path(
        f"{R}questions/close/",
        live_apis.QuestionsCloseApi.as_view(),
        name="api-roadshow-questions-close",
    ),
    path(f"{R}questions/", live_apis.QuestionListApi.as_view(), name="api-roadshow-questions"),
    path(
        f"{R}questions/<int:question_pk>/upvote/",
        live_apis.QuestionUpvoteApi.as_view(),
        name="api-roadshow-question-upvote",
    ),
    path(
        f"{R}questions/<int:question_pk>/hide/",
        live_apis.QuestionHideApi.as_view(),
        name="api-roadshow-question-hide",
    ),
    path(
        f"{R}questions/<int:question_pk>/answer/",
        live_apis.QuestionAnswerApi.as_view(),
        name="api-roadshow-question-answer",
    ),
    path(f"{R}intents/", live_apis.IntentApi.as_view(), name="api-roadshow-intents"),
    path(
        f"{R}registrations/",
        registration_apis.RegistrationListApi.as_view(),
        name="api-roadshow-registrations",
    ),
    path(
        f"{R}registrations/<int:registration_pk>/cancel/",
        registration_apis.RegistrationCancelApi.as_view(),
        name="api-roadshow-registration-cancel",
    ),
    path(f"{R}slots/", apis.SlotListApi.as_view(), name="api-roadshow-slots"),
    path(
        f"{R}slots/reorder/",
        apis.SlotReorderApi.as_view(),
        name="api-roadshow-slots-reorder",
    ),
    path(
        f"{R}slots/import/",
        apis.AgendaImportApi.as_view(),
        name="api-roadshow-agenda-import",
    ),
    path(
        f"{R}slots/<int:slot_pk>/",
        apis.SlotDetailApi.as_view(),
        name="api-roadshow-slot-detail",
    ),
    # 1:1 meetings
    path(f"{M}meetings/", meeting_apis.MeetingRequestListApi.as_view(),
         name="api-roadshow-meetings"),
    path(f"{M}meetings/<int:pk>/", meeting_apis.MeetingRequestDetailApi.as_view(),
         name="api-roadshow-meeting-detail"),
    path(f"{M}meetings/<int:pk>/accept/", meeting_apis.MeetingRequestAcceptApi.as_view(),
         name="api-roadshow-meeting-accept"),
    path(f"{M}meetings/<int:pk>/decline/", meeting_apis.MeetingRequestDeclineApi.as_view(),
         name="api-roadshow-meeting-decline"),
    path(f"{M}meeting-blocks/", meeting_apis.MeetingBlockListApi.as_view(),
         name="api-roadshow-meeting-blocks"),
    path(f"{M}unavailability/", meeting_apis.UnavailabilityListApi.as_view(),
         name="api-roadshow-unavailability"),
    path(f"{M}schedule/", meeting_apis.ScheduleRunApi.as_view(),
         name="api-roadshow-schedule"),
    path(f"{M}my-schedule/", meeting_apis.MyScheduleApi.as_view(),
         name="api-roadshow-my-schedule"),
    path(f"{M}my-schedule.csv", meeting_apis.MyScheduleCsvApi.as_view(),
         name="api-roadshow-my-schedule-csv"),
    path(f"{M}my-schedule.ics", meeting_apis.MyScheduleIcsApi.as_view(),
         name="api-roadshow-my-schedule-ics"),
    # reports and check-in
    path(f"{M}report/", report_apis.ReportApi.as_view(), name="api-roadshow-report"),
    path(f"{M}report.csv", report_apis.ReportCsvApi.as_view(),
         name="api-roadshow-report-csv"),
    path(f"{M}report.pdf", report_apis.ReportPdfApi.as_view(),
         name="api-roadshow-report-pdf"),
    path(f"{M}check-in/", checkin_apis.CheckInApi.as_view(), name="api-roadshow-check-in"),
]
