"""Mail domains for the addresses that exist (issue 10, finding 5).

Every mail domain used by inbound addresses, then by campaigns' sender and reply-to
addresses, becomes a MailDomain of the Comptoir domain using it, so that mail keeps flowing
after the upgrade. When several domains used one mail domain (the flaw this fixes), the
oldest domain (created first, then lowest id) gets it: the others' addresses there stop
receiving mail, and their replies from there are refused, until an operator sorts it out.
Each such conflict is printed and logged as a warning (logger comptoir.migrations).
"""

import logging

from django.db import migrations

from comptoir.tenancy.mail_domains import normalise_mail_domain

logger = logging.getLogger("comptoir.migrations")


def mail_domain_of(address):
    _local, at, host = (address or "").strip().lower().rpartition("@")
    if not at:
        return None
    try:
        return normalise_mail_domain(host)
    except ValueError:
        return None


def users(rows):
    """{mail domain: {domain ids using it}} from (domain id, address) pairs."""
    found = {}
    for domain_id, address in rows:
        name = mail_domain_of(address)
        if name is not None:
            found.setdefault(name, set()).add(domain_id)
    return found


def report(name, owner, others, slugs):
    losers = ", ".join(sorted(slugs[d] for d in others))
    text = (
        f"mail domain {name} was used by several domains: given to {slugs[owner]}; "
        f"{losers} no longer receive or send mail there (comptoir mail-domain)"
    )
    print(f"\n  warning: {text}")
    logger.warning(text)


def forward(apps, schema_editor):
    Domain = apps.get_model("tenancy", "Domain")
    MailDomain = apps.get_model("tenancy", "MailDomain")
    InboundAddress = apps.get_model("campaigns", "InboundAddress")
    Campaign = apps.get_model("campaigns", "Campaign")
    order = {d.pk: (d.created_at, d.pk) for d in Domain.objects.all()}
    slugs = dict(Domain.objects.values_list("pk", "slug"))
    owners = dict(MailDomain.objects.values_list("name", "domain_id"))
    senders = [
        (domain_id, address)
        for domain_id, *addresses in Campaign.objects.values_list(
            "domain_id", "sender_email", "reply_to"
        )
        for address in addresses
    ]
    # Receiving mail is the stronger claim: inbound addresses first, then senders.
    for used in (users(InboundAddress.objects.values_list("domain_id", "address")), users(senders)):
        for name, domain_ids in sorted(used.items()):
            if name not in owners:
                owners[name] = min(domain_ids, key=order.__getitem__)
                MailDomain.objects.create(domain_id=owners[name], name=name)
            others = domain_ids - {owners[name]}
            if others:
                report(name, owners[name], others, slugs)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0013_auto_reply_hourly_limit"),
        ("tenancy", "0006_mail_domain"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
