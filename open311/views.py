"""GeoReport v2 endpoints: each reads its input (400 on bad input), checks the key, answers.

Every call is journaled (`foundation.journal`), keyed calls are rate limited per key.
"""

from __future__ import annotations

import datetime
import functools
import re
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from foundation import journal
from foundation.numbers import whole_number
from observations.ratelimit import hit as count_hit
from open311 import formats, permissions, selectors, services
from open311.models import Submission

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The date of the last change of this API's behaviour (discovery's `changeset`).
CHANGESET = datetime.datetime(2026, 12, 5, tzinfo=datetime.UTC)
API_CALL = "open311_call"
ATTRIBUTE = re.compile(r"^attribute\[([\w-]+)\]$")


def _mask_key(request) -> None:
    """Keep the key out of the journal: what records the path reads it without the key."""
    query = request.META.get("QUERY_STRING", "")
    if "api_key" in query:
        request.GET  # noqa: B018 - parsed (with the key) before the query string is rewritten
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "api_key"]
        request.META["QUERY_STRING"] = urlencode([*kept, ("api_key", "***")])


def api(*, key: str = "optional", methods: tuple[str, ...] = ("GET",)):
    """Wrap an endpoint: method, key (`required`, `optional`), rate limit, journal, key's last use.

    A key that is given must be valid, even where none is needed: a partner learns at once
    that its key was revoked.
    """

    def _refusal(request, api_key, needs_key: bool, fmt: str) -> HttpResponse | None:
        """The answer refusing the call (method, key, rate), or None to let it through."""
        if request.method not in methods:
            return formats.error(400, _("Méthode non prise en charge."), fmt)
        if api_key is None:
            if needs_key:
                return formats.error(
                    403, _("Clé d'API (api_key) absente, inconnue ou révoquée."), fmt
                )
            return None
        limit, period = settings.OPEN311_RATE_LIMIT
        wait = count_hit("open311", api_key.pk, limit, period)
        if wait is not None:
            response = formats.error(
                429,
                _("Trop de demandes : patientez %(seconds)s secondes.") % {"seconds": wait},
                fmt,
            )
            response["Retry-After"] = str(wait)
            return response
        services.api_key_touch(api_key=api_key, now=timezone.now())
        return None

    def decorator(view):
        @csrf_exempt
        @login_not_required
        @functools.wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            params = request.POST if request.method == "POST" else request.GET
            raw_key = params.get("api_key", "")
            api_key = permissions.key_from(raw_key)
            _mask_key(request)
            response = _refusal(request, api_key, bool(raw_key) or key == "required", fmt)
            if response is None:
                response = view(request, *args, api_key=api_key, fmt=fmt, **kwargs)
            journal.record(
                API_CALL,
                target=api_key,
                actor_label=api_key.partner if api_key else "",
                endpoint=view.__name__,
                method=request.method,
                status=response.status_code,
            )
            return response

        return wrapper

    return decorator


@api()
def discovery(request, *, api_key, fmt):
    changeset = formats.iso(CHANGESET)
    url = (
        request.build_absolute_uri(reverse("open311:discovery", args=["json"])).rsplit("/", 1)[0]
        + "/"
    )
    data = {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT or str(_("Contactez l'administrateur de l'intranet.")),
        "key_service": str(
            _("Les clés sont créées par l'administrateur de l'intranet, par partenaire.")
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return formats.respond(data, fmt, root="discovery")


@api()
def service_list(request, *, api_key, fmt):
    return formats.respond(selectors.services(), fmt, root="services")


@api()
def service_definition(request, code: str, *, api_key, fmt):
    category = selectors.active_category(code)
    if category is None:
        return formats.error(404, _("Service inconnu : %(code)s") % {"code": code}, fmt)
    return formats.respond(selectors.service_definition(category), fmt, root="service_definition")


def _moment(raw: str, name: str) -> datetime.datetime | None:
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise selectors.BadQuery(
            _("%(name)s doit être une date ISO 8601 (2026-12-05T10:00:00+01:00).") % {"name": name}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _whole(raw: str, name: str, default: int) -> int:
    if not raw:
        return default
    number = whole_number(raw)
    if number is None:
        raise selectors.BadQuery(_("%(name)s doit être un nombre entier.") % {"name": name})
    return number


@api(methods=("GET", "POST"), key="required")
def requests(request, *, api_key, fmt):
    if request.method == "POST":
        return _submit(request, api_key, fmt)
    params = request.GET
    ids = params.get("service_request_id")
    try:
        observations = selectors.filter_requests(
            selectors.with_details(permissions.requests_visible_to(api_key)),
            ids=ids.split(",") if ids else None,
            service_code=params.get("service_code", ""),
            status=params.get("status", ""),
            start=_moment(params.get("start_date", ""), "start_date"),
            end=_moment(params.get("end_date", ""), "end_date"),
            now=timezone.now(),
            page=_whole(params.get("page", ""), "page", 1),
            page_size=_whole(params.get("page_size", ""), "page_size", selectors.MAX_RESULTS),
        )
    except selectors.BadQuery as error:
        return formats.error(400, str(error), fmt)
    data = [selectors.request_data(observation) for observation in observations]
    return formats.respond(data, fmt, root="service_requests")


@api(key="required")
def request_detail(request, pk: int, *, api_key, fmt):
    observation = (
        selectors.with_details(permissions.requests_visible_to(api_key)).filter(pk=pk).first()
    )
    if observation is None:
        return formats.error(404, _("Demande introuvable : %(id)s") % {"id": pk}, fmt)
    return formats.respond([selectors.request_data(observation)], fmt, root="service_requests")


@api(key="required")
def token_detail(request, token: str, *, api_key, fmt):
    submission = (
        Submission.objects.filter(token=token, api_key=api_key).first()
        if re.fullmatch(r"[0-9a-fA-F-]{32,36}", token)
        else None
    )
    if submission is None:
        return formats.error(404, _("Jeton inconnu : %(token)s") % {"token": token}, fmt)
    if submission.state == Submission.State.REFUSED:
        return formats.error(400, submission.error, fmt)
    data = [
        {"service_request_id": str(submission.observation_id or ""), "token": str(submission.token)}
    ]
    return formats.respond(data, fmt, root="service_requests")


def _submit(request, api_key, fmt):
    params = request.POST
    category = selectors.active_category(params.get("service_code", ""))
    if category is None:
        return formats.error(400, _("service_code absent ou inconnu."), fmt)
    description = params.get("description", "")
    if len(description) > services.MAX_DESCRIPTION:
        return formats.error(400, _("description dépasse 4000 caractères."), fmt)
    media_url = params.get("media_url", "").strip()
    given = {m.group(1): value for name, value in params.items() if (m := ATTRIBUTE.match(name))}
    try:
        if media_url and not media_url.startswith(("http://", "https://")):
            raise services.Refused(_("media_url doit être une adresse http ou https."))
        answers = services.check_attributes(category, given)
        location = services.locate(
            api_key=api_key,
            lat=params.get("lat", ""),
            long=params.get("long", ""),
            address=params.get("address_string", ""),
        )
        submission = services.submit(
            api_key=api_key, category=category, location=location, description=description,
            answers=answers, media_url=media_url,
        )  # fmt: skip
    except services.Refused as error:
        return formats.error(400, str(error), fmt)
    answer = {
        "token": str(submission.token),
        "service_notice": "",
        "account_id": "",
    }
    if submission.observation_id:
        answer = {"service_request_id": str(submission.observation_id), **answer}
    return formats.respond([answer], fmt, root="service_requests")
