"""Load the demo content: a Mali emergency alert, its PDF edition, its French translation,
the follow links, the organisation's identity and its pages (About, Methodology, Donate,
Contact, Get involved), and earlier reports on a dozen countries so lists, filters, the map
and grids have something to show.

The Mali alert is written in the project's own words from the facts of the 2023 alert that
started the project; the French is our own translation of our English. The other reports
are demonstration content, marked as such in their titles, summaries and text; they come in
through the archive importer from reports/demo/manifest.json, as a real archive would.
Running it again changes nothing: every row is found by its natural key first.
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
from pages import logos
from pages.models import Identity, Page
from reports import translations, uploads
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

MALI_FRENCH_TITLE = "Mali : rapport pays 2023"
MALI_FRENCH_SUMMARY = (
    "L'armée malienne et les combattants du groupe Wagner persécutent les Peuls, tandis que "
    "des djihadistes attaquent les civils dans le centre et le nord du pays. Genocide Watch "
    "situe le Mali aux stades 5, 6 et 8 et y lance une alerte d'urgence génocidaire."
)
MALI_FRENCH_PARAGRAPHS = [
    "Le Mali est en guerre contre lui-même depuis 2012. Cette année-là, des séparatistes "
    "touareg et des militants liés à al-Qaïda se sont emparés des villes de Tombouctou, Gao "
    "et Kidal, dans le nord, et y ont proclamé un État séparé, l'Azawad. Le président malien "
    "a demandé de l'aide ; le Conseil de sécurité de l'ONU a répondu par la résolution 2085, "
    "qui autorisait une mission militaire internationale en vertu du chapitre VII. En 2013, "
    "les troupes françaises et maliennes ont chassé les rebelles des principales villes.",
    "À partir de 2015, la violence s'est déplacée vers le centre du pays. Des combattants "
    "djihadistes ont recruté parmi les Peuls (Fulani), minoritaires au Mali mais nombreux "
    "dans toute l'Afrique de l'Ouest, et attaqué des agriculteurs bambara et dogon. Les "
    "conflits fonciers et les taxes de pâturage que l'État imposait aux éleveurs peuls ont "
    "nourri ce recrutement. L'armée malienne a répondu en traitant les civils peuls en "
    "suspects et en les persécutant.",
    "En 2017, quatre groupes extrémistes se sont unis pour former le Groupe de soutien à "
    "l'islam et aux musulmans (JNIM, d'après son nom arabe). Deux ans plus tard, une milice "
    "d'autodéfense dogon a tué quelque 130 éleveurs peuls à Ogossagou, le pire massacre du "
    "conflit. Le JNIM invoque la persécution des Peuls pour présenter ses propres attaques "
    "comme de la légitime défense.",
    "L'incapacité de l'armée à contenir le JNIM a conduit à un coup d'État militaire en "
    "2021, et la guerre civile s'est étendue depuis. Des groupes armés contrôlent "
    "aujourd'hui environ un tiers du pays, et un tiers des personnes tuées dans les attaques "
    "du JNIM sont des civils. En 2023, le JNIM a attaqué un bateau de passagers sur le "
    "fleuve Niger, tuant 49 civils, puis une base de l'armée, où 15 soldats ont péri.",
    "En 2021 également, la junte dirigée par Assimi Goïta a fait venir le groupe russe "
    "Wagner. En 2022, elle a exigé le départ de la France et de ses partenaires africains ; "
    "les forces françaises se sont retirées après dix ans de présence. Les combattants de "
    "Wagner opèrent désormais aux côtés d'unités maliennes, et les uns comme les autres ont "
    "tué des centaines de civils lors d'opérations de contre-insurrection, tandis que les "
    "violences sexuelles contre les femmes se multiplient. Ce sont là des crimes contre "
    "l'humanité au sens du Statut de Rome de la Cour pénale internationale, auquel le Mali "
    "est partie depuis 2002.",
    "En novembre 2023, le gouvernement a nié tout lien avec Wagner et rejeté les "
    "constatations de Human Rights Watch sur des meurtres ciblés de civils. Selon la "
    "Commission européenne, 470 000 Maliens restent déplacés et 3,9 millions de personnes "
    "ont besoin de protection face à la montée des exactions, dont les violences sexuelles.",
]
# In the order of MALI_RECOMMENDATIONS: the same addressees.
MALI_FRENCH_RECOMMENDATIONS = [
    "doit presser le Conseil de sécurité de l'ONU d'autoriser une nouvelle opération de "
    "maintien de la paix des Nations unies au Mali.",
    "doit condamner le groupe Wagner comme organisation terroriste.",
    "doit renvoyer toutes les forces mercenaires étrangères présentes sur son sol, à "
    "commencer par le groupe Wagner.",
    "doit juger les soldats maliens et les combattants de Wagner pour crimes de guerre et "
    "crimes contre l'humanité.",
]

# The demo's addressees (of the Mali report and of the manifest) in French and Arabic, as
# each begins a sentence. Filled in only where staff have not written a name of their own.
ADDRESSEE_NAMES = {
    "France": ("La France", "فرنسا"),
    "Mali": ("Le Mali", "مالي"),
    "The UN General Assembly": ("L'Assemblée générale de l'ONU", "الجمعية العامة للأمم المتحدة"),
    "The UN Security Council": ("Le Conseil de sécurité de l'ONU", "مجلس الأمن الدولي"),
    "The UN Human Rights Council": (
        "Le Conseil des droits de l'homme de l'ONU",
        "مجلس حقوق الإنسان التابع للأمم المتحدة",
    ),
    "The UN Secretary-General": ("Le Secrétaire général de l'ONU", "الأمين العام للأمم المتحدة"),
    "The International Criminal Court": (
        "La Cour pénale internationale",
        "المحكمة الجنائية الدولية",
    ),
    "The African Union": ("L'Union africaine", "الاتحاد الأفريقي"),
    "The Association of Southeast Asian Nations": (
        "L'Association des nations de l'Asie du Sud-Est",
        "رابطة دول جنوب شرق آسيا",
    ),
    "The government of Brazil": ("Le gouvernement du Brésil", "حكومة البرازيل"),
    "The government of Burkina Faso": ("Le gouvernement du Burkina Faso", "حكومة بوركينا فاسو"),
    "The government of Cameroon": ("Le gouvernement du Cameroun", "حكومة الكاميرون"),
    "The government of Democratic Republic of the Congo": (
        "Le gouvernement de la République démocratique du Congo",
        "حكومة جمهورية الكونغو الديمقراطية",
    ),
    "The government of Ethiopia": ("Le gouvernement de l'Éthiopie", "حكومة إثيوبيا"),
    "The government of India": ("Le gouvernement de l'Inde", "حكومة الهند"),
    "The government of Mali": ("Le gouvernement du Mali", "حكومة مالي"),
    "The government of Myanmar": ("Le gouvernement du Myanmar", "حكومة ميانمار"),
    "The government of Nigeria": ("Le gouvernement du Nigeria", "حكومة نيجيريا"),
    "The government of Sri Lanka": ("Le gouvernement du Sri Lanka", "حكومة سريلانكا"),
    "The government of Sudan": ("Le gouvernement du Soudan", "حكومة السودان"),
    "Civil society in Brazil": ("La société civile au Brésil", "المجتمع المدني في البرازيل"),
    "Civil society in Cameroon": ("La société civile au Cameroun", "المجتمع المدني في الكاميرون"),
    "Civil society in India": ("La société civile en Inde", "المجتمع المدني في الهند"),
    "Civil society in Sri Lanka": ("La société civile au Sri Lanka", "المجتمع المدني في سريلانكا"),
}

FOLLOW_LINKS = [
    (Platform.FACEBOOK, "https://www.facebook.com/GenocideWatch"),
    (Platform.X, "https://x.com/genocidewatch"),
    (Platform.YOUTUBE, "https://www.youtube.com/@genocidewatch"),
]


DEMO_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    b'<circle cx="32" cy="32" r="30" fill="#7a1f2b"/>'
    b'<path d="M9 32c6-10 14-15 23-15s17 5 23 15c-6 10-14 15-23 15S15 42 9 32z" fill="#fff"/>'
    b'<circle cx="32" cy="32" r="8" fill="#7a1f2b"/></svg>'
)

DEMO_NOTE = (
    "<p><em>Demonstration content: written for this demo, to be replaced by the "
    "organisation's own text.</em></p>"
)


def demo_pages():
    """(title, slug, menu, order, menu label, summary, body) of the demo's pages."""
    stages = "".join(
        f'<li><a href="{stage.get_absolute_url()}">Stage {stage.number}: {stage.name}</a>. '
        f"{stage.description}</li>"
        for stage in Stage.objects.order_by("number")
    )
    return [
        (
            "About us",
            "about",
            Page.Menu.HEADER,
            1,
            "About",
            "Who we are and why we warn of genocide before it happens.",
            "<p>We are a small team of researchers and advocates. We follow countries where "
            "one group of people is being set apart from, and then against, another, and we "
            "say so in public while there is still time to act.</p>"
            "<p>Our reports name what we see, where the country stands among the ten "
            "stages, and what governments, the United Nations and courts should do next.</p>",
        ),
        (
            "How we assess risk",
            "methodology",
            Page.Menu.HEADER,
            2,
            "Methodology",
            "The ten stages we look for, and how a report arrives at an alert level.",
            "<p>Genocide is a process, not a sudden event. We read each country against ten "
            "stages. They do not always come in order, and several can be under way at "
            "once; each report says which ones we find.</p>"
            f"<ol>{stages}</ol>"
            "<p>From the stages and the pace of events we give each country one of three "
            "alert levels: <strong>Watch</strong> when early signs appear, "
            "<strong>Warning</strong> when the process is under way, and "
            "<strong>Emergency</strong> when persecution or killing is happening or close.</p>",
        ),
        (
            "Support our work",
            "donate",
            Page.Menu.FOOTER,
            1,
            "Donate",
            "How gifts keep the research independent.",
            "<p>We take no money from governments whose conduct we report on. Gifts from "
            "people like you pay for research, translation and the alerts we send.</p>"
            "<p>To give, write to us (see Contact) and we will send the details.</p>",
        ),
        (
            "Contact",
            "contact",
            Page.Menu.FOOTER,
            2,
            "",
            "How to reach the team, and how to do it safely.",
            '<p>Write to <a href="mailto:contact@example.org">contact@example.org</a>. If '
            "writing to us could put you at risk, do not use an account linked to your name, "
            "and tell us how you would like us to reply.</p>",
        ),
        (
            "Get involved",
            "get-involved",
            Page.Menu.FOOTER,
            3,
            "",
            "Ways to help: share the reports, follow the alerts, volunteer.",
            "<ul><li>Subscribe to the email alerts for the countries you care about.</li>"
            "<li>Share a report with someone who can act on it.</li>"
            "<li>Offer us your language skills: we translate reports into French and "
            "Arabic.</li></ul>",
        ),
    ]


