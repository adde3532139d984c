"""Views of `documents`: get the object for the user → check → one service call → response."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import permissions, selectors, services
from documents.forms import AgendaLinkForm, DocumentForm, FolderForm, SearchForm, VersionForm
from documents.models import Document
from foundation.forms import attach_errors
from foundation.numbers import whole_number
from meetings.permissions import agenda_items_visible_to, can_manage, meetings_visible_to
from observations.selectors import keyset_page, search_room


def _cursor(request, name: str) -> int | None:
    return whole_number(request.GET.get(name))


def _chosen[T: Model](request, name: str, options: list[T]) -> T | None:
    """The option whose id the address names in `name`, None if it names none; 404 for an id
    that is not among the options (another space's folder, say)."""
    pk = _cursor(request, name)
    if pk is None:
        return None
    chosen = next((option for option in options if option.pk == pk), None)
    if chosen is None:
        raise Http404
    return chosen


def _querystring(request) -> str:
    query = request.GET.copy()
    for name in ("apres", "avant"):
        query.pop(name, None)
    return query.urlencode()


def _page(request, documents):
    with search_room(bool(request.GET.get("q", "").strip())):
        return keyset_page(
            documents, after=_cursor(request, "apres"), before=_cursor(request, "avant")
        )


# Lists -----------------------------------------------------------------------------------------


def index(request):
    """The person's spaces, and a search across all the documents it reads."""
    selectors.ensure_spaces(request.user)
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "spaces": list(selectors.spaces_for(request.user)),
        "form": form,
        "text": text,
        "querystring": _querystring(request),
    }
    if text:
        context["page"] = _page(request, selectors.documents_for(request.user, text=text))
    return render(request, "documents/index.html", context)


def space(request, pk):
    space = selectors.space_for(request.user, pk)
    folders = selectors.folders_of(space)
    folder = _chosen(request, "dossier", folders)
    axes = selectors.axes_of(space)
    axis = _chosen(request, "axe", axes)
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    documents = selectors.documents_for(
        request.user, space=space, folder=folder, axis=axis, text=text
    )
    context = {
        "space": space,
        "folders": folders,
        "folder": folder,
        "axes": axes,
        "axis": axis,
        "form": form,
        "text": text,
        "page": _page(request, documents),
        "querystring": _querystring(request),
        "can_manage": permissions.can_manage(request.user, space),
    }
    return render(request, "documents/space.html", context)


# Writing ---------------------------------------------------------------------------------------


