from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from .models import Page


class StaffPageSitemap(Sitemap):
    @property
    def limit(self):
        return settings.SITEMAP_PART_ADDRESSES

    def items(self):
        return Page.objects.public().order_by("slug")

    def lastmod(self, page):
        return page.updated_at

    def get_latest_lastmod(self):
        return Page.objects.public().aggregate(last=Max("updated_at"))["last"]
