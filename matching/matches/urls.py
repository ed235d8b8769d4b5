"""Explained-matches web pages, included by `matching.urls`."""

from django.urls import path

from matching.matches import views

urlpatterns = [
    path("results/<int:pk>/matches/", views.result_matches, name="result-matches"),
    path("needs/<int:pk>/matches/", views.need_matches, name="need-matches"),
]
