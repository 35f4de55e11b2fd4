from django.urls import path

from . import feeds, views

app_name = "opendata"

urlpatterns = [
    path("reports/<slug:slug>/cap.xml", views.cap_message, name="cap"),
    path("data/", views.data_page, name="data"),
    path("data/<str:name>", views.data_download, name="file"),
    path("feeds/cap/", feeds.CapIndexFeed.as_view(), name="cap_feed"),
    path("feeds/cap/cancel/<str:identifier>.xml", views.cap_cancel, name="cap_cancel"),
]
