from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("reports/<slug:slug>/card-<str:version>.png", views.report_card, name="card"),
]
