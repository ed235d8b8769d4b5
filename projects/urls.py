"""Web pages of the `projects` app (roadshows), included once at the site root.

URL names (used with `{% url %}`):

- roadshows: roadshow-list, roadshow-detail, roadshow-control (host staff), roadshow-live
  (the audience page);
- set-up (host staff): roadshow-new, roadshow-edit, roadshow-agenda, roadshow-agenda-add,
  roadshow-agenda-slot, roadshow-agenda-remove, roadshow-agenda-reorder,
  roadshow-agenda-import, roadshow-agenda-template, roadshow-publish;
- registrations and tickets: roadshow-register, roadshow-ticket;
- 1:1 meetings: roadshow-my-schedule, roadshow-my-schedule-csv, roadshow-my-schedule-ics,
  roadshow-meeting-request, roadshow-meeting-answer, roadshow-unavailability-add;
- the meetings console (host staff): roadshow-meetings-console, roadshow-meeting-block-add,
  roadshow-meeting-block-edit, roadshow-meeting-block-delete, roadshow-meetings-schedule,
  roadshow-meeting-move, roadshow-meeting-swap, roadshow-meetings-publish,
  roadshow-meetings-cards, roadshow-meetings-schedules;
- check-in: roadshow-checkin (host staff);
- reports: roadshow-report, roadshow-report-csv, roadshow-report-pdf (host staff);
- the transfer centre (brokers): broker-console, mediation-queue, mediation-act;
- deal funnel analytics (brokers, members of an organisation): deal-funnel,
  deal-funnel-csv, deal-funnel-xlsx.
"""

from django.urls import URLPattern, path

from projects.analytics import views as analytics_views
from projects.checkin import views as checkin_views
from projects.console import views as broker_console_views
from projects.mediation import views as mediation_views
from projects.meetings import console_views
from projects.meetings import views as meeting_views
from projects.registrations import views as registration_views
from projects.reports import views as report_views
from projects.roadshows import agenda_views, setup_views
from projects.roadshows import views as roadshow_views

R = "roadshows/<int:roadshow_id>/"

urlpatterns: list[URLPattern] = [
    # roadshows
    path("roadshows/", roadshow_views.roadshow_list, name="roadshow-list"),
    path("roadshows/<int:pk>/", roadshow_views.roadshow_detail, name="roadshow-detail"),
    path("roadshows/<int:pk>/control/", roadshow_views.roadshow_control,
         name="roadshow-control"),
    path("roadshows/<int:pk>/live/", roadshow_views.roadshow_audience, name="roadshow-live"),
    # set-up (host staff)
    path("roadshows/new/", setup_views.roadshow_new, name="roadshow-new"),
    path("roadshows/<int:pk>/edit/", setup_views.roadshow_edit, name="roadshow-edit"),
    path("roadshows/<int:pk>/agenda/", agenda_views.agenda_page, name="roadshow-agenda"),
    path("roadshows/<int:pk>/agenda/add/", agenda_views.agenda_add,
         name="roadshow-agenda-add"),
    path("roadshows/<int:pk>/agenda/<int:slot_pk>/", agenda_views.agenda_slot_update,
         name="roadshow-agenda-slot"),
    path("roadshows/<int:pk>/agenda/<int:slot_pk>/remove/", agenda_views.agenda_slot_remove,
         name="roadshow-agenda-remove"),
    path("roadshows/<int:pk>/agenda/reorder/", agenda_views.agenda_reorder,
         name="roadshow-agenda-reorder"),
    path("roadshows/<int:pk>/agenda/import/", agenda_views.agenda_import_page,
         name="roadshow-agenda-import"),
    path("roadshows/<int:pk>/agenda/template.xlsx", agenda_views.agenda_template,
         name="roadshow-agenda-template"),
    path("roadshows/<int:pk>/publish/", agenda_views.roadshow_publish,
         name="roadshow-publish"),
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
    # the meetings console of host staff
    path(f"{R}meetings/console/", console_views.console_page, name="roadshow-meetings-console"),
    path(f"{R}meetings/console/blocks/", console_views.block_add,
         name="roadshow-meeting-block-add"),
    path(f"{R}meetings/console/blocks/<int:pk>/", console_views.block_edit,
         name="roadshow-meeting-block-edit"),
    path(f"{R}meetings/console/blocks/<int:pk>/delete/", console_views.block_delete,
         name="roadshow-meeting-block-delete"),
    path(f"{R}meetings/console/schedule/", console_views.schedule_run,
         name="roadshow-meetings-schedule"),
    path(f"{R}meetings/console/<int:pk>/move/", console_views.meeting_move,
         name="roadshow-meeting-move"),
    path(f"{R}meetings/console/<int:pk>/swap/", console_views.meeting_swap,
         name="roadshow-meeting-swap"),
    path(f"{R}meetings/console/publish/", console_views.schedule_publish,
         name="roadshow-meetings-publish"),
    path(f"{R}meetings/cards/", console_views.table_cards_page,
         name="roadshow-meetings-cards"),
    path(f"{R}meetings/schedules/", console_views.party_schedules_page,
         name="roadshow-meetings-schedules"),
    # check-in
    path(f"{R}checkin/", checkin_views.checkin_page, name="roadshow-checkin"),
    # reports
    path(f"{R}report/", report_views.report_page, name="roadshow-report"),
    path(f"{R}report.csv", report_views.report_csv_download, name="roadshow-report-csv"),
    path(f"{R}report.pdf", report_views.report_pdf_download, name="roadshow-report-pdf"),
    # the transfer centre: the broker console and the mediation queue
    path("console/", broker_console_views.console_page, name="broker-console"),
    path("mediation/", mediation_views.mediation_queue, name="mediation-queue"),
    path("mediation/<str:item_id>/<str:action>/", mediation_views.mediation_act,
         name="mediation-act"),
    # deal funnel analytics
    path("analytics/funnel/", analytics_views.funnel_page, name="deal-funnel"),
    path("analytics/funnel.csv", analytics_views.funnel_csv_download, name="deal-funnel-csv"),
    path("analytics/funnel.xlsx", analytics_views.funnel_xlsx_download,
         name="deal-funnel-xlsx"),
]
