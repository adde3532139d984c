"""Forms of `documents`: validation and French messages only, no side effects."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents import files
from documents.models import Document, Folder, Space
from teams.models import Priority

ACCEPT = ",".join(
    [
        ".pdf",
        ".odt",
        ".ods",
        ".odp",
        ".odg",
        ".docx",
        ".xlsx",
        ".pptx",
        ".csv",
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".heic",
    ]
)


def _file_field(label) -> forms.FileField:
    return forms.FileField(label=label, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


def _announce_limit(form: forms.BaseForm) -> None:
    """The accepted types and the size limit (read from the settings when the form is built)."""
    if "file" in form.fields:
        form.fields["file"].help_text = _(
            "PDF, document OpenDocument ou Office (texte, tableur, présentation), image ou CSV ; "
            "%(limit)s au plus. Le type est vérifié d'après le contenu du fichier ; les images "
            "sont réenregistrées sans leurs métadonnées (position GPS comprise)."
        ) % {"limit": files.size_limit_label()}


class _SpaceChoicesMixin:
    """Folders and axes offered are those of the document's space."""

    fields: dict

    def _limit_to(self, space: Space) -> None:
        self.fields["folder"].queryset = Folder.objects.filter(space=space).order_by("kind", "name")
        if space.quartier_id:
            self.fields["tags"].queryset = Priority.objects.filter(
                quartier_id=space.quartier_id, is_active=True
            ).order_by("position", "title")
        else:
            del self.fields["tags"]


class DocumentForm(_SpaceChoicesMixin, forms.ModelForm):
    file = _file_field(_("Fichier"))

    class Meta:
        model = Document
        fields = ["title", "description", "folder", "tags"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "tags": forms.CheckboxSelectMultiple,
        }
        help_texts = {"description": _("En une ou deux phrases : de quoi s'agit-il ?")}

    def __init__(self, *args, space: Space, with_file: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["folder"].empty_label = _("(à la racine de l'espace)")
        self._limit_to(space)
        if not with_file:
            del self.fields["file"]
        _announce_limit(self)


class VersionForm(forms.Form):
    file = _file_field(_("Nouvelle version du fichier"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _announce_limit(self)


class FolderForm(forms.ModelForm):
    class Meta:
        model = Folder
        fields = ["name", "kind", "priority"]
        help_texts = {
            "priority": _("Pour un dossier d'axe : l'axe du projet de quartier qu'il rassemble."),
        }

    def __init__(self, *args, space: Space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in Folder.Kind.choices
            if value != Folder.Kind.MEETING and (space.quartier_id or value != Folder.Kind.AXIS)
        ]
        if space.quartier_id:
            priorities = Priority.objects.filter(quartier_id=space.quartier_id)
            self.fields["priority"].queryset = priorities.order_by(  # type: ignore[attr-defined]
                "position", "title"
            )
        else:
            del self.fields["priority"]

    def clean(self):
        data = super().clean() or {}
        if data.get("kind") == Folder.Kind.AXIS and not data.get("priority"):
            self.add_error("priority", _("Choisissez l'axe de ce dossier."))
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher dans les documents"), max_length=200, required=False)


class AgendaLinkForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.IntegerField(label=_("Document"))
