from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemaps
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path

from archive.admin import import_view as archive_import_view
from genocidewatch.languages import default_language_redirect
from pages.sitemaps import StaffPageSitemap
from reports.sitemaps import SITEMAPS as REPORT_SITEMAPS
from reports.views import healthz, robots_txt
from staff import passkeys
from staff import views as staff_views

# A server the site needs being away (database, cache) is a 503 asking to try again.
handler500 = "genocidewatch.errors.server_error"

SITEMAPS = {**REPORT_SITEMAPS, "staff-pages": StaffPageSitemap}

admin.site.site_header = f"{settings.SITE_NAME} · staff"
admin.site.site_title = f"{settings.SITE_NAME} staff"
admin.site.index_title = "Desk"


def favicon(request):
    # Resolved per request: the hashed static name exists only after collectstatic.
    return redirect(static("img/favicon.svg"), permanent=True)


urlpatterns = [
    # Browsers ask for /favicon.ico on pages (the admin's) that do not name an icon.
    path("favicon.ico", favicon),
    path("admin/two-factor/passkeys/", include(passkeys)),
    path("admin/two-factor/", include("staff.urls")),
    path("admin/profile/", staff_views.profile, name="staff_profile"),
    # A forgotten staff password, by email. These are the names the admin's sign-in page
    # and Django's reset views look for ("Forgotten your password or username?").
    path(
        "admin/password-reset/",
        staff_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "admin/password-reset/<uidb64>/<token>/",
        staff_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "admin/archive/import/",
        admin.site.admin_view(archive_import_view),
        name="archive_import",
    ),
    path("admin/", admin.site.urls),
    # An index of parts, each a section of at most SITEMAP_PART_ADDRESSES addresses
    # (?p=2, ?p=3… for the next), so each is small enough for the page cache to keep.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_part"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_part"),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("api/", include("api.urls")),
    # English is the default language, at the root: /en/… answers with the same page there.
    re_path(rf"^{settings.LANGUAGE_CODE}/(?P<rest>.*)$", default_language_redirect),
]
# Every page readers see, in each language: English unprefixed, /fr/…, /ar/…
# (genocidewatch/languages.py). Files that are the same in every language (PDF editions,
# images) are reversed and served at their unprefixed address only.
urlpatterns += i18n_patterns(
    path("", include("alerts.urls")),
    path("", include("sharing.urls")),
    path("", include("opendata.urls")),
    path("", include("pages.urls")),
    path("", include("reports.urls")),
    prefix_default_language=False,
)
