"""Forms of the campaign editor: input types only. What may be saved, numbers' bounds
included (shown here as the inputs' min and max), is decided by campaigns.actions (and
scripts.actions, icons), whose ValidationErrors the views put back next
to the fields (ui.common.forms.show_action_errors)."""

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns import limits
from comptoir.campaigns.models import AttachmentDisplay, Campaign, ImapSecurity, Signature
from comptoir.campaigns.templating import known_names, usable_templates
from comptoir.imports.models import ImportKind
from comptoir.scripts.models import FieldType, OutcomeKind, QualificationScript
from comptoir.tenancy.models import Team


def bounded(bounds: tuple[int, int]) -> forms.NumberInput:
    """A number input showing the action's bounds (campaigns.limits); the action checks them."""
    return forms.NumberInput(attrs={"min": bounds[0], "max": bounds[1]})


DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class NewCampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class InfoForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sender_name = forms.CharField(label=_("Sender name"), max_length=200, required=False)
    sender_email = forms.EmailField(
        label=_("Sender address"),
        required=False,
        help_text=_(
            "Replies are sent from it; blank: the first inbound address. It must be in one "
            "of the domain's mail domains, as the reply-to address."
        ),
    )
    reply_to = forms.EmailField(label=_("Reply-to address"), required=False)
    attachment_display = forms.ChoiceField(
        label=_("Attachment display"), choices=AttachmentDisplay.choices
    )
    signature = forms.CharField(
        label=_("Signature"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            'Plain text, or HTML: <b>, <i>, <u>, <a href="https://…">, <img src="https://…">, '
            "<p>, <br>; sanitised when saved. {{ variable }} placeholders as in templates."
        ),
    )
    shared_signature = forms.TypedChoiceField(
        label=_("Shared signature"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Used when the signature above is blank."),
    )
    auto_reply_enabled = forms.BooleanField(label=_("Automatic reply"), required=False)
    auto_reply_template = forms.TypedChoiceField(
        label=_("Automatic reply template"), coerce=int, required=False, empty_value=None
    )
    auto_reply_daily_limit = forms.IntegerField(
        label=_("Automatic replies per address and day"), widget=bounded(limits.AUTO_REPLY_DAILY)
    )
    # Blank keeps the campaign's limit (forms that do not show it yet).
    auto_reply_hourly_limit = forms.IntegerField(
        label=_("Automatic replies of the campaign per hour"),
        widget=bounded(limits.AUTO_REPLY_HOURLY),
        required=False,
        help_text=_(
            "Beyond it, new tickets get no automatic reply until the hour has passed: "
            "senders can be forged, this bounds the mail anyone can make the campaign send."
        ),
    )
    agent_teams = forms.TypedMultipleChoiceField(
        label=_("Agent teams"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    supervision_teams = forms.TypedMultipleChoiceField(
        label=_("Supervision teams"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    qualification_script = forms.TypedChoiceField(
        label=_("Qualification script"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Optional; edited in the Qualification tab."),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scripts = QualificationScript.objects.filter(domain_id=campaign.domain_id)
        script_field = self.fields["qualification_script"]
        assert isinstance(script_field, forms.ChoiceField)
        script_field.choices = [
            ("", gettext("None: the four standard outcomes")),
            *((s.pk, s.name) for s in scripts.order_by("name", "id")),
        ]
        templates = usable_templates(campaign)
        template_field = self.fields["auto_reply_template"]
        assert isinstance(template_field, forms.ChoiceField)
        shared = gettext("shared")
        template_field.choices = [
            ("", "—"),
            *((t.pk, f"{t} ({shared})" if t.shared else str(t)) for t in templates),
        ]
        signatures = Signature.objects.filter(domain_id=campaign.domain_id)
        signature_field = self.fields["shared_signature"]
        assert isinstance(signature_field, forms.ChoiceField)
        signature_field.choices = [("", "—"), *((s.pk, s.name) for s in signatures)]
        teams = [(t.pk, t.name) for t in Team.objects.filter(domain_id=campaign.domain_id)]
        for name in ("agent_teams", "supervision_teams"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = teams


class AddressForm(forms.Form):
    address = forms.CharField(label=_("Inbound address"), max_length=254)


class MailboxForm(forms.Form):
    host = forms.CharField(label=_("IMAP server"), max_length=255)
    port = forms.IntegerField(label=_("Port"), widget=bounded(limits.IMAP_PORT), initial=993)
    security = forms.ChoiceField(label=_("Security"), choices=ImapSecurity.choices)
    username = forms.CharField(label=_("User name"), max_length=255)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=255,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Write-only: never shown back; where it comes from, only an operator decides
        # (issue 10: a domain never names the server's environment variables).
        help_text=_(
            "Stored encrypted and never shown back. Leave blank to keep the stored password "
            "(it is asked again when the server, port, security or user name changes)."
        ),
    )
    folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    move_to = forms.CharField(
        label=_("Move stored messages to"),
        max_length=255,
        required=False,
        help_text=_("Blank: flag them as read and leave them in the folder."),
    )
    enabled = forms.BooleanField(label=_("Poll this mailbox"), required=False, initial=True)


TEMPLATE_FIELDS = ("tag", "name", "subject", "body")


class TemplateForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=100, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    subject = forms.CharField(label=_("Subject"), max_length=998, required=False)
    body = forms.CharField(
        label=_("Body"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Here, not in the class: in the language of the request.
        self.fields["body"].help_text = gettext("Variables: %(names)s") % {"names": known_names()}


class SignatureForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    text = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = gettext(
            'Plain text, or HTML: <b>, <i>, <u>, <a href="https://…">, <img src="https://…">, '
            "<p>, <br>; sanitised when saved. Variables: %(names)s"
        ) % {"names": known_names()}


class AdvancedForm(forms.Form):
    quote_previous = forms.BooleanField(
        label=_("Quote the previous message in replies (“On <date>, <sender> wrote:”)"),
        required=False,
    )
    priority = forms.IntegerField(label=_("Priority"), widget=bounded(limits.PRIORITY))
    planning_start = forms.DateTimeField(
        label=_("Planning start"), required=False, widget=DATETIME_LOCAL
    )
    planning_end = forms.DateTimeField(
        label=_("Planning end"), required=False, widget=DATETIME_LOCAL
    )
    max_attempts = forms.IntegerField(
        label=_("Maximum attempts"), widget=bounded(limits.MAX_ATTEMPTS)
    )
    blocking_minutes = forms.IntegerField(
        label=_("Blocking duration (minutes)"), widget=bounded(limits.BLOCKING_MINUTES)
    )


class HoursForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int)
    opens = forms.TimeField(label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}))


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=200)


class IconUploadForm(forms.Form):
    icon = forms.FileField(label=_("Upload an icon (PNG, JPEG or SVG, at most 512 KB)"))


class OutcomeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=63)
    label = forms.CharField(label=_("Label"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices)


class QuestionForm(forms.Form):
    name = forms.SlugField(label=_("Name"), max_length=63)
    label = forms.CharField(label=_("Label"), max_length=200)
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice question: one answer per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportKind.choices,
        initial=ImportKind.MAIL,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Mail: an mbox, an .eml file, or a zip of .eml files, mbox files or a Maildir. "
            "Archived messages never get the automatic reply. Contacts: a UTF-8 CSV file whose "
            "header names an email column (name, language and other columns are optional)."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.COMPTOIR_IMPORT_MAX_FILE_SIZE
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        return upload
