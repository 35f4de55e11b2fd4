from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("pages/<slug:slug>/", views.PageDetailView.as_view(), name="page"),
    path("site/logo-<slug:version>.<slug:extension>", views.logo, name="logo"),
    path("site/accent-<slug:version>.css", views.accent, name="accent"),
    path("site/card-<slug:version>.png", views.card, name="card"),
]
