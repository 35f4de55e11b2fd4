from django.contrib import admin
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

# django-otp-webauthn leaves this to the project: superusers remove a lost passkey here.
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
