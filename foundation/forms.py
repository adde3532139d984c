"""Helpers shared by the apps' forms."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model

from foundation import generations


def choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's model choice field `name` (single or multiple), to narrow its queryset or
    relabel its options per request; `form.fields` only knows it as a generic field."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field


def valid_filters(form: forms.BaseForm) -> dict:
    """The filters of a GET form that are valid: a wrong one is left aside (the form shows why)
    and the others still apply."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def attach_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: under its field when it names one of the
    form's fields, at the top otherwise; what was typed stays in the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def choices_scope(model: type[Model]) -> str:
    """The generation scope of a model's rows offered as choices (bumped on each save and
    delete: `generations.bump_on_change(model, lambda _: [choices_scope(model)])`)."""
    return f"choices:{model._meta.label_lower}"


def cached_choices(form: forms.BaseForm, *names: str) -> None:
    """The options of these model choice fields read once per change of their rows, from the
    shared cache, instead of one query each per page (a filter bar's categories and services on
    every list page); only when the form is drawn (an export that reads the filters asks
    nothing). Validation still reads the field's queryset: a choice removed since is refused.
    The rows' models must bump `choices_scope` on change."""
    fields = {name: choice_field(form, name) for name in names}
    querysets = {}
    for name, field in fields.items():
        if field.queryset is None:
            raise TypeError(f"{type(form).__name__}.{name} has no queryset")
        querysets[name] = field.queryset
    loaded: dict[str, list[tuple[object, str]]] = {}

    def build() -> dict[str, list[tuple[object, str]]]:
        return {
            name: [(obj.pk, fields[name].label_from_instance(obj)) for obj in queryset]
            for name, queryset in querysets.items()
        }

    def options_of(name: str) -> Callable[[], list[tuple[object, str]]]:
        def options() -> list[tuple[object, str]]:
            if not loaded:
                loaded.update(
                    generations.cached(
                        f"choices:{type(form).__module__}.{type(form).__qualname__}:"
                        + ",".join(names),
                        [choices_scope(queryset.model) for queryset in querysets.values()],
                        build,
                    )
                )
            field = fields[name]
            empty: list[tuple[object, str]] = (
                [("", str(field.empty_label))] if field.empty_label is not None else []
            )
            return [*empty, *loaded[name]]

        return options

    for name, field in fields.items():
        field.widget.choices = options_of(name)
