"""Helpers shared by the apps' forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


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
