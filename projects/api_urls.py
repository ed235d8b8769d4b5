"""Roadshow API routes; the root URLconf includes them under /api/v1/ (see `projects.apis`
for methods and bodies). Route names: ``api-roadshow-<name>``, kwargs ``pk`` (roadshow) and
``slot_pk`` / ``question_pk`` / ``registration_pk``; ``api-my-registrations``."""

from django.urls import URLPattern, path

from projects import apis

R = "roadshows/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path("roadshows/", apis.RoadshowListApi.as_view(), name="api-roadshow-list"),
    path(
        "roadshows/my-registrations/",
        apis.MyRegistrationsApi.as_view(),
        name="api-my-registrations",
    ),
    path(R, apis.RoadshowDetailApi.as_view(), name="api-roadshow-detail"),
    path(f"{R}live/", apis.RoadshowLiveApi.as_view(), name="api-roadshow-live"),
    path(f"{R}go-live/", apis.GoLiveApi.as_view(), name="api-roadshow-go-live"),
    path(f"{R}advance/", apis.AdvanceApi.as_view(), name="api-roadshow-advance"),
    path(f"{R}end/", apis.EndApi.as_view(), name="api-roadshow-end"),
    path(f"{R}cancel/", apis.CancelApi.as_view(), name="api-roadshow-cancel"),
    path(
        f"{R}questions/open/",
        apis.QuestionsOpenApi.as_view(),
        name="api-roadshow-questions-open",
    ),
    path(
        f"{R}questions/close/",
        apis.QuestionsCloseApi.as_view(),
        name="api-roadshow-questions-close",
    ),
    path(f"{R}questions/", apis.QuestionListApi.as_view(), name="api-roadshow-questions"),
    path(
        f"{R}questions/<int:question_pk>/upvote/",
        apis.QuestionUpvoteApi.as_view(),
        name="api-roadshow-question-upvote",
    ),
    path(
        f"{R}questions/<int:question_pk>/hide/",
        apis.QuestionHideApi.as_view(),
        name="api-roadshow-question-hide",
    ),
    path(
        f"{R}questions/<int:question_pk>/answer/",
        apis.QuestionAnswerApi.as_view(),
        name="api-roadshow-question-answer",
    ),
    path(f"{R}intents/", apis.IntentApi.as_view(), name="api-roadshow-intents"),
    path(
        f"{R}registrations/",
        apis.RegistrationListApi.as_view(),
        name="api-roadshow-registrations",
    ),
    path(
        f"{R}registrations/<int:registration_pk>/cancel/",
        apis.RegistrationCancelApi.as_view(),
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
]
