"""Forms of the qualification scripts' screens (the library and a campaign's tab)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from comptoir.scripts.models import QualificationScript


class DomainScriptField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def domain_scripts(domain_id: int) -> QuerySet[QualificationScript]:
    return QualificationScript.objects.filter(domain_id=domain_id).order_by("name", "id")


class AssignScriptForm(forms.Form):
    script = DomainScriptField(
        label=_("Qualification script"),
        queryset=QualificationScript.objects.none(),
        required=False,
        empty_label=_("None: the four standard outcomes"),
    )

    def __init__(self, *args: Any, domain_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["script"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = domain_scripts(domain_id)


class NewScriptForm(forms.Form):
    name = forms.CharField(label=_("Name of the new script"), max_length=200)
    copy_of = DomainScriptField(
        label=_("Starting from"),
        queryset=QualificationScript.objects.none(),
        required=False,
        empty_label=_("An empty script"),
        help_text=_("A copy of that script's current version: the two then live apart."),
    )

    def __init__(self, *args: Any, domain_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["copy_of"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = domain_scripts(domain_id)


class RenameScriptForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
