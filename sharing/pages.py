"""Social cards for the pages that are not a report: home, a country, a stage.

Each is drawn from what the page says now, stored once under a name that carries a hash of
that (its version), and named in the page's `og:image`; an older version's address
redirects to the current card, as a report's does.
"""

import hashlib
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from genocidewatch import storedfiles
from genocidewatch.links import link
from genocidewatch.storedfiles import Folder
from pages.chrome import identity as site_identity
from reports.models import AlertLevel, Report, Stage

from . import cards


@dataclass(frozen=True)
class PageCard:
    kind: str  # "home", "country" or "stage": the page the card is for
    key: str  # the country's slug or the stage's number; empty for home
    band: str  # an alert level, or "site"
    label: str
    headline: str
    title: str
    meta: str

    @property
    def version(self):
        # The language too: it decides the card's direction and script, not only its words.
        language = translation.get_language() or settings.LANGUAGE_CODE
        shown = "\x1f".join([site_identity().name, language, *asdict(self).values()])
        return hashlib.sha256(shown.encode()).hexdigest()[:16]

    @property
    def stored_name(self):
        stem = f"{self.kind}-{self.key}-{self.version}" if self.key else f"home-{self.version}"
        return storedfiles.new_name(Folder.CARDS, "png", stem=stem)

    @property
    def path(self):
        if self.kind == "country":
            return link("sharing:country_card", slug=self.key, version=self.version)
        if self.kind == "stage":
            return link("sharing:stage_card", number=int(self.key), version=self.version)
        return link("sharing:home_card", version=self.version)

    @property
    def alt(self):
        return f"{self.headline}. {self.title}".strip(". ")

    def draw(self):
        return cards.draw(
            site=site_identity().name,
            band=self.band,
            label=self.label,
            headline=self.headline,
            title=self.title,
            meta=self.meta,
        )

    def stored(self):
        if not default_storage.exists(self.stored_name):
            default_storage.save(self.stored_name, ContentFile(self.draw()))
        return self.stored_name


def _date(when):
    return date_format(when, "DATE_FORMAT") if when else ""


def home_card(current_reports):
    counts = {level: 0 for level in AlertLevel}
    for report in current_reports:
        counts[report.alert_level] += 1
    at_risk = sum(counts.values())
    title = ngettext(
        "%(count)d country at risk of genocide", "%(count)d countries at risk of genocide", at_risk
    ) % {"count": at_risk}
    detail = ", ".join(
        f"{counts[level]} {level.label}"
        for level in (AlertLevel.EMERGENCY, AlertLevel.WARNING, AlertLevel.WATCH)
        if counts[level]
    )
    return PageCard(
        kind="home",
        key="",
        band="site",
        label=gettext("Early warning"),
        headline=gettext("Where genocide is a risk now"),
        title=f"{title}: {detail}" if detail else title,
        meta="",
    )


def country_card(country, current):
    numbers = [str(stage.number) for stage in current.stages.all()]
    if numbers:
        title = gettext("At stages %(numbers)s of the ten stages of genocide") % {
            "numbers": ", ".join(numbers)
        }
    else:
        title = ""
    return PageCard(
        kind="country",
        key=country.slug,
        band=current.alert_level,
        label=current.get_alert_level_display(),
        headline=f"{country.local_name}: {current.get_alert_level_display()}",
        title=title,
        meta=gettext("Latest report %(date)s") % {"date": _date(current.published_at)},
    )


def stage_card(stage):
    return PageCard(
        kind="stage",
        key=str(stage.number),
        band="site",
        label=gettext("The ten stages of genocide"),
        headline=gettext("Stage %(number)s: %(name)s")
        % {"number": stage.number, "name": stage.local_name},
        title=stage.local_description[:96].rsplit(" ", 1)[0]
        + ("…" if len(stage.local_description) > 96 else ""),
        meta="",
    )


def current_page_card_names():
    """The stored names of every page card as it is now; older ones are not needed."""
    current = list(Report.objects.current().select_related("country").prefetch_related("stages"))
    names = {home_card(current).stored_name}
    names |= {country_card(r.country, r).stored_name for r in current}
    names |= {stage_card(stage).stored_name for stage in Stage.objects.all()}
    return names
