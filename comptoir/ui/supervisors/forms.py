"""The supervisors' forms that several pages share."""

from django import forms
from django.utils.translation import gettext_lazy

from comptoir.supervision.periods import Period


class PeriodForm(forms.Form):
    """A named period, or custom days (supervision.periods): the reports' and the exports'."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=Period.choices)
    first_day = forms.DateField(
        label=gettext_lazy("First day"),
        required=False,
        help_text=gettext_lazy("Custom dates only."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    last_day = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        help_text=gettext_lazy("Custom dates only; included."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