def document_create(request, pk):
    space = selectors.space_for(request.user, pk)
    if not permissions.can_contribute(request.user, space):
        raise Http404
    initial = {}
    folder_pk = _cursor(request, "dossier")
    if folder_pk is not None:
        initial["folder"] = folder_pk
    form = DocumentForm(request.POST or None, request.FILES or None, space=space, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_create(
                space=space,
                by=request.user,
                title=data["title"],
                description=data["description"],
                folder=data["folder"],
                tags=data.get("tags", []),
                upload=data["file"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Le document est déposé."))
            return redirect(document)
    return render(request, "documents/document_form.html", {"space": space, "form": form})


def document_edit(request, pk):
    document = selectors.document_for(request.user, pk)
    if not permissions.can_contribute(request.user, document.space):
        raise Http404
    form = DocumentForm(
        request.POST or None, instance=document, space=document.space, with_file=False
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_update(
                document=document,
                title=data["title"],
                description=data["description"],
                folder=data["folder"],
                tags=data.get("tags", []),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Le document est modifié."))
            return redirect(document)
    return render(
        request,
        "documents/document_form.html",
        {"space": document.space, "document": document, "form": form},
    )


def folder_create(request, pk):
    space = selectors.space_for(request.user, pk)
    if not permissions.can_manage(request.user, space):
        raise Http404
    form = FolderForm(request.POST or None, space=space)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            folder = services.folder_create(
                space=space, name=data["name"], kind=data["kind"], priority=data.get("priority")
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Le dossier est créé."))
            return redirect(f"{space.get_absolute_url()}?dossier={folder.pk}")
    return render(request, "documents/folder_form.html", {"space": space, "form": form})


# One document ----------------------------------------------------------------------------------


def document_detail(request, pk):
    document = selectors.document_for(request.user, pk)
    return _detail(request, document, VersionForm())


def _detail(request, document: Document, version_form: VersionForm, status: int = 200):
    context = {
        "document": document,
        "space": document.space,
        "versions": selectors.versions_of(document),
        "version_form": version_form,
        "can_contribute": permissions.can_contribute(request.user, document.space),
        "can_delete": permissions.can_delete(request.user, document),
    }
    return render(request, "documents/document_detail.html", context, status=status)


@require_POST
def version_upload(request, pk):
    document = selectors.document_for(request.user, pk)
    if not permissions.can_contribute(request.user, document.space):
        raise Http404
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.version_upload(
                document=document, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("La version %(n)s est déposée.") % {"n": version.number})
            return redirect(document)
    return _detail(request, document, form, status=400)


@require_POST
def version_restore(request, pk, version_pk):
    document = selectors.document_for(request.user, pk)
    if not permissions.can_contribute(request.user, document.space):
        raise Http404
    version = selectors.version_for(document, version_pk)
    restored = services.version_restore(version=version, by=request.user)
    messages.success(
        request,
        _("La version %(old)s est rétablie : elle devient la version %(new)s.")
        % {"old": version.number, "new": restored.number},
    )
    return redirect(document)


def download(request, pk, version_pk):
    """The file, as an attachment with its checked type: only through this access check."""
    document = selectors.document_for(request.user, pk)
    version = selectors.version_for(document, version_pk)
    stem = slugify(document.title)[:80] or "document"
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=f"{stem}-v{version.number}.{version.extension}",
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The bin ---------------------------------------------------------------------------------------


@require_POST
def document_delete(request, pk):
    document = selectors.document_for(request.user, pk)
    if not permissions.can_delete(request.user, document):
        raise Http404
    services.document_delete(document=document, by=request.user)
    messages.success(
        request,
        _("« %(title)s » est dans la corbeille ; il sera effacé dans 30 jours.")
        % {"title": document.title},
    )
    return redirect(document.space)


def bin(request, pk):
    space = selectors.space_for(request.user, pk)
    context = {
        "space": space,
        "documents": selectors.bin_of(request.user, space),
        "can_manage": permissions.can_manage(request.user, space),
    }
    return render(request, "documents/bin.html", context)


@require_POST
def document_restore(request, pk):
    document = selectors.binned_document_for(request.user, pk)
    if not permissions.can_restore_from_bin(request.user, document):
        raise Http404
    services.document_restore(document=document)
    messages.success(
        request, _("« %(title)s » est sorti de la corbeille.") % {"title": document.title}
    )
    return redirect(document)


# Links from meetings ---------------------------------------------------------------------------


@require_POST
def agenda_link(request, meeting_pk):
    """Point an agenda item of a meeting the person manages to a document it reads."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=meeting_pk)
    if not can_manage(request.user, meeting):
        raise Http404
    form = AgendaLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un point et un document."))
        return redirect(meeting)
    item = get_object_or_404(
        agenda_items_visible_to(request.user, meeting), pk=form.cleaned_data["item"]
    )
    document = selectors.document_for(request.user, form.cleaned_data["document"])
    if not permissions.can_contribute(request.user, document.space):
        raise Http404
    if request.POST.get("action") == "unlink":
        services.agenda_item_unlink(document=document, item=item)
        messages.success(request, _("Le document n'est plus lié à ce point."))
    else:
        services.agenda_item_link(document=document, item=item)
        messages.success(
            request,
            _("« %(doc)s » est lié au point « %(item)s ».")
            % {"doc": document.title, "item": item.title},
        )
    return redirect(f"{meeting.get_absolute_url()}#documents-partages")
