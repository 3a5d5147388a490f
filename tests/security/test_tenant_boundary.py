"""The tenant-boundary suite (issue 10): an administrator of Globex (domain B) tries, against
Acme's values (domain A) and the server's, every setting that names an address, a host, an
environment variable or a file. Every one is refused.

This module is the suite's index. `NAMING_SETTINGS` lists each stored field a tenant can set
that names something outside its row, with the test that proves the refusal; the guard below
fails when a model gains such a field that nobody has placed in the list, so the class stays
closed as the model grows. The tests of the file class live here; the others sit beside
their findings and are named in the list.
"""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models

from comptoir.campaigns import icons
from comptoir.campaigns.actions.campaign import CampaignInfo, update_campaign_info
from comptoir.campaigns.signatures import clean_signature
from comptoir.imports.actions import create_import
from comptoir.imports.models import ImportKind
from tests.campaigns.test_actions import boss
from tests.conftest import Acme, make_acme

B = "tests.security"
# Stored field -> the tests (module:function) that show domain B cannot point it at domain A
# or at the server, or why the field cannot name anything a tenant chooses.
NAMING_SETTINGS: dict[str, list[str]] = {
    "campaigns.InboundAddress.address": [
        f"{B}.test_mail_domains:test_an_administrator_cannot_register_any_address_of_another_domains_mail_domain",
        f"{B}.test_tenant_boundary_addresses:test_mail_for_a_s_mail_domain_never_reaches_b_s_campaign",
    ],
    "campaigns.Campaign.sender_email": [
        f"{B}.test_mail_domains:test_the_action_refuses_a_sender_or_reply_to_outside_the_domains_mail_domains",
        f"{B}.test_mail_domains:test_a_reply_can_never_carry_a_from_or_reply_to_outside_the_domain",
    ],
    "campaigns.Campaign.reply_to": [
        f"{B}.test_mail_domains:test_the_action_refuses_a_sender_or_reply_to_outside_the_domains_mail_domains",
        f"{B}.test_mail_domains:test_a_reply_can_never_carry_a_from_or_reply_to_outside_the_domain",
    ],
    "campaigns.ImapMailbox.host": [
        f"{B}.test_secrets_tenant_boundary:test_another_domain_cannot_point_a_mailbox_at_the_operators_network",
        f"{B}.test_secrets_tenant_boundary:test_the_operators_secret_goes_only_to_the_server_it_was_bound_for",
    ],
    "campaigns.ImapMailbox.port": [
        f"{B}.test_secrets_tenant_boundary:test_another_domain_cannot_point_a_mailbox_at_the_operators_network",
    ],
    "campaigns.ImapMailbox.password_env": [
        f"{B}.test_secrets_tenant_boundary:test_another_domain_cannot_name_any_environment_variable",
    ],
    "campaigns.Campaign.icon": [
        f"{B}.test_tenant_boundary:test_an_uploaded_icon_is_stored_under_a_name_the_server_chooses",
        f"{B}.test_tenant_boundary:test_an_svg_icon_cannot_refer_to_a_file_or_another_icon",
    ],
    "campaigns.Campaign.builtin_icon": [
        f"{B}.test_tenant_boundary:test_a_built_in_icon_is_one_of_the_shipped_names",
    ],
    "imports.ImportJob.file": [
        f"{B}.test_tenant_boundary:test_an_import_file_is_stored_under_a_name_the_server_chooses",
    ],
    "imports.ImportJob.filename": [
        f"{B}.test_tenant_boundary:test_an_import_file_is_stored_under_a_name_the_server_chooses",
    ],
    # Where a user's invitations and password resets go: any mailbox, by design (the user's
    # own); the mail is written by Comptoir, so naming another domain's address sends that
    # address nothing it could not get from any sender on the internet.
    "tenancy.User.email": [],
    # Written by Comptoir, never by a tenant: operators' commands, the login throttle, ingest.
    "tenancy.DomainHostname.hostname": [],
    "tenancy.MailDomain.name": [],
    "tenancy.LoginFailure.address": [],
    "tenancy.KnownLoginAddress.address": [],
    "tenancy.AccountEmail.to_email": [],
    "tenancy.AccountEmail.from_email": [],
}

# What makes a field "name something": its kind, or words in its name.
NAMING_KINDS = (models.EmailField, models.FileField, models.GenericIPAddressField)
NAMING_WORDS = {"address", "email", "host", "hostname", "port", "env", "file", "filename", "path"}
NAMING_WORDS |= {"url", "icon"}
TENANT_APPS = ("tenancy", "campaigns", "imports", "api", "distribution")


def naming_fields() -> set[str]:
    found = set()
    for app in TENANT_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if not field.concrete or field.is_relation:
                    continue
                if isinstance(field, NAMING_KINDS) or NAMING_WORDS & set(field.name.split("_")):
                    found.add(f"{app}.{model.__name__}.{field.name}")
    return found


NOT_NAMING = {
    # Names that match the words above but hold no address, host, variable or file.
    "imports.ImportJob.file_deleted_at",
}


