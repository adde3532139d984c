"""Object-level access over EVERY URL pattern: another quartier's objects answer 404.

The test walks the URL resolver. Each pattern that takes an object (pk, slug, token...) must
be listed in `OBJECT_URLS` (how to fill its parameters with objects of Sud) or in `EXEMPT`
(with the reason); a new pattern that is in neither fails `test_every_pattern_is_covered`, so
no view is forgotten. For each role whose reach ends at Ouest, every such URL answers 404
(or 405 when the method is refused before any lookup), in GET and in POST. Patterns without
an object answer 200, 302, 403 or 404 for every role, never a 500.

Sud's world is built directly in the database with every object "as visible as possible"
(published, escalated, assigned to a service) so that only the quartier scoping can hide it;
a Sud member and an administrator must reach the detail pages (the objects are real).
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from teams.models import Membership, Service
from tests.teams.factories import join, make_agent

# Roles whose reach ends at Ouest (tests/conftest.py personas); the responsable manages the
# technical service, and Sud's objects are assigned to another one.
SCOPED_ROLES = ["agent", "chef", "elu", "responsable"]
# Roles that read every quartier: checked for "no 500" only.
WIDE_ROLES = ["direction", "maire", "admin", "outsider"]

EXEMPT = {
    # Directory open to every signed-in person (DESIGN: orienting is everybody's job).
    "teams:service_detail": "le répertoire des services est ouvert à toute personne connectée",
    # The parameter is a kind (agent, quartier, externe), not an object; what it finds is scoped
    # by the person (teams.access.*_offered_to), tested in tests/teams/test_agent_picker.py.
    "teams:choice_box": "le paramètre est une sorte de choix, pas un objet ; la recherche est bornée par personne",
    # Open data: published diagnostics' aggregated indicators, public by design, small counts
    # suppressed (tests/diagnostics/test_opendata.py).
    "opendata:csv": "données ouvertes publiques : agrégats des diagnostics publiés, secret statistique",
    "opendata:json": "données ouvertes publiques : agrégats des diagnostics publiés, secret statistique",
    # Capability URL read by calendar apps without a session: the secret token is the access.
    "meetings:feed": "flux iCalendar authentifié par un jeton secret, sans session",
    # allauth's own links, authenticated by their one-time key.
    "account_confirm_email": "lien à usage unique d'allauth (clé signée)",
    "account_reset_password_from_key": "lien à usage unique d'allauth (clé signée)",
    # The OpenID Connect callback: the parameter names the provider (settings), not an object;
    # the person is the one the provider vouches for (tests/e2e/test_sso_oidc.py).
    "sso_oidc_callback": "retour du fournisseur d'identité ; le paramètre nomme le fournisseur",
    "openid_connect_login": "départ vers le fournisseur d'identité ; le paramètre nomme le fournisseur",
    "openid_connect_callback": "retour du fournisseur d'identité ; le paramètre nomme le fournisseur",
    # Open311: partner systems with an API key, no person; the format is the only parameter
    # of most (tests/open311/test_access.py: scope of a key, confidential never shown).
    "open311:discovery": "API Open311 des partenaires : accès par clé (pas de session), portée de la clé et absence des observations confidentielles testées dans tests/open311/test_access.py",
    "open311:services": "API Open311 des partenaires : accès par clé (pas de session), portée de la clé et absence des observations confidentielles testées dans tests/open311/test_access.py",
    "open311:service": "API Open311 des partenaires : accès par clé (pas de session), portée de la clé et absence des observations confidentielles testées dans tests/open311/test_access.py",
    "open311:requests": "API Open311 des partenaires : accès par clé (pas de session), portée de la clé et absence des observations confidentielles testées dans tests/open311/test_access.py",
    "open311:request": "API Open311 des partenaires : accès par clé (pas de session), portée de la clé et absence des observations confidentielles testées dans tests/open311/test_access.py",
    "open311:token": "API Open311 des partenaires : accès par clé (pas de session), portée de la clé et absence des observations confidentielles testées dans tests/open311/test_access.py",
}

_counter = itertools.count(1)


def make(model, **overrides):
    """A minimal valid instance: required fields filled, relations resolved by `overrides`."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in overrides:
            continue
        if field.has_default() or field.null or getattr(field, "auto_now", False):
            continue
        if getattr(field, "auto_now_add", False):
            continue
        if field.blank and isinstance(field, models.CharField | models.TextField):
            continue  # "" is valid
        if isinstance(field, models.ForeignKey):
            raise LookupError(f"{model.__name__}.{field.name} must be given")
        n = next(_counter)
        if field.choices:
            values[field.name] = field.choices[0][0]
        elif isinstance(field, models.SlugField):
            values[field.name] = f"sud-{model.__name__.lower()}-{n}"
        elif isinstance(field, models.EmailField):
            values[field.name] = f"sud{n}@test.example"
        elif isinstance(field, models.CharField | models.TextField):
            values[field.name] = (f"Sud {model._meta.verbose_name} {n}")[: field.max_length or 200]
        elif isinstance(field, models.DateTimeField):
            values[field.name] = timezone.now() - datetime.timedelta(days=2)
        elif isinstance(field, models.DateField):
            values[field.name] = timezone.localdate() - datetime.timedelta(days=2)
        elif isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            values[field.name] = 30
        elif isinstance(field, models.BooleanField):
            values[field.name] = False
        elif isinstance(field, models.JSONField):
            values[field.name] = {}
        elif isinstance(field, models.FileField):
            continue
        else:
            raise LookupError(f"{model.__name__}.{field.name}: no filler for {type(field)}")
    values.update(overrides)
    return model.objects.create(**values)


