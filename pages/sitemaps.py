from django.contrib.sitemaps import Sitemap

from .models import Page


class StaffPageSitemap(Sitemap):
    def items(self):
        return Page.objects.public().order_by("slug")

    def lastmod(self, page):
        return page.updated_at