def test_every_field_that_names_something_is_in_the_suite() -> None:
    unlisted = naming_fields() - set(NAMING_SETTINGS) - NOT_NAMING
    assert not unlisted, (
        f"new fields name an address, a host, a variable or a file: {sorted(unlisted)}; "
        "add each to NAMING_SETTINGS with the test that shows another domain cannot abuse it"
    )


@pytest.mark.parametrize("field", sorted(NAMING_SETTINGS))
def test_each_listed_test_exists(field: str) -> None:
    for reference in NAMING_SETTINGS[field]:
        module_name, function = reference.split(":")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, function, None)), f"{field}: {reference} is missing"


@pytest.fixture
def globex(db: None) -> Acme:
    return make_acme("globex")


def svg(body: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 10 10">{body}</svg>'
    ).encode()


OUTSIDE_REFERENCES = [
    '<image href="file:///etc/passwd"/>',
    '<use xlink:href="file:///etc/passwd#x"/>',
    '<use href="/media/campaign-icons/1-support-abcdefgh.svg#x"/>',
    '<rect width="5" height="5" fill="url(/media/campaign-icons/1-support-abcdefgh.svg#g)"/>',
    '<rect width="5" height="5" fill="URL(file:///etc/passwd)"/>',
    '<rect width="5" height="5" fill="url(#a) url(https://attacker.test/x)"/>',
    '<rect width="5" height="5" fill="u\\72l(https://attacker.test/x)"/>',
    '<rect width="5" height="5" fill="url( https://attacker.test/x)"/>',
]


@pytest.mark.parametrize("body", OUTSIDE_REFERENCES)
def test_an_svg_icon_cannot_refer_to_a_file_or_another_icon(globex: Acme, body: str) -> None:
    with pytest.raises(ValidationError):
        icons.set_uploaded_icon(globex.support, svg(body), by=boss(globex))
    globex.support.refresh_from_db()
    assert not globex.support.icon


def test_an_svg_icon_may_still_refer_to_its_own_gradient(globex: Acme) -> None:
    body = (
        '<defs><linearGradient id="a"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '</defs><rect width="5" height="5" fill="url(#a)"/>'
    )
    icons.set_uploaded_icon(globex.support, svg(body), by=boss(globex))
    globex.support.refresh_from_db()
    assert globex.support.icon


def test_an_uploaded_icon_is_stored_under_a_name_the_server_chooses(
    acme: Acme, globex: Acme
) -> None:
    """The action takes no file name at all: Globex's icon goes under its own domain's prefix
    and never replaces Acme's file, whatever was uploaded."""
    icons.set_uploaded_icon(acme.support, svg("<rect/>"), by=boss(acme))
    icons.set_uploaded_icon(globex.support, svg("<rect/>"), by=boss(globex))
    acme.support.refresh_from_db()
    globex.support.refresh_from_db()
    assert globex.support.icon.name.startswith(f"campaign-icons/{globex.domain.pk}-support-")
    assert acme.support.icon.name != globex.support.icon.name
    assert acme.support.icon.storage.exists(acme.support.icon.name)


def test_a_built_in_icon_is_one_of_the_shipped_names(globex: Acme) -> None:
    for name in ("../../../../etc/passwd", "/etc/passwd", "support/../../x", "%2e%2e"):
        with pytest.raises(ValidationError):
            icons.set_builtin_icon(globex.support, name, by=boss(globex))
    globex.support.refresh_from_db()
    assert globex.support.builtin_icon == ""


def test_an_import_file_is_stored_under_a_name_the_server_chooses(globex: Acme) -> None:
    """The uploaded file's name is only shown in the history; where it is stored is chosen
    by the server, so '../' or an absolute path cannot reach another domain's files."""
    for filename in ("../../../comptoir.sqlite3", "/etc/passwd", "..\\..\\x.mbox"):
        job = create_import(
            campaign=globex.support,
            user=boss(globex),
            kind=ImportKind.MAIL,
            filename=filename,
            content=ContentFile(b"From x\nSubject: a\n\nb\n"),
        )
        assert job.filename == filename  # shown as typed
        assert job.file.name.startswith("imports/") and ".." not in job.file.name
        assert job.file.name.endswith(".upload")


@pytest.mark.parametrize(
    "src",
    [
        "file:///etc/passwd",
        "/media/campaign-icons/1-support-abcdefgh.svg",
        "http://127.0.0.1:8000/manage/",
        "data:image/svg+xml;base64,PHN2Zy8+",
    ],
)
def test_a_signature_image_comes_only_from_https(globex: Acme, src: str) -> None:
    signature = f'<p>Globex</p><img src="{src}" alt="logo">'
    update_campaign_info(
        globex.support,
        CampaignInfo(
            name="Support",
            sender_name="Globex",
            sender_email="",
            reply_to="",
            attachment_display=globex.support.attachment_display,
            signature=signature,
            auto_reply_enabled=False,
            auto_reply_template_id=None,
            auto_reply_daily_limit=3,
            agent_team_ids=[],
            supervision_team_ids=[],
        ),
        by=boss(globex),
    )
    globex.support.refresh_from_db()
    assert src not in globex.support.signature
    assert clean_signature(signature) == globex.support.signature
