from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("reports/", views.ReportListView.as_view(), name="list"),
    path("reports/<slug:slug>/", views.ReportDetailView.as_view(), name="detail"),
    path(
        "reports/<slug:slug>/files/<int:pk>/<str:filename>",
        views.attachment_download,
        name="file",
    ),
    path("stages/", views.StageListView.as_view(), name="stages"),
    path("stages/<int:number>/", views.StageDetailView.as_view(), name="stage"),
]
