from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("", views.ApiDocs.as_view(), name="index"),
    path("explorer/", views.explorer, name="explorer"),
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("v1/", views.ApiRoot.as_view(), name="root"),
    path("v1/reports/", views.ReportList.as_view(), name="reports"),
    path("v1/reports/<slug:slug>/", views.ReportDetail.as_view(), name="report"),
    path("v1/countries/", views.CountryList.as_view(), name="countries"),
    path("v1/countries/<slug:slug>/", views.CountryDetail.as_view(), name="country"),
    path("v1/changes/", views.ChangeList.as_view(), name="changes"),
    path("v1/stages/", views.StageList.as_view(), name="stages"),
    path("v1/stages/<int:number>/", views.StageDetail.as_view(), name="stage"),
    path("v1/recommendations/", views.RecommendationList.as_view(), name="recommendations"),
    path("v1/addressees/", views.AddresseeList.as_view(), name="addressees"),
    path("v1/addressees/<slug:slug>/", views.AddresseeDetail.as_view(), name="addressee"),
    # Anything else under /api/v1/ answers in JSON too, never with the site's HTML 404 page.
    re_path(r"^v1/", views.unknown_address, name="unknown"),
]
