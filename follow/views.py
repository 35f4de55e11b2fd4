from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt

from audit.models import client_ip
from reports import serving
from reports.models import Report
from reports.views import visible_reports

from . import alerts, cards
from .forms import AlertPreferencesForm, SubscribeForm


def report_card(request, slug, version):
    report = get_object_or_404(visible_reports(request).select_related("country"), slug=slug)
    if version != cards.card_version(report):
        raise Http404("This card shows an older version of the report.")
    name = cards.stored_card(report)
    fieldfile = FieldFile(report, Report._meta.get_field("lead_image"), name)
    return serving.serve_file(
        request,
        fieldfile,
        content_type="image/png",
        download_name=f"{report.slug}.png",
        version=version,
        last_modified=report.updated_at,
        private=not report.is_public,
    )


def subscribe(request):
    initial = {
        "what": request.GET.get("what", "all"),
        "countries": request.GET.getlist("countries"),
    }
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            alerts.check_rate(email, client_ip(request) or "unknown")
        except alerts.RateLimited:
            response = render(request, "follow/rate_limited.html", status=429)
            response["Retry-After"] = "3600"
            return response
        alerts.request_subscription(email=email, prefs=form.preferences())
        return redirect("follow:sent")
    return render(request, "follow/subscribe.html", {"form": form})


def sent(request):
    return render(request, "follow/sent.html")


def confirm(request, token):
    data = alerts.read_token("confirm", token, max_age=alerts.CONFIRM_MAX_AGE)
    if data is None:
        return render(request, "follow/link_expired.html", status=400)
    if request.method == "POST":
        subscriber = alerts.confirm(data)
        return render(request, "follow/confirmed.html", {"subscriber": subscriber})
    return render(request, "follow/confirm.html", {"email": data["email"]})


def manage(request, token):
    subscriber = alerts.subscriber_from("manage", token)
    if subscriber is None:
        return render(request, "follow/link_expired.html", status=400)
    form = AlertPreferencesForm(
        request.POST or None, initial=AlertPreferencesForm.initial_for(subscriber)
    )
    if request.method == "POST" and form.is_valid():
        alerts.apply_preferences(subscriber, form.preferences())
        return render(request, "follow/saved.html", {"subscriber": subscriber})
    return render(request, "follow/manage.html", {"form": form, "subscriber": subscriber})


# Mail programs send the one-click unsubscribe as a bare POST (RFC 8058), without the
# site's CSRF cookie; the signed link itself is the proof that the request is genuine.
@csrf_exempt
def unsubscribe(request, token):
    subscriber = alerts.subscriber_from("unsubscribe", token)
    if request.method == "POST":
        if subscriber is not None:
            subscriber.delete()
        return render(request, "follow/unsubscribed.html")
    if subscriber is None:
        return render(request, "follow/unsubscribed.html")
    return render(request, "follow/unsubscribe.html", {"subscriber": subscriber})
