"""1:1 meeting API routes; include under ``api/v1/roadshows/``."""

from django.urls import path

from projects import meeting_apis as apis

urlpatterns = [
    path("<int:roadshow_id>/meetings/", apis.MeetingRequestListApi.as_view(),
         name="api-roadshow-meetings"),
    path("<int:roadshow_id>/meetings/<int:pk>/", apis.MeetingRequestDetailApi.as_view(),
         name="api-roadshow-meeting-detail"),
    path("<int:roadshow_id>/meetings/<int:pk>/accept/", apis.MeetingRequestAcceptApi.as_view(),
         name="api-roadshow-meeting-accept"),
    path("<int:roadshow_id>/meetings/<int:pk>/decline/",
         apis.MeetingRequestDeclineApi.as_view(), name="api-roadshow-meeting-decline"),
    path("<int:roadshow_id>/meeting-blocks/", apis.MeetingBlockListApi.as_view(),
         name="api-roadshow-meeting-blocks"),
    path("<int:roadshow_id>/unavailability/", apis.UnavailabilityListApi.as_view(),
         name="api-roadshow-unavailability"),
    path("<int:roadshow_id>/schedule/", apis.ScheduleRunApi.as_view(),
         name="api-roadshow-schedule"),
    path("<int:roadshow_id>/my-schedule/", apis.MyScheduleApi.as_view(),
         name="api-roadshow-my-schedule"),
    path("<int:roadshow_id>/my-schedule.csv", apis.MyScheduleCsvApi.as_view(),
         name="api-roadshow-my-schedule-csv"),
    path("<int:roadshow_id>/my-schedule.ics", apis.MyScheduleIcsApi.as_view(),
         name="api-roadshow-my-schedule-ics"),
]
