from django.apps import AppConfig


class GenocideWatchConfig(AppConfig):
    name = "genocidewatch"
    verbose_name = "Site"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from follow.models import FollowLink
        from reports.models import (
            Addressee,
            Attachment,
            Author,
            Authorship,
            Country,
            Recommendation,
            Report,
            Stage,
        )

        from .pagecache import content_changed

        # Everything a public page can show. A change to any of these retires all stored
        # pages; subscribers, deliveries and staff accounts are not shown and do not.
        for model in (
            Report,
            Authorship,
            Recommendation,
            Attachment,
            Stage,
            Country,
            Addressee,
            Author,
            FollowLink,
        ):
            post_save.connect(content_changed, sender=model, dispatch_uid=f"page-{model}")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"page-d-{model}")
        m2m_changed.connect(
            content_changed, sender=Report.stages.through, dispatch_uid="page-stages"
        )
