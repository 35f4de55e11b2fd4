from functools import wraps

from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt

from genocidewatch.clients import client_ip

from . import subscriptions
from .forms import AlertPreferencesForm, SubscribeForm


def private(view):
    """For pages that show a subscriber's address: kept by no cache, the site's own and
    nginx included (both store only what is marked public), nor by the browser."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapped


def subscribe(request):
    initial = {
        "what": request.GET.get("what", "all"),
        "countries": request.GET.getlist("countries"),
        # Emails in the language of the page the reader subscribed on, unless they choose.
        "language": get_language(),
    }
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            subscriptions.check_rate(email, client_ip(request) or "unknown")
        except subscriptions.RateLimited:
            response = render(request, "alerts/rate_limited.html", status=429)
            response["Retry-After"] = "3600"
            return response
        subscriptions.request_subscription(email=email, prefs=form.preferences())
        return redirect("alerts:sent")
    return render(request, "alerts/subscribe.html", {"form": form})


def sent(request):
    return render(request, "alerts/sent.html")


@private
def confirm(request, token):
    data = subscriptions.read_token("confirm", token, max_age=subscriptions.CONFIRM_MAX_AGE)
    if data is None:
        return render(request, "alerts/link_expired.html", status=400)
    if request.method == "POST":
        subscriber = subscriptions.confirm(data)
        return render(request, "alerts/confirmed.html", {"subscriber": subscriber})
    return render(request, "alerts/confirm.html", {"email": data["email"]})


@private
def manage(request, token):
    subscriber = subscriptions.subscriber_from("manage", token)
    if subscriber is None:
        return render(request, "alerts/link_expired.html", status=400)
    form = AlertPreferencesForm(
        request.POST or None, initial=AlertPreferencesForm.initial_for(subscriber)
    )
    if request.method == "POST" and form.is_valid():
        subscriptions.apply_preferences(subscriber, form.preferences())
        return render(request, "alerts/saved.html", {"subscriber": subscriber})
    return render(request, "alerts/manage.html", {"form": form, "subscriber": subscriber})


# Mail programs send the one-click unsubscribe as a bare POST (RFC 8058), without the
# site's CSRF cookie; the signed link itself is the proof that the request is genuine.
@csrf_exempt
@private
def unsubscribe(request, token):
    subscriber = subscriptions.subscriber_from("unsubscribe", token)
    if request.method == "POST":
        if subscriber is not None:
            subscriber.delete()
        return render(request, "alerts/unsubscribed.html")
    if subscriber is None:
        return render(request, "alerts/unsubscribed.html")
    return render(request, "alerts/unsubscribe.html", {"subscriber": subscriber})
