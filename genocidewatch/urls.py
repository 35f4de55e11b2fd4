from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from reports.sitemaps import SITEMAPS
from reports.views import healthz, robots_txt

admin.site.site_header = f"{settings.SITE_NAME} · staff"
admin.site.site_title = f"{settings.SITE_NAME} staff"
admin.site.index_title = "Reports, countries and site settings"


def favicon(request):
    # Resolved per request: the hashed static name exists only after collectstatic.
    return redirect(static("img/favicon.svg"), permanent=True)


urlpatterns = [
    # Browsers ask for /favicon.ico on pages (the admin's) that do not name an icon.
    path("favicon.ico", favicon),
    path("admin/two-factor/", include("staff.urls")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("", include("alerts.urls")),
    path("", include("sharing.urls")),
    path("", include("reports.urls")),
]
