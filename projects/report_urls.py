"""Pages of the meetings/report/check-in area; include at the site root (prefix ``""``).

URL names: roadshow-report, roadshow-report-csv, roadshow-report-pdf, roadshow-ticket,
roadshow-my-schedule, roadshow-my-schedule-csv, roadshow-my-schedule-ics,
roadshow-meeting-request, roadshow-meeting-answer, roadshow-unavailability-add,
roadshow-checkin.
"""

from django.urls import path

from projects import report_views as views

urlpatterns = [
    path("roadshows/<int:roadshow_id>/report/", views.report_page, name="roadshow-report"),
    path("roadshows/<int:roadshow_id>/report.csv", views.report_csv_download,
         name="roadshow-report-csv"),
    path("roadshows/<int:roadshow_id>/report.pdf", views.report_pdf_download,
         name="roadshow-report-pdf"),
    path("roadshows/<int:roadshow_id>/ticket/", views.ticket_page, name="roadshow-ticket"),
    path("roadshows/<int:roadshow_id>/my-schedule/", views.my_schedule_page,
         name="roadshow-my-schedule"),
    path("roadshows/<int:roadshow_id>/my-schedule.csv", views.my_schedule_csv,
         name="roadshow-my-schedule-csv"),
    path("roadshows/<int:roadshow_id>/my-schedule.ics", views.my_schedule_ics,
         name="roadshow-my-schedule-ics"),
    path("roadshows/<int:roadshow_id>/meetings/request/", views.meeting_request_create_page,
         name="roadshow-meeting-request"),
    path("roadshows/<int:roadshow_id>/unavailable/", views.unavailability_add_page,
         name="roadshow-unavailability-add"),
    path("roadshows/<int:roadshow_id>/meetings/<int:pk>/answer/",
         views.meeting_request_answer, name="roadshow-meeting-answer"),
    path("roadshows/<int:roadshow_id>/checkin/", views.checkin_page, name="roadshow-checkin"),
]
