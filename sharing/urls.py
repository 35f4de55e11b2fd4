from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("reports/<slug:slug>/card-<str:version>.png", views.report_card, name="card"),
    path("card-<str:version>.png", views.home_card, name="home_card"),
    path("countries/<slug:slug>/card-<str:version>.png", views.country_card, name="country_card"),
    path("stages/<int:number>/card-<str:version>.png", views.stage_card, name="stage_card"),
]
