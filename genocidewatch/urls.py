from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = f"{settings.SITE_NAME} · staff"
admin.site.site_title = f"{settings.SITE_NAME} staff"
admin.site.index_title = "Reports, countries and site settings"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
]
