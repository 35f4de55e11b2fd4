from django.urls import path

from . import feeds, views

app_name = "reports"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("reports/", views.ReportListView.as_view(), name="list"),
    path("reports/<slug:slug>/", views.ReportDetailView.as_view(), name="detail"),
    # Before the file pattern, which would otherwise take "preview.webp" for a file name.
    path(
        "reports/<slug:slug>/files/<int:pk>/preview.webp",
        views.attachment_preview,
        name="preview",
    ),
    path(
        "reports/<slug:slug>/files/<int:pk>/<str:filename>",
        views.attachment_download,
        name="file",
    ),
    path("reports/<slug:slug>/images/<str:name>", views.report_image, name="image"),
    path(
        "reports/<slug:slug>/citation.<str:fmt>",
        views.report_citation,
        name="citation",
    ),
    path("countries/", views.CountryListView.as_view(), name="countries"),
    path("countries/<slug:slug>/", views.CountryDetailView.as_view(), name="country"),
    path("countries/<slug:slug>/feed/", feeds.CountryReportFeed.as_view(), name="country_feed"),
    path(
        "countries/<slug:slug>/changes/feed/",
        feeds.CountryChangeFeed.as_view(),
        name="country_changes_feed",
    ),
    path("stages/", views.StageListView.as_view(), name="stages"),
    path("stages/<int:number>/", views.StageDetailView.as_view(), name="stage"),
    path("stages/<int:number>/feed/", feeds.StageReportFeed.as_view(), name="stage_feed"),
    path("recommendations/", views.RecommendationListView.as_view(), name="recommendations"),
    path("addressees/<slug:slug>/", views.AddresseeDetailView.as_view(), name="addressee"),
    path("feeds/reports/", feeds.ReportFeed.as_view(), name="feed"),
    path("feeds/changes/", feeds.ChangeFeed.as_view(), name="changes_feed"),
]
