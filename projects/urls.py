"""Web pages of the `projects` app (roadshows), included once at the site root.

URL names (used with `{% url %}`):

- roadshows: roadshow-list, roadshow-detail, roadshow-control (host staff), roadshow-live
  (the audience page);
- registrations and tickets: roadshow-register, roadshow-ticket;
- 1:1 meetings: roadshow-my-schedule, roadshow-my-schedule-csv, roadshow-my-schedule-ics,
  roadshow-meeting-request, roadshow-meeting-answer, roadshow-unavailability-add;
- check-in: roadshow-checkin (host staff);
- reports: roadshow-report, roadshow-report-csv, roadshow-report-pdf (host staff);
- the transfer centre's mediation queue (brokers): mediation-queue, mediation-act;
- deal funnel analytics (brokers, members of an organisation): deal-funnel,
  deal-funnel-csv, deal-funnel-xlsx.
"""

from django.urls import URLPattern, path

from projects.analytics import views as analytics_views
from projects.checkin import views as checkin_views
from projects.mediation import views as mediation_views
from projects.meetings import views as meeting_views
from projects.registrations import views as registration_views
from projects.reports import views as report_views
from projects.roadshows import views as roadshow_views

R = "roadshows/<int:roadshow_id>/"

urlpatterns: list[URLPattern] = [
    # roadshows
    path("roadshows/", roadshow_views.roadshow_list, name="roadshow-list"),
    path("roadshows/<int:pk>/", roadshow_views.roadshow_detail, name="roadshow-detail"),
    path("roadshows/<int:pk>/control/", roadshow_views.roadshow_control,
         name="roadshow-control"),
    path("roadshows/<int:pk>/live/", roadshow_views.roadshow_audience, name="roadshow-live"),
    # registrations and tickets
    path("roadshows/<int:pk>/register/", registration_views.roadshow_register,
         name="roadshow-register"),
    path(f"{R}ticket/", registration_views.ticket_page, name="roadshow-ticket"),
    # 1:1 meetings
    path(f"{R}my-schedule/", meeting_views.my_schedule_page, name="roadshow-my-schedule"),
    path(f"{R}my-schedule.csv", meeting_views.my_schedule_csv,
         name="roadshow-my-schedule-csv"),
    path(f"{R}my-schedule.ics", meeting_views.my_schedule_ics,
         name="roadshow-my-schedule-ics"),
    path(f"{R}meetings/request/", meeting_views.meeting_request_create_page,
         name="roadshow-meeting-request"),
    path(f"{R}unavailable/", meeting_views.unavailability_add_page,
         name="roadshow-unavailability-add"),
    path(f"{R}meetings/<int:pk>/answer/", meeting_views.meeting_request_answer,
         name="roadshow-meeting-answer"),
    # check-in
    path(f"{R}checkin/", checkin_views.checkin_page, name="roadshow-checkin"),
    # reports
    path(f"{R}report/", report_views.report_page, name="roadshow-report"),
    path(f"{R}report.csv", report_views.report_csv_download, name="roadshow-report-csv"),
    path(f"{R}report.pdf", report_views.report_pdf_download, name="roadshow-report-pdf"),
    # the transfer centre's mediation queue
    path("mediation/", mediation_views.mediation_queue, name="mediation-queue"),
    path("mediation/<str:item_id>/<str:action>/", mediation_views.mediation_act,
         name="mediation-act"),
    # deal funnel analytics
    path("analytics/funnel/", analytics_views.funnel_page, name="deal-funnel"),
    path("analytics/funnel.csv", analytics_views.funnel_csv_download, name="deal-funnel-csv"),
    path("analytics/funnel.xlsx", analytics_views.funnel_xlsx_download,
         name="deal-funnel-xlsx"),
]
