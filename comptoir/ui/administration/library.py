"""The domain's library (/manage/library/): email templates and signatures shared by every
campaign of the domain. The right to manage campaigns; another domain's objects are 404."""

from collections.abc import Callable
from functools import partial
from itertools import groupby
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from comptoir.campaigns.actions import templates
from comptoir.campaigns.models import EmailTemplate, Signature
from comptoir.ui.administration.campaign_editor.forms import (
    TEMPLATE_FIELDS,
    SignatureForm,
    TemplateForm,
)
from comptoir.ui.common.access import campaign_managers_only, current_user
from comptoir.ui.common.confirm import remove_when_confirmed
from comptoir.ui.common.forms import form_for, save_form_with
from comptoir.ui.common.pages import render_page


def shared_template(request: HttpRequest, template_id: int) -> EmailTemplate:
    domain_id = current_user(request).domain_id
    return get_object_or_404(
        EmailTemplate, domain_id=domain_id, campaign__isnull=True, pk=template_id
    )


def shared_signature(request: HttpRequest, signature_id: int) -> Signature:
    domain_id = current_user(request).domain_id
    return get_object_or_404(Signature, domain_id=domain_id, pk=signature_id)


@campaign_managers_only
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    domain_id = current_user(request).domain_id
    templates = EmailTemplate.objects.filter(domain_id=domain_id, campaign__isnull=True).order_by(
        "tag", "name", "id"
    )
    context = {
        "template_groups": [(tag, list(rows)) for tag, rows in groupby(templates, lambda t: t.tag)],
        "signatures": Signature.objects.filter(domain_id=domain_id).order_by("name", "id"),
    }
    return render_page(request, "ui/manage/library.html", context)


def library_form(
    request: HttpRequest,
    form: TemplateForm | SignatureForm,
    save: Callable[[dict[str, Any]], object],
    done: str,
    page: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A shared template's or signature's form: saved by the action `save`, then back to the
    library; else the `page` again, with the action's refusal next to the fields."""
    if request.method == "POST" and save_form_with(request, form, save, done):
        return redirect("ui:manage_library")
    status = 400 if form.errors else 200
    return render_page(request, page, {"form": form, **context}, status)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, shared_template_id: int | None = None) -> HttpResponse:
    user = current_user(request)
    template = None
    if shared_template_id is not None:
        template = shared_template(request, shared_template_id)
    form = form_for(request, TemplateForm, template, TEMPLATE_FIELDS)
    return library_form(
        request,
        form,
        lambda data: templates.save_template(user.domain, template, **data, by=user),
        _("The template is saved."),
        "ui/manage/library_template.html",
        {"template": template},
    )


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def template_remove(request: HttpRequest, shared_template_id: int) -> HttpResponse:
    template = shared_template(request, shared_template_id)
    return remove_when_confirmed(
        request,
        question=_("Remove the shared template “%(name)s”?") % {"name": template.name},
        detail=_("Every campaign of the domain stops offering it."),
        back=reverse("ui:manage_library"),
        remove=partial(templates.delete_template, template, by=current_user(request)),
        done=_("The template is removed."),
    )


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def signature_edit(request: HttpRequest, signature_id: int | None = None) -> HttpResponse:
    user = current_user(request)
    signature = shared_signature(request, signature_id) if signature_id is not None else None
    form = form_for(request, SignatureForm, signature, ("name", "text"))
    return library_form(
        request,
        form,
        lambda data: templates.save_signature(user.domain, signature, **data, by=user),
        _("The signature is saved."),
        "ui/manage/library_signature.html",
        {"signature": signature},
    )


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def signature_remove(request: HttpRequest, signature_id: int) -> HttpResponse:
    signature = shared_signature(request, signature_id)
    return remove_when_confirmed(
        request,
        question=_("Remove the signature “%(name)s”?") % {"name": signature.name},
        back=reverse("ui:manage_library"),
        remove=partial(templates.delete_signature, signature, by=current_user(request)),
        done=_("The signature is removed."),
    )
