"""The campaign editor's Information tab: names, sender, signature, automatic reply, teams;
the inbound addresses and the polled IMAP mailboxes (with a connection test). For those who
may manage campaigns (403 otherwise); a campaign of another domain does not exist (404).
Every change calls campaigns.actions (campaign, routing, mailboxes)."""

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.campaigns.actions import mailboxes, routing
from comptoir.campaigns.actions.campaign import CampaignInfo, update_campaign_info
from comptoir.campaigns.models import Campaign, ImapMailbox
from comptoir.mail.imap_check import try_connection
from comptoir.ui.administration.campaign_editor.forms import (
    AddressForm,
    InfoForm,
    MailboxForm,
)
from comptoir.ui.administration.campaign_editor.tabs import tab_page
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign
from comptoir.ui.common.confirm import remove_when_confirmed
from comptoir.ui.common.forms import save_form_with, show_action_errors
from comptoir.ui.common.pages import render_page


def info_initial(campaign: Campaign) -> dict[str, Any]:
    fields = ("name", "sender_name", "sender_email", "reply_to", "attachment_display")
    return {
        **{name: getattr(campaign, name) for name in fields},
        "signature": campaign.signature,
        "shared_signature": campaign.shared_signature_id,
        "auto_reply_enabled": campaign.auto_reply_enabled,
        "auto_reply_template": campaign.auto_reply_template_id,
        "auto_reply_daily_limit": campaign.auto_reply_daily_limit,
        "auto_reply_hourly_limit": campaign.auto_reply_hourly_limit,
        "agent_teams": [t.pk for t in campaign.agent_teams.all()],
        "supervision_teams": [t.pk for t in campaign.supervision_teams.all()],
        "qualification_script": campaign.qualification_script_id,
    }


