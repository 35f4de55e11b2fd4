from django.apps import AppConfig


class GenocideWatchConfig(AppConfig):
    name = "genocidewatch"
    verbose_name = "Site"

    def ready(self):
        from . import effects

        effects.wire()
