import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure a superuser named 'admin' exists. Its password comes from ADMIN_PASSWORD, "
        "or is generated and printed once, when the account is created."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("The admin account exists; its password is unchanged.")
            return
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        if os.environ.get("ADMIN_PASSWORD"):
            self.stdout.write(
                self.style.SUCCESS("Created the admin account (password from ADMIN_PASSWORD).")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the admin account. Username: admin  Password: {password}"
                )
            )
            self.stdout.write("Write the password down now: it is not shown again.")
