"""Load the demo content: a Mali emergency alert, its PDF edition and the follow links, and
earlier reports on a dozen countries so lists, filters, the map and grids have something
to show.

The Mali alert is written in the project's own words from the facts of the 2023 alert that
started the project. The other reports are demonstration content, marked as such in their
titles, summaries and text; they come in through the archive importer from
reports/demo/manifest.json, as a real archive would. Running it again changes nothing:
every row is found by its natural key first.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import reversion
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from archive import importer
from follow.models import FollowLink, Platform
from reports import uploads
from reports.models import (
    Addressee,
    AlertLevel,
    Attachment,
    Author,
    Authorship,
    Country,
    Recommendation,
    Report,
    Stage,
)
from reports.textpdf import text_pdf

MALI_SLUG = "mali-country-report-2023"
DEMO_MANIFEST = Path(__file__).resolve().parents[2] / "demo" / "manifest.json"

MALI_PARAGRAPHS = [
    "Mali has been at war with itself since 2012. That year Touareg separatists and "
    "militants linked to al Qaeda took the northern cities of Timbuktu, Gao and Kidal and "
    "proclaimed a breakaway state, Azawad. Mali's president asked for help, and the UN "
    "Security Council answered with Resolution 2085, which authorised an international "
    "military mission under Chapter VII. In 2013 French and Malian troops pushed the rebels "
    "out of the major towns.",
    "From 2015 the violence moved to central Mali. Jihadist fighters recruited among the "
    "Fulani (Peul), a minority in Mali though numerous across West Africa, and attacked "
    "Bambara and Dogon farmers. Disputes over land and the grazing fees the government "
    "charged Fulani herders fed the recruitment. The Malian army's answer has been to treat "
    "Fulani civilians as suspects and to persecute them.",
    "In 2017 four extremist groups joined to form Jama'at Nusrat al-Islam wal-Muslimin "
    "(JNIM). Two years later a Dogon self-defence militia killed some 130 Fulani herders at "
    "Ogossagou, the worst massacre of the conflict. JNIM points to the persecution of the "
    "Fulani to present its own attacks as self-defence.",
    "The army's failure to contain JNIM led to a military coup in 2021, and the civil war "
    "has grown since. Armed groups now hold about a third of the country, and a third of "
    "the people killed in JNIM attacks are civilians. In 2023 JNIM attacked a passenger "
    "boat on the Niger River, killing 49 civilians, and an army base, killing 15 soldiers.",
    "Also in 2021, the junta led by Assimi Goïta brought in the Russian Wagner Group. In "
    "2022 it ordered France and its African partners to leave; French forces withdrew after "
    "ten years in the country. Wagner fighters now operate with Malian units, and both have "
    "killed hundreds of civilians in counter-insurgency raids, with sexual violence against "
    "women increasing. These are crimes against humanity under the Rome Statute of the "
    "International Criminal Court, to which Mali has been a party since 2002.",
    "In November 2023 the government denied any tie to Wagner and dismissed Human Rights "
    "Watch's findings of targeted killings of civilians. According to the European "
    "Commission, 470,000 Malians are still displaced and 3.9 million people need protection "
    "from the rising abuses, sexual violence among them.",
]

MALI_RECOMMENDATIONS = [
    (
        "France",
        Addressee.Kind.STATE,
        "should press the UN Security Council to authorise a new UN peacekeeping operation "
        "in Mali.",
    ),
    (
        "The UN General Assembly",
        Addressee.Kind.UN_BODY,
        "should condemn the Wagner Group as a terrorist organisation.",
    ),
    (
        "Mali",
        Addressee.Kind.STATE,
        "should send away every foreign mercenary force on its soil, the Wagner Group first "
        "among them.",
    ),
    (
        "The International Criminal Court",
        Addressee.Kind.COURT,
        "should bring Malian soldiers and Wagner fighters to trial for war crimes and crimes "
        "against humanity.",
    ),
]

FOLLOW_LINKS = [
    (Platform.FACEBOOK, "https://www.facebook.com/GenocideWatch"),
    (Platform.X, "https://x.com/genocidewatch"),
    (Platform.YOUTUBE, "https://www.youtube.com/@genocidewatch"),
]


class Command(BaseCommand):
    help = (
        "Load the demo content (a Mali emergency alert with its PDF, and demonstration "
        "reports on other countries and years). Safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = self.load_follow_links()
        if Report.objects.filter(slug=MALI_SLUG).exists():
            self.stdout.write("Demo report already present; nothing to add.")
        else:
            with reversion.create_revision():
                reversion.set_comment("Demo content loaded.")
                self.load_mali_report()
            created += 1
        demo = importer.run(DEMO_MANIFEST, dry_run=False)
        if demo.refused:
            raise CommandError(f"The demonstration manifest has problems:\n{demo.text()}")
        created += demo.created
        self.stdout.write(
            f"Demonstration reports: {demo.created} added, {demo.present} already present."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({created} new rows)."))

    def load_follow_links(self):
        created = 0
        for order, (platform, url) in enumerate(FOLLOW_LINKS):
            _, new = FollowLink.objects.get_or_create(
                url=url, defaults={"platform": platform, "order": order}
            )
            created += new
        return created

    def load_mali_report(self):
        mali, _ = Country.objects.get_or_create(code="ML", defaults={"slug": "mali"})
        report = Report.objects.create(
            country=mali,
            year=2023,
            alert_level=AlertLevel.EMERGENCY,
            title="Mali Country Report 2023",
            slug=MALI_SLUG,
            summary=(
                "Mali's army and Wagner Group fighters are persecuting the Fulani while "
                "jihadists attack civilians across the centre and north. Genocide Watch "
                "places Mali at stages 5, 6 and 8 and calls it a Genocide Emergency."
            ),
            body="".join(f"<p>{paragraph}</p>" for paragraph in MALI_PARAGRAPHS),
            status=Report.Status.PUBLISHED,
            published_at=datetime(2023, 12, 4, 9, 0, tzinfo=ZoneInfo("UTC")),
        )
        report.stages.set(Stage.objects.filter(number__in=[5, 6, 8]))
        author, _ = Author.objects.get_or_create(name="Esme Matthews")
        Authorship.objects.create(report=report, author=author, order=0)
        for order, (name, kind, text) in enumerate(MALI_RECOMMENDATIONS):
            addressee, _ = Addressee.objects.get_or_create(
                name=name, defaults={"kind": kind, "slug": slugify(name.removeprefix("The "))}
            )
            Recommendation.objects.create(
                report=report, addressee=addressee, text=text, order=order
            )
        pdf = text_pdf(
            [report.title, "By Esme Matthews", report.headline, *MALI_PARAGRAPHS]
            + [f"{name} {text}" for name, _, text in MALI_RECOMMENDATIONS],
            title=report.title,
        )
        edition = Attachment(report=report, title="Mali Country Report by Esme Matthews 2023")
        uploads.attach_pdf(
            edition, ContentFile(pdf, name="Mali Country Report by Esme Matthews 2023.pdf")
        )
        edition.save()