class Command(BaseCommand):
    help = (
        "Load the demo content (a Mali emergency alert with its PDF, and demonstration "
        "reports on other countries and years). Safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = self.load_follow_links()
        created += self.load_identity() + self.load_pages()
        if Report.objects.filter(slug=MALI_SLUG, translation_of__isnull=True).exists():
            self.stdout.write("Demo report already present; nothing to add.")
        else:
            with reversion.create_revision():
                reversion.set_comment("Demo content loaded.")
                self.load_mali_report()
            created += 1
        original = Report.objects.get(slug=MALI_SLUG, translation_of__isnull=True)
        if (
            not Report.objects.translations()
            .filter(translation_of=original, language="fr")
            .exists()
        ):
            with reversion.create_revision():
                reversion.set_comment("Demo content loaded: French translation.")
                self.load_mali_french(original)
            created += 1
        demo = importer.run(DEMO_MANIFEST, dry_run=False)
        if demo.refused:
            raise CommandError(f"The demonstration manifest has problems:\n{demo.text()}")
        created += demo.created
        self.name_addressees()
        self.stdout.write(
            f"Demonstration reports: {demo.created} added, {demo.present} already present."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({created} new rows)."))

    def name_addressees(self):
        """French and Arabic names for the demo's addressees, leaving staff's own alone."""
        for addressee in Addressee.objects.filter(name__in=ADDRESSEE_NAMES):
            translations = dict(addressee.translations or {})
            before = {language: dict(words) for language, words in translations.items()}
            for language, name in zip(("fr", "ar"), ADDRESSEE_NAMES[addressee.name], strict=True):
                words = dict(translations.get(language) or {})
                words["name"] = words.get("name") or name
                translations[language] = words
            if translations != before:
                addressee.translations = translations
                addressee.save(update_fields=["translations"])

    def load_follow_links(self):
        created = 0
        for order, (platform, url) in enumerate(FOLLOW_LINKS):
            _, new = FollowLink.objects.get_or_create(
                url=url, defaults={"platform": platform, "order": order}
            )
            created += new
        return created

    def load_identity(self):
        """The demo's identity, unless staff have already made it their own."""
        identity = Identity.current()
        if identity.description or identity.logo:
            return 0
        identity.description = (
            "Demonstration: an organisation that studies the early signs of genocide and "
            "warns the world while there is time to prevent it."
        )
        identity.accent_colour = "#7a1f2b"
        logos.set_logo(identity, ContentFile(DEMO_LOGO, name="logo.svg"))
        identity.save()
        return 1

    def load_pages(self):
        created = 0
        for title, slug, menu, order, label, summary, body in demo_pages():
            if Page.objects.filter(slug=slug).exists():
                continue
            with reversion.create_revision():
                reversion.set_comment("Demo content loaded.")
                Page.objects.create(
                    title=title,
                    slug=slug,
                    menu=menu,
                    menu_order=order,
                    menu_label=label,
                    summary=summary,
                    body=body + DEMO_NOTE,
                    status=Page.Status.PUBLISHED,
                )
            created += 1
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

    def load_mali_french(self, original):
        french = translations.create(original, language="fr")
        french.title = MALI_FRENCH_TITLE
        french.summary = MALI_FRENCH_SUMMARY
        french.body = "".join(f"<p>{paragraph}</p>" for paragraph in MALI_FRENCH_PARAGRAPHS)
        french.status = Report.Status.PUBLISHED
        french.published_at = datetime(2023, 12, 6, 9, 0, tzinfo=ZoneInfo("UTC"))
        french.translated_from_hash = translations.note_text(original)
        french.save()
        for recommendation, text in zip(
            french.recommendations.all(), MALI_FRENCH_RECOMMENDATIONS, strict=True
        ):
            recommendation.text = text
            recommendation.save()
