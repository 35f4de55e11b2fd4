"""What every page shows around its content: the identity and the two menus.

Read once per content version (genocidewatch/pagecache.py), so a page costs no query for
them while nothing changes, and a change to a page or to the identity shows at once.
"""

from dataclasses import dataclass, field

from genocidewatch.links import link
from genocidewatch.pagecache import kept_with_content

from .models import Identity, Page


@dataclass(frozen=True)
class MenuLink:
    """A page in a menu. The address is worked out when a page is drawn, in that page's
    language (/fr/pages/…): the menus are kept once for every language."""

    label: str
    slug: str

    @property
    def url(self):
        return link("pages:page", slug=self.slug)


@dataclass(frozen=True)
class Chrome:
    identity: Identity
    header: list = field(default_factory=list)
    footer: list = field(default_factory=list)


def _load():
    identity = Identity.current()
    menus = {Page.Menu.HEADER: [], Page.Menu.FOOTER: []}
    public = Page.objects.public().exclude(menu=Page.Menu.NONE).order_by("menu_order", "title")
    for page in public.only("title", "slug", "menu", "menu_label", "menu_order"):
        menus[page.menu].append(MenuLink(page.label, page.slug))
    return Chrome(identity, menus[Page.Menu.HEADER], menus[Page.Menu.FOOTER])


def site_chrome():
    return kept_with_content("chrome", _load)


def identity():
    return site_chrome().identity
