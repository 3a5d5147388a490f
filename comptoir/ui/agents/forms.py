"""Forms of the agent's actions on a ticket: a reply to the customer, an internal note.

Plain input checks only; whether the user may act, and what a reply becomes, is decided by
tickets.outbound, which the views call with the cleaned values.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from comptoir.mail.compose import OutgoingAttachment

# More Cc addresses than this is a mailing, not a reply.
MAX_CC = 20
GENERIC_TYPE = "application/octet-stream"


def max_attachments_size() -> int:
    """Total bytes of attachments a reply may carry: half the largest message accepted, so
    that the encoded mail (base64 adds a third) stays within what servers take."""
    return int(settings.COMPTOIR_MAX_MESSAGE_SIZE) // 2


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files under one name; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def split_addresses(value: str) -> list[str]:
    """Addresses separated by commas (or semicolons, as Outlook users type them)."""
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def checked_text(value: str, message: str) -> str:
    # Whitespace alone is no text; leading spaces of a real text are the agent's to keep.
    if not value.strip():
        raise ValidationError(message, code="required")
    return value


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    cc = forms.CharField(
        label=_("Cc"),
        required=False,
        max_length=2000,
        help_text=_("Optional: addresses separated by commas."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reply-%s")
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = gettext(
            "Any number of files, %(limit)s at most in all."
        ) % {"limit": filesizeformat(max_attachments_size())}

    def clean_text(self) -> str:
        return checked_text(self.cleaned_data["text"], gettext("Write a reply before sending it."))

    def clean_cc(self) -> list[str]:
        addresses = split_addresses(self.cleaned_data["cc"])
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                invalid.append(address)
        if invalid:
            raise ValidationError(
                ngettext_lazy(
                    "This email address is not valid: %(addresses)s.",
                    "These email addresses are not valid: %(addresses)s.",
                    len(invalid),
                ),
                code="invalid",
                params={"addresses": ", ".join(invalid)},
            )
        if len(addresses) > MAX_CC:
            raise ValidationError(
                _("At most %(limit)d addresses in Cc."), code="max", params={"limit": MAX_CC}
            )
        return [address.lower() for address in addresses]

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["attachments"]
        total, limit = sum(item.size or 0 for item in files), max_attachments_size()
        if total > limit:
            raise ValidationError(
                _("The attachments weigh %(total)s together; a reply may carry at most %(limit)s."),
                code="too_large",
                params={"total": filesizeformat(total), "limit": filesizeformat(limit)},
            )
        return files

    def outgoing_attachments(self) -> list[OutgoingAttachment]:
        """The uploaded files as the mail composer takes them (call after is_valid)."""
        return [
            OutgoingAttachment(
                filename=item.name or "attachment",
                content_type=item.content_type or GENERIC_TYPE,
                content=item.read(),
            )
            for item in self.cleaned_data["attachments"]
        ]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        strip=False,
        required=False,
        help_text=_("Seen by the team only; never sent to the customer."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)

    def clean_text(self) -> str:
        return checked_text(self.cleaned_data["text"], gettext("Write the note before saving it."))