def model(label: str):
    return apps.get_model(label)


@pytest.fixture
def sud_world(personas, sud, services) -> dict:
    """One object of each kind in Sud, at its most visible."""
    culture = Service.objects.create(name="Culture", slug="culture")
    sud_agent = personas["outsider"]  # a member of Sud's team
    sud_chef = make_agent("chef.sud@test.example", service=culture)
    join(sud_chef, sud, Membership.Role.CHEF_DE_PROJET)
    sud_member = make_agent("membre.sud@test.example", service=culture)
    membership = join(sud_member, sud)
    world = {
        "quartier": sud,
        "agent": sud_member,
        "membership": membership,
    }
    now = timezone.now()

    Observation = model("observations.Observation")
    category = model("observations.Category").objects.first() or make(
        model("observations.Category")
    )
    observation = make(
        Observation,
        quartier=sud,
        author=sud_agent,
        category=category,
        service=culture,
        status=Observation.Status.SENT,
        **(
            {"priority": None}
            if any(f.name == "priority" for f in Observation._meta.fields)
            else {}
        ),
    )
    photo_model = model("observations.Photo")
    photo = make(photo_model, observation=observation, uploaded_by=sud_agent)
    for name in ("image", "file", "photo", "content"):
        if hasattr(photo, name) and isinstance(photo_model._meta.get_field(name), models.FileField):
            getattr(photo, name).save("sud.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=True)
    for name in ("thumbnail",):
        if hasattr(photo, name):
            getattr(photo, name).save("sud-thumb.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=True)
    escalation = make(
        model("observations.Escalation"), observation=observation, escalated_by=sud_chef
    )
    digest = make(model("observations.EscalationDigest"), month=timezone.localdate().replace(day=1))
    world.update(observation=observation, photo=photo, escalation=escalation, digest=digest)

    Meeting = model("meetings.Meeting")
    meeting = make(
        Meeting,
        kind=Meeting.Kind.EQUIPE,
        quartier=sud,
        organiser=sud_chef,
        start=now - datetime.timedelta(days=3),
        end=now - datetime.timedelta(days=3, hours=-2),
        status=Meeting.Status.MINUTES_PUBLISHED,
        agenda_version=1,
        minutes_version=1,
    )
    invitation = make(model("meetings.Invitation"), meeting=meeting, agent=sud_agent)
    item = make(model("meetings.AgendaItem"), meeting=meeting, proposed_by=sud_agent)
    action = make(
        model("meetings.Action"), meeting=meeting, quartier=sud, owner=sud_agent, agenda_item=item
    )
    agenda_doc = make(model("meetings.AgendaDocument"), meeting=meeting, version=1, status="ready")
    minutes_doc = make(
        model("meetings.MinutesDocument"), meeting=meeting, version=1, status="ready"
    )
    for doc in (agenda_doc, minutes_doc):
        doc.store(b"%PDF-1.7 sud", "sud.pdf")
        doc.save()
    group = make(model("meetings.WorkingGroup"), name="Accueil des familles (Sud)")
    group.quartiers.add(sud)
    group.members.add(sud_agent)
    world.update(
        working_group=group,
        meeting=meeting,
        invitation=invitation,
        item=item,
        action=action,
        agenda_doc=agenda_doc,
        minutes_doc=minutes_doc,
    )

    # Bookings: Sud's place, its equipment for Sud's team, a booking by a Sud member.
    place = make(model("bookings.Place"), name="MSP Sud", slug="msp-sud")
    place.quartiers.add(sud)
    resource = make(model("bookings.Resource"), place=place, kind="vehicle", name="Véhicule Sud")
    booking = make(
        model("bookings.Booking"),
        resource=resource,
        booker=sud_agent,
        start=now + datetime.timedelta(days=1),
        end=now + datetime.timedelta(days=1, hours=2),
    )
    world.update(place=place, resource=resource, booking=booking)

    Diagnostic = model("diagnostics.Diagnostic")
    diagnostic = make(
        Diagnostic,
        quartier=sud,
        created_by=sud_chef,
        year=timezone.localdate().year - 1,
        status=Diagnostic.Status.PUBLISHED,
    )
    section = make(model("diagnostics.Section"), diagnostic=diagnostic)
    contribution = make(
        model("diagnostics.Contribution"), diagnostic=diagnostic, section=section, author=sud_agent
    )
    version = make(
        model("diagnostics.DiagnosticVersion"),
        diagnostic=diagnostic,
        number=1,
        published_by=sud_chef,
    )
    document = make(
        model("diagnostics.DiagnosticDocument"),
        diagnostic=diagnostic,
        version=version,
        status="ready",
        snapshot={"quartier": sud.name, "year": diagnostic.year, "version": 1},
    )
    document.store(b"%PDF-1.7 sud", "sud.pdf")
    document.save()
    world.update(
        diagnostic=diagnostic,
        section=section,
        contribution=contribution,
        version=version,
        diagnostic_doc=document,
    )
    walk_start = timezone.now() - datetime.timedelta(days=2)
    walk = make(
        model("walks.Walk"),
        quartier=sud,
        organiser=sud_chef,
        start=walk_start,
        end=walk_start + datetime.timedelta(hours=2),
        status="done",
    )
    walk_report = make(model("walks.WalkReport"), walk=walk, status="ready")
    walk_report.store(b"%PDF-1.7 sud", "sud-marche.pdf")
    walk_report.save()
    world.update(walk=walk, walk_stop=make(model("walks.Stop"), walk=walk), walk_report=walk_report)
    world.update(_sud_documents(sud, sud_agent))
    return world


def _sud_documents(sud, sud_agent) -> dict:
    """Sud's document space, a folder and a document with one version (a file on disk)."""
    space = make(model("documents.Space"), quartier=sud)
    folder = make(model("documents.Folder"), space=space)
    document = make(model("documents.Document"), space=space, folder=folder, created_by=sud_agent)
    version = model("documents.DocumentVersion")(
        document=document, number=1, original_name="sud.pdf", content_type="application/pdf",
        extension="pdf", size=12, checksum="0" * 64, uploaded_by=sud_agent,
    )  # fmt: skip
    version.file.save("sud.pdf", ContentFile(b"%PDF-1.7 sud"), save=True)
    document.current_version = version
    document.save()
    return {"doc_space": space, "doc": document, "doc_version": version}


def object_urls(w: dict) -> dict[str, dict]:
    """URL name -> kwargs, filled with Sud's objects (for the patterns that exist now)."""
    existing = {name for name, _ in all_patterns()}
    return {name: kwargs for name, kwargs in _object_urls(w).items() if name in existing}


def _object_urls(w: dict) -> dict[str, dict]:
    m, o, d = w["meeting"].pk, w["observation"].pk, w["diagnostic"].pk
    slug = w["quartier"].slug
    return {
        "teams:quartier_detail": {"slug": slug},
        "teams:team_manage": {"slug": slug},
        "teams:membership_end": {"slug": slug, "pk": w["membership"].pk},
        "teams:agent_detail": {"pk": w["agent"].pk},
        "teams:agent_photo": {"pk": w["agent"].pk},
        "observations:detail": {"pk": o},
        "observations:edit": {"pk": o},
        "observations:comment": {"pk": o},
        "observations:triage": {"pk": o},
        "observations:status": {"pk": o},
        "observations:merge": {"pk": o},
        "observations:escalate": {"pk": o},
        "observations:photos": {"pk": o},
        "observations:photo": {"pk": o, "photo_pk": w["photo"].pk},
        "observations:photo_thumbnail": {"pk": o, "photo_pk": w["photo"].pk},
        "observations:photo_remove": {"pk": o, "photo_pk": w["photo"].pk},
        "observations:escalation_answer": {"pk": w["escalation"].pk},
        "observations:digest_status": {"pk": w["digest"].pk},
        "observations:digest_download": {"pk": w["digest"].pk},
        "observations:digest_retry": {"pk": w["digest"].pk},
        "meetings:quartier_calendar": {"slug": slug},
        "meetings:plan_year": {"slug": slug},
        "meetings:actions_board": {"slug": slug},
        "meetings:action_status": {"action_pk": w["action"].pk},
        "meetings:working_group_edit": {"pk": w["working_group"].pk},
        "meetings:detail": {"pk": m},
        "meetings:calendar_file": {"pk": m},
        "meetings:edit": {"pk": m},
        "meetings:cancel": {"pk": m},
        "meetings:rsvp": {"pk": m},
        "meetings:invitations": {"pk": m},
        "meetings:invitation_remove": {"pk": m, "invitation_pk": w["invitation"].pk},
        "meetings:attendance": {"pk": m},
        "meetings:agenda": {"pk": m},
        "meetings:agenda_publish": {"pk": m},
        "meetings:item_edit": {"pk": m, "item_pk": w["item"].pk},
        "meetings:item_decide": {"pk": m, "item_pk": w["item"].pk},
        "meetings:item_merge": {"pk": m, "item_pk": w["item"].pk},
        "meetings:minutes": {"pk": m},
        "meetings:minutes_publish": {"pk": m},
        "meetings:action_delete": {"pk": m, "action_pk": w["action"].pk},
        "meetings:document_status": {
            "pk": m,
            "kind": "ordre-du-jour",
            "document_pk": w["agenda_doc"].pk,
        },
        "meetings:document_retry": {
            "pk": m,
            "kind": "ordre-du-jour",
            "document_pk": w["agenda_doc"].pk,
        },
        "meetings:resend_unserved": {"pk": m, "kind": "agenda"},
        "meetings:document_download": {
            "pk": m,
            "kind": "compte-rendu",
            "document_pk": w["minutes_doc"].pk,
        },
        "bookings:place": {"slug": w["place"].slug},
        "bookings:place_edit": {"slug": w["place"].slug},
        "bookings:resource_create": {"slug": w["place"].slug},
        "bookings:resource": {"pk": w["resource"].pk},
        "bookings:resource_edit": {"pk": w["resource"].pk},
        "bookings:book": {"pk": w["resource"].pk},
        "bookings:cancel": {"pk": w["booking"].pk},
        "diagnostics:detail": {"pk": d},
        "diagnostics:transition": {"pk": d},
        "diagnostics:section_edit": {"pk": d, "section_pk": w["section"].pk},
        "diagnostics:contribute": {"pk": d, "section_pk": w["section"].pk},
        "diagnostics:contribution_decide": {"pk": d, "contribution_pk": w["contribution"].pk},
        "diagnostics:document_request": {"pk": d},
        "diagnostics:version": {"pk": d, "number": w["version"].number},
        "diagnostics:version_pdf": {"pk": d, "number": w["version"].number},
        "diagnostics:document_status": {"job_pk": w["diagnostic_doc"].pk},
        "diagnostics:document_retry": {"job_pk": w["diagnostic_doc"].pk},
        "diagnostics:document_download": {"job_pk": w["diagnostic_doc"].pk},
        **_walk_urls(w),
        **_document_urls(w),
    }


def _document_urls(w: dict) -> dict[str, dict]:
    space, doc, version = w["doc_space"].pk, w["doc"].pk, w["doc_version"].pk
    return {
        "documents:space": {"pk": space},
        "documents:create": {"pk": space},
        "documents:folder_create": {"pk": space},
        "documents:bin": {"pk": space},
        "documents:detail": {"pk": doc},
        "documents:edit": {"pk": doc},
        "documents:version_upload": {"pk": doc},
        "documents:download": {"pk": doc, "version_pk": version},
        "documents:version_restore": {"pk": doc, "version_pk": version},
        "documents:delete": {"pk": doc},
        "documents:restore": {"pk": doc},
        "documents:agenda_link": {"meeting_pk": w["meeting"].pk},
    }


def _walk_urls(w: dict) -> dict[str, dict]:
    walk, stop, report = w["walk"].pk, w["walk_stop"].pk, w["walk_report"].pk
    return {
        "walks:detail": {"pk": walk},
        "walks:edit": {"pk": walk},
        "walks:cancel": {"pk": walk},
        "walks:mark_done": {"pk": walk},
        "walks:stop_add": {"pk": walk},
        "walks:stop_edit": {"pk": walk, "stop_pk": stop},
        "walks:stop_move": {"pk": walk, "stop_pk": stop},
        "walks:stop_delete": {"pk": walk, "stop_pk": stop},
        "walks:live": {"pk": walk},
        "walks:live_stop": {"pk": walk, "stop_pk": stop},
        "walks:report_request": {"pk": walk},
        "walks:report_status": {"pk": walk, "report_pk": report},
        "walks:report_download": {"pk": walk, "report_pk": report},
        "walks:report_retry": {"pk": walk, "report_pk": report},
    }


# Objects that a Sud member or an administrator must reach: proves the world is real.
CONTROL_URLS = [
    "teams:quartier_detail",
    "observations:detail",
    "meetings:detail",
    "diagnostics:detail",
    "bookings:place",
    "bookings:resource",
    "walks:detail",
    "documents:space",
    "documents:detail",
]


def all_patterns(resolver=None, namespace=None, inherited=False):
    """(name, has_parameters) of every named URL pattern except Django's admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # Django's admin: staff only, behind MFA (tests/security/test_accounts)
            ns = entry.namespace or namespace
            if entry.namespace and namespace:
                ns = f"{namespace}:{entry.namespace}"
            # A parameter in an including pattern (allauth's `oidc/<provider_id>/`) counts too.
            prefix = entry.pattern
            parent_params = bool(getattr(prefix, "converters", None)) or bool(
                getattr(prefix, "regex", None) and prefix.regex.groups
            )
            yield from all_patterns(entry, ns, inherited or parent_params)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            pattern = entry.pattern
            has_params = (
                inherited
                or bool(getattr(pattern, "converters", None))
                or bool(getattr(pattern, "regex", None) and pattern.regex.groups)
            )
            yield name, has_params


def test_every_pattern_is_covered(sud_world):
    mapped = object_urls(sud_world)
    missing = sorted(
        name
        for name, has_params in all_patterns()
        if has_params and name not in mapped and name not in EXEMPT
    )
    assert not missing, f"URL patterns with parameters, neither mapped nor exempted: {missing}"


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_another_quartiers_objects_answer_404(client, personas, sud_world, role):
    client.force_login(personas[role])
    failures = []
    for name, kwargs in object_urls(sud_world).items():
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status not in (404, 405):
                failures.append(f"{method.upper()} {url} ({name}) -> {status}")
    assert not failures, f"{role} reaches Sud:\n" + "\n".join(failures)


@pytest.mark.parametrize("role", WIDE_ROLES)
def test_roles_reading_sud_never_get_a_server_error(client, personas, sud_world, role):
    client.force_login(personas[role])
    client.raise_request_exception = False
    errors = []
    for name, kwargs in object_urls(sud_world).items():
        url = reverse(name, kwargs=kwargs)
        status = client.get(url).status_code
        if status >= 500:
            errors.append(f"GET {url} ({name}) -> {status}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("role", ["outsider", "admin"])
def test_the_world_is_real_sud_members_and_admins_reach_it(client, personas, sud_world, role):
    client.force_login(personas[role])
    mapped = object_urls(sud_world)
    for name in CONTROL_URLS:
        assert client.get(reverse(name, kwargs=mapped[name])).status_code == 200, name


@pytest.mark.parametrize("role", SCOPED_ROLES + WIDE_ROLES)
def test_pages_without_objects_answer_without_error(client, personas, sud_world, role):
    client.force_login(personas[role])
    client.raise_request_exception = False
    skip = {"account_logout"}  # would end the session of the loop
    failures = []
    for name, has_params in all_patterns():
        if has_params or name in skip:
            continue
        status = client.get(reverse(name)).status_code
        # allauth's "the provider sign-in failed" page answers 401 by design.
        expected = (200, 302, 403, 404, 405) + (
            (401,) if name == "socialaccount_login_error" else ()
        )
        if status not in expected:
            failures.append(f"{name} -> {status}")
    assert not failures, f"{role}: " + ", ".join(failures)
