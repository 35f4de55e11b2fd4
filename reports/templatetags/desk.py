from django import template

from ..desk import desk_for
from ..times import local_and_utc as _local_and_utc

register = template.Library()

# Apps that keep the site running rather than say anything: grouped after the content.
TECHNICAL_APPS = {
    "auth",
    "axes",
    "otp_totp",
    "otp_static",
    "django_otp_webauthn",
    "django_tasks_database",
    "audit",
    "reversion",
}


@register.simple_tag(takes_context=True)
def desk(context):
    return desk_for(context["request"].user)


@register.filter
def local_and_utc(moment):
    return _local_and_utc(moment)


@register.filter
def content_apps(app_list):
    return [app for app in app_list if app["app_label"] not in TECHNICAL_APPS]


@register.filter
def technical_apps(app_list):
    return [app for app in app_list if app["app_label"] in TECHNICAL_APPS]
