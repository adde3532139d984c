from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foundation import generations
from foundation.forms import valid_filters
from foundation.panels import render_panels
from foundation.replica import reads_from_replica
from teams import selectors, services
from teams.access import (
    agents_offered_to,
    agents_visible_to,
    can_manage_team,
    externals_offered_to,
    quartiers_offered_to,
    quartiers_visible_to,
    roles_of,
    services_visible_to,
)
from teams.fields import resolve_quartier, suggestions
from teams.forms import (
    AnnuaireFilterForm,
    MembershipEndForm,
    MembershipForm,
    ProfileForm,
    ServiceSearchForm,
)
from teams.models import Membership, Quartier
from teams.pickers import agent_choice, resolve_agent
from teams.pickers import agent_suggestions as agent_suggestions_in

ANNUAIRE_PAGE_SIZE = 24


QUARTIER_PAGE_SIZE = 30


@reads_from_replica
def quartier_list(request):
    """Paginated and searchable: the comité and the maire read every quartier of a metropolis."""
    query = request.GET.get("q", "").strip()[:100]
    quartiers = quartiers_visible_to(request.user).order_by("name")
    if query:
        quartiers = quartiers.filter(name__icontains=query)
    page = Paginator(quartiers, QUARTIER_PAGE_SIZE).get_page(request.GET.get("page"))
    chefs = selectors.chefs_of([q.pk for q in page])
    rows = [(quartier, chefs.get(quartier.pk, [])) for quartier in page]
    context = {
        "rows": rows,
        "page": page,
        "query": query,
        "querystring": urlencode({"q": query}) if query else "",
    }
    return render(request, "teams/quartier_list.html", context)


def quartier_suggestions(request):
    """Options of a quartier search box (`teams.fields.QuartierPicker`), as the person types."""
    text = request.GET.get(request.GET.get("champ", "quartier"), "")
    quartiers = quartiers_offered_to(request.user, every=bool(request.GET.get("tous")))
    context = {"suggestions": suggestions(quartiers, text)}
    return render(request, "teams/_quartier_suggestions.html", context)


def agent_suggestions(request):
    """Options of an agent search box (`teams.agent_fields`), as the person types."""
    text = request.GET.get(request.GET.get("champ", "agent"), "")
    context = {"suggestions": agent_suggestions_in(agents_offered_to(request.user), text)}
    return render(request, "teams/_agent_suggestions.html", context)


def external_suggestions(request):
    """Options of an external participant search box (`teams.pickers`), as the person types."""
    text = request.GET.get(request.GET.get("champ", "externe"), "")
    context = {"suggestions": agent_suggestions_in(externals_offered_to(request.user), text)}
    return render(request, "teams/_agent_suggestions.html", context)


def choice_box(request, kind):
    """A ticked box for what was typed in a multiple chooser's search box ("Ajouter")."""
    name = request.GET.get("champ", "choix")
    typed = request.GET.get(f"{name}_ajout", "").strip()
    if kind == "agent":
        found = resolve_agent(agents_offered_to(request.user).select_related("service"), typed)
        text = agent_choice(found) if found else ""
    elif kind == "externe":
        found = resolve_agent(externals_offered_to(request.user), typed)
        text = str(found or "")
    elif kind == "quartier":
        found = resolve_quartier(quartiers_offered_to(request.user, every=True), typed)
        text = str(found or "")
    else:
        raise Http404
    context = {
        "found": found,
        "name": name,
        "id": request.GET.get("id", f"id_{name}"),
        "text": text,
        "typed": typed,
    }
    return render(request, "teams/_choice_box.html", context)


@reads_from_replica
def quartier_detail(request, slug):
    quartier = selectors.quartier_for(request.user, slug)
    overview = selectors.team_overview(quartier)
    context = {
        "quartier": quartier,
        "overview": overview,
        "priorities": list(quartier.priorities.filter(is_active=True)),
        "partners": list(quartier.partners.all()),
        "can_manage": can_manage_team(request.user, quartier),
        # The other apps' panels (counts over the quartier's observations, meetings, walks,
        # diagnostics) are this page's cost: kept until one of those changes, an hour at most
        # (the upcoming meetings move with the clock).
        "panels": generations.cached(
            f"quartier-panels:{quartier.pk}:{request.user.pk}:{timezone.now():%Y%m%d%H}",
            [f"quartier:{quartier.pk}", f"agent:{request.user.pk}"],
            lambda: render_panels("quartier", request, quartier),
        ),
    }
    return render(request, "teams/quartier_detail.html", context)