def info_of(data: dict[str, Any], campaign: Campaign) -> CampaignInfo:
    hourly = data.get("auto_reply_hourly_limit")
    return CampaignInfo(
        name=data["name"],
        sender_name=data["sender_name"],
        sender_email=data["sender_email"],
        reply_to=data["reply_to"],
        attachment_display=data["attachment_display"],
        signature=data["signature"],
        shared_signature_id=data["shared_signature"],
        auto_reply_enabled=data["auto_reply_enabled"],
        auto_reply_template_id=data["auto_reply_template"],
        auto_reply_daily_limit=data["auto_reply_daily_limit"],
        auto_reply_hourly_limit=campaign.auto_reply_hourly_limit if hourly is None else hourly,
        agent_team_ids=data["agent_teams"],
        supervision_team_ids=data["supervision_teams"],
        qualification_script_id=data.get("qualification_script"),
    )


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def info(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    if request.method == "GET":
        return info_page(
            request, campaign, InfoForm(initial=info_initial(campaign), campaign=campaign)
        )
    form = InfoForm(request.POST, campaign=campaign)
    if save_form_with(
        request,
        form,
        lambda data: update_campaign_info(
            campaign, info_of(data, campaign), by=current_user(request)
        ),
        _("The campaign's information is saved."),
    ):
        return redirect("ui:manage_info", campaign.slug)
    campaign.refresh_from_db()
    return info_page(request, campaign, form, status=400)


def info_page(
    request: HttpRequest,
    campaign: Campaign,
    form: InfoForm,
    *,
    address_form: AddressForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "address_form": address_form or AddressForm(),
        "addresses": campaign.addresses.order_by("address"),
        "mail_domains": campaign.domain.mail_domains.order_by("name"),
        "mailboxes": campaign.imap_mailboxes.order_by("pk"),
    }
    return tab_page(request, campaign, "info", context, status)


@campaign_managers_only
@require_POST
def address_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    form = AddressForm(request.POST)
    if save_form_with(
        request,
        form,
        lambda data: routing.add_inbound_address(
            campaign, data["address"], by=current_user(request)
        ),
        _("The address is added."),
    ):
        return redirect("ui:manage_info", campaign.slug)
    info_form = InfoForm(initial=info_initial(campaign), campaign=campaign)
    return info_page(request, campaign, info_form, address_form=form, status=400)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def address_remove(request: HttpRequest, slug: str, address_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    address = get_object_or_404(campaign.addresses, pk=address_id)
    by = current_user(request)
    return remove_when_confirmed(
        request,
        question=_("Remove the address %(address)s?") % {"address": address},
        detail=_("Mail sent to it is then refused."),
        back=reverse("ui:manage_info", args=[campaign.slug]),
        remove=partial(routing.remove_inbound_address, campaign, address_id, by=by),
        done=_("The address is removed."),
    )


def mailbox_initial(mailbox: ImapMailbox) -> dict[str, Any]:
    return {name: getattr(mailbox, name) for name in mailboxes.MAILBOX_FIELDS}


@campaign_managers_only
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, slug: str, mailbox_id: int | None = None) -> HttpResponse:
    """Add (no id) or change a polled IMAP mailbox; the password is never shown back."""
    campaign = managed_campaign(request, slug)
    mailbox = (
        None if mailbox_id is None else get_object_or_404(campaign.imap_mailboxes, pk=mailbox_id)
    )
    if request.method == "GET":
        form = MailboxForm(initial=mailbox_initial(mailbox) if mailbox else None)
    else:
        form = MailboxForm(request.POST)
        if save_form_with(
            request,
            form,
            lambda data: mailboxes.save_mailbox(campaign, mailbox, data, by=current_user(request)),
            _("The mailbox is saved."),
        ):
            return redirect("ui:manage_info", campaign.slug)
    status = 400 if form.errors else 200
    context = {"form": form, "mailbox": mailbox}
    return tab_page(request, campaign, "info", context, status, template="ui/manage/mailbox.html")


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def mailbox_remove(request: HttpRequest, slug: str, mailbox_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    mailbox = get_object_or_404(campaign.imap_mailboxes, pk=mailbox_id)
    return remove_when_confirmed(
        request,
        question=_("Remove the mailbox %(mailbox)s?") % {"mailbox": mailbox},
        detail=_("It is no longer polled; the tickets it brought stay."),
        back=reverse("ui:manage_info", args=[campaign.slug]),
        remove=partial(mailboxes.delete_mailbox, mailbox, by=current_user(request)),
        done=_("The mailbox is removed."),
    )


def mailbox_test_answer(
    request: HttpRequest, campaign: Campaign, mailbox: ImapMailbox | None
) -> HttpResponse:
    """htmx: try the settings of the mailbox form (posted, saved or not; nothing is saved),
    or, without them, the saved mailbox; say how it went, next to the form."""
    target, form = mailbox, None
    if "host" in request.POST or mailbox is None:
        form = MailboxForm(request.POST)
        target = None
        if form.is_valid():
            user = current_user(request)
            try:
                target = mailboxes.mailbox_to_test(campaign, mailbox, form.cleaned_data, by=user)
            except ValidationError as error:
                show_action_errors(form, error)
    result = try_connection(target) if target is not None else None
    context = {"mailbox": target, "form": form, "result": result}
    return render_page(request, "ui/manage/mailbox_test.html", context)


@campaign_managers_only
@sensitive_post_parameters("password")
@require_POST
def mailbox_test(request: HttpRequest, slug: str, mailbox_id: int) -> HttpResponse:
    """A saved mailbox, with the values of its form when posted (blank password: the stored one)."""
    campaign = managed_campaign(request, slug)
    mailbox = get_object_or_404(campaign.imap_mailboxes, pk=mailbox_id)
    return mailbox_test_answer(request, campaign, mailbox)


@campaign_managers_only
@sensitive_post_parameters("password")
@require_POST
def mailbox_test_new(request: HttpRequest, slug: str) -> HttpResponse:
    """The form of a mailbox not saved yet."""
    return mailbox_test_answer(request, managed_campaign(request, slug), None)
