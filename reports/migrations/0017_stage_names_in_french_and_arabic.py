"""The ten stages of genocide in French and Arabic, written for this site from the English
descriptions of 0002_ten_stages.

Only empty words are filled: whatever staff already wrote in the admin stays. Going back
removes a word only if it is still the one this migration wrote.
"""

from django.db import migrations

# number: {language: {"name": …, "description": …}}
STAGES = {
    1: {
        "fr": {
            "name": "Classification",
            "description": "On range les gens en « nous » et « eux » selon l'ethnie, la "
            "religion, la race ou la nationalité, et la frontière entre les groupes se durcit.",
        },
        "ar": {
            "name": "التصنيف",
            "description": "يُقسَّم الناس إلى «نحن» و«هم» على أساس الانتماء الإثني أو الدين "
            "أو العرق أو الجنسية، ويزداد الحد الفاصل بين الجماعات رسوخًا.",
        },
    },
    2: {
        "fr": {
            "name": "Symbolisation",
            "description": "Chaque groupe se voit attribuer des noms, des vêtements, des "
            "couleurs ou des insignes, qui peuvent être imposés au groupe que l'on désigne.",
        },
        "ar": {
            "name": "الترميز",
            "description": "تُلصَق بكل جماعة أسماء أو أزياء أو ألوان أو شارات، وقد تُفرَض "
            "فرضًا على الجماعة التي تُستهدَف.",
        },
    },
    3: {
        "fr": {
            "name": "Discrimination",
            "description": "Un groupe dominant se sert de la loi, de la coutume et du pouvoir "
            "pour priver un autre groupe de ses droits, de sa citoyenneté ou de sa place dans "
            "la vie publique.",
        },
        "ar": {
            "name": "التمييز",
            "description": "تستخدم جماعة مهيمنة القانون والعرف والسلطة لحرمان جماعة أخرى من "
            "حقوقها أو من جنسيتها أو من مكانها في الحياة العامة.",
        },
    },
    4: {
        "fr": {
            "name": "Déshumanisation",
            "description": "Le groupe visé est présenté comme de la vermine, une maladie ou une "
            "menace, par une propagande et des discours de haine qui font paraître acceptable "
            "la violence contre lui.",
        },
        "ar": {
            "name": "نزع الصفة الإنسانية",
            "description": "تُصوَّر الجماعة المستهدفة على أنها حشرات ضارة أو وباء أو خطر، "
            "من خلال دعاية وخطاب كراهية يجعلان العنف ضدها يبدو أمرًا مقبولًا.",
        },
    },
    5: {
        "fr": {
            "name": "Organisation",
            "description": "Des armées, des milices ou des unités spéciales sont constituées, "
            "entraînées et armées, souvent rattachées à l'État par des liens qu'il peut nier, "
            "et des plans de tuerie sont établis.",
        },
        "ar": {
            "name": "التنظيم",
            "description": "تُشكَّل جيوش أو ميليشيات أو وحدات خاصة وتُدرَّب وتُسلَّح، وكثيرًا "
            "ما تربطها بالدولة صلات يمكن إنكارها، وتوضع خطط للقتل.",
        },
    },
    6: {
        "fr": {
            "name": "Polarisation",
            "description": "Des extrémistes dressent les groupes l'un contre l'autre : les "
            "modérés sont réduits au silence, intimidés ou tués, et les contacts entre les "
            "groupes sont interdits ou rendus dangereux.",
        },
        "ar": {
            "name": "الاستقطاب",
            "description": "يدفع المتطرفون الجماعات إلى التباعد: يُسكَت المعتدلون أو يُرهَبون "
            "أو يُقتَلون، ويُمنَع التواصل بين الجماعات أو يصبح محفوفًا بالخطر.",
        },
    },
    7: {
        "fr": {
            "name": "Préparation",
            "description": "Les dirigeants planifient la destruction d'un groupe, en parlent "
            "par euphémismes, rassemblent troupes et armes, et attisent la peur des victimes.",
        },
        "ar": {
            "name": "الإعداد",
            "description": "يخطط القادة لتدمير جماعة ويتحدثون عن ذلك بعبارات ملطّفة، "
            "ويحشدون القوات والأسلحة، ويؤججون الخوف من الضحايا.",
        },
    },
    8: {
        "fr": {
            "name": "Persécution",
            "description": "Les membres du groupe sont recensés et leurs biens saisis ; ils "
            "sont expulsés, enfermés, affamés ou attaqués, et des massacres peuvent commencer.",
        },
        "ar": {
            "name": "الاضطهاد",
            "description": "يُحدَّد أفراد الجماعة وتُصادَر ممتلكاتهم، ثم يُطرَدون أو "
            "يُحتجَزون أو يُجوَّعون أو يُهاجَمون، وقد تبدأ المجازر.",
        },
    },
    9: {
        "fr": {
            "name": "Extermination",
            "description": "Tuerie de masse : le groupe est délibérément assassiné ou détruit, "
            "et les tueurs nient que leurs victimes soient pleinement humaines.",
        },
        "ar": {
            "name": "الإبادة",
            "description": "قتل جماعي: تُقتَل الجماعة أو تُدمَّر عمدًا، وينكر القتلة أن "
            "ضحاياهم بشر كاملو الإنسانية.",
        },
    },
    10: {
        "fr": {
            "name": "Déni",
            "description": "Les auteurs et leurs héritiers nient que quoi que ce soit ait eu "
            "lieu, détruisent les preuves, accusent les victimes et échappent à la justice.",
        },
        "ar": {
            "name": "الإنكار",
            "description": "ينكر الجناة وورثتهم أن شيئًا قد حدث، ويتلفون الأدلة، ويلومون "
            "الضحايا، ويفلتون من العدالة.",
        },
    },
}


def fill_in(apps, schema_editor):
    Stage = apps.get_model("reports", "Stage")
    for stage in Stage.objects.filter(number__in=STAGES):
        translations = dict(stage.translations or {})
        changed = False
        for language, words in STAGES[stage.number].items():
            given = dict(translations.get(language) or {})
            for field, value in words.items():
                if not given.get(field):
                    given[field] = value
                    changed = True
            translations[language] = given
        if changed:
            stage.translations = translations
            stage.save(update_fields=["translations"])


def take_out(apps, schema_editor):
    Stage = apps.get_model("reports", "Stage")
    for stage in Stage.objects.filter(number__in=STAGES):
        translations = dict(stage.translations or {})
        changed = False
        for language, words in STAGES[stage.number].items():
            given = dict(translations.get(language) or {})
            for field, value in words.items():
                if given.get(field) == value:  # staff's own words stay
                    del given[field]
                    changed = True
            if given:
                translations[language] = given
            else:
                translations.pop(language, None)
        if changed:
            stage.translations = translations
            stage.save(update_fields=["translations"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0016_merge_parallel_work")]

    operations = [migrations.RunPython(fill_in, take_out)]