@reads_from_replica
def annuaire(request):
    form = AnnuaireFilterForm(request.GET or None)
    # The filter offers the person's own teams (plus the quartier asked for), not every quartier
    # of the city to those who read them all.
    slug = request.GET.get("quartier")
    quartier = quartiers_visible_to(request.user).filter(slug=slug).first() if slug else None
    quartiers = list(
        Quartier.objects.filter(pk__in=roles_of(request.user).quartier_ids).order_by("name")
    )
    if quartier is not None and quartier not in quartiers:
        quartiers.append(quartier)
    filters = valid_filters(form)
    agents = selectors.annuaire(
        request.user, quartier=quartier, service=filters.get("service"), query=filters.get("q", "")
    )
    page = Paginator(agents, ANNUAIRE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "quartiers": quartiers,
        "quartier": quartier,
        "querystring": query.urlencode(),
    }
    if request.htmx:
        return render(request, "teams/annuaire.html#results", context)
    return render(request, "teams/annuaire.html", context)


def agent_detail(request, pk):
    agent = selectors.agent_profile(request.user, pk)
    return render(
        request, "teams/agent_detail.html", {"agent": agent, "is_me": agent.pk == request.user.pk}
    )


def agent_photo(request, pk):
    agent = get_object_or_404(agents_visible_to(request.user), pk=pk)
    if not agent.photo:
        raise Http404
    response = FileResponse(agent.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@reads_from_replica
def service_list(request):
    form = ServiceSearchForm(request.GET or None)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    services_found = selectors.service_directory(request.user, query)
    context = {"form": form, "services": services_found, "query": query}
    if request.htmx:
        return render(request, "teams/service_list.html#results", context)
    return render(request, "teams/service_list.html", context)


def service_detail(request, slug):
    service = get_object_or_404(services_visible_to(request.user), slug=slug)
    agents = list(
        agents_visible_to(request.user).filter(service=service).order_by("last_name", "first_name")
    )
    return render(request, "teams/service_detail.html", {"service": service, "agents": agents})


def welcome(request):
    memberships = selectors.my_memberships(request.user)
    quartier_ids = [m.quartier_id for m in memberships]
    context = {
        "memberships": memberships,
        "chefs": selectors.chefs_of(quartier_ids),
        "is_newcomer": request.user.is_newcomer(),
    }
    return render(request, "teams/welcome.html", context)


def profile_edit(request):
    agent = request.user
    form = ProfileForm(request.POST or None, request.FILES or None, instance=agent)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
        try:
            services.profile_update(
                agent=agent,
                data=data,
                photo=form.cleaned_data.get("photo_upload"),
                remove_photo=form.cleaned_data.get("remove_photo", False),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Votre profil est enregistré."))
            return redirect(agent.get_absolute_url())
    return render(request, "teams/profile_form.html", {"form": form})


def team_manage(request, slug):
    quartier = selectors.quartier_for(request.user, slug)
    if not can_manage_team(request.user, quartier):
        raise Http404
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(quartier=quartier, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("%(agent)s rejoint l'équipe.") % {"agent": form.cleaned_data["agent"]}
            )
            return redirect("teams:team_manage", slug=quartier.slug)
    memberships = selectors.team_memberships(quartier)
    return render(
        request,
        "teams/team_manage.html",
        {
            "quartier": quartier,
            "form": form,
            "memberships": memberships,
            "end_form": MembershipEndForm(),
        },
    )


@require_POST
def membership_end(request, slug, pk):
    quartier = selectors.quartier_for(request.user, slug)
    if not can_manage_team(request.user, quartier):
        raise Http404
    membership = get_object_or_404(
        Membership.objects.select_related("agent"), pk=pk, quartier=quartier
    )
    form = MembershipEndForm(request.POST)
    if form.is_valid():
        try:
            services.membership_end(membership=membership, end_date=form.cleaned_data["end_date"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(agent)s quitte l'équipe.") % {"agent": membership.agent})
    else:
        messages.error(request, _("Indiquez une date de fin valide."))
    return redirect("teams:team_manage", slug=quartier.slug)
