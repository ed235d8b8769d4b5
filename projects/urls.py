"""Roadshow web pages.

URL names (used with `{% url %}`): roadshow-list, roadshow-detail, roadshow-register,
roadshow-control (host staff), roadshow-live (the audience page).
"""

from django.urls import path

from projects import views

urlpatterns = [
    path("roadshows/", views.roadshow_list, name="roadshow-list"),
    path("roadshows/<int:pk>/", views.roadshow_detail, name="roadshow-detail"),
    path("roadshows/<int:pk>/register/", views.roadshow_register, name="roadshow-register"),
    path("roadshows/<int:pk>/control/", views.roadshow_control, name="roadshow-control"),
    path("roadshows/<int:pk>/live/", views.roadshow_audience, name="roadshow-live"),
]
