"""Mail domains: which Comptoir domain may use the addresses of a mail domain (issue 10,
findings 5 and 6). Operators give them (`comptoir mail-domain`, `create-domain
--mail-domain`); administrators only see them. The rule that uses them is
campaigns.addresses.

A mail domain's name is compared in one form only: lower-case, IDNA (punycode), without a
trailing dot, so that `École.test.`, `école.test` and `xn--cole-9oa.test` are one name.
"""

import re

from django.db import IntegrityError, transaction

from comptoir.tenancy.models import Domain, MailDomain

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class MailDomainError(Exception):
    """An operator's request that cannot be done; the message is for the operator."""


def normalise_mail_domain(name: str) -> str:
    """The one form of a mail domain's name; ValueError when it is not a host name."""
    name = name.strip().rstrip(".").lower()
    try:
        ascii_name = name.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise ValueError(f"not a mail domain: {name!r}") from error
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or not all(LABEL.match(label) for label in labels):
        raise ValueError(f"not a mail domain: {name!r}")
    return ascii_name


def normalise_host(host: str) -> str:
    """A mail domain's name for comparison; an unusable host stays as it is (lower-case), so
    that it matches no mail domain rather than failing."""
    try:
        return normalise_mail_domain(host)
    except ValueError:
        return host.strip().lower()


def others_using(domain: Domain, name: str) -> list[str]:
    """The other domains that receive mail on addresses of this mail domain."""
    rows = Domain.objects.filter(inbound_addresses__address__endswith=f"@{name}")
    return sorted(set(rows.exclude(pk=domain.pk).values_list("slug", flat=True)))


def add_mail_domain(*, domain: Domain, name: str) -> MailDomain:
    """Give a mail domain to `domain`. Adding it again changes nothing; one that belongs to
    another domain, or that another domain receives mail on, is refused."""
    try:
        name = normalise_mail_domain(name)
    except ValueError as error:
        raise MailDomainError(str(error)) from None
    existing = MailDomain.objects.filter(name=name).select_related("domain").first()
    if existing is not None and existing.domain_id == domain.pk:
        return existing
    if existing is not None:
        raise MailDomainError(f"{name} belongs to the domain {existing.domain.slug}")
    others = others_using(domain, name)
    if others:
        raise MailDomainError(
            f"the domain(s) {', '.join(others)} receive mail on addresses of {name}: "
            "remove those addresses first"
        )
    try:
        with transaction.atomic():
            return MailDomain.objects.create(domain=domain, name=name)
    except IntegrityError:
        raise MailDomainError(f"{name} was given to another domain meanwhile") from None


def remove_mail_domain(*, domain: Domain, name: str) -> None:
    """Take a mail domain back; refused while the domain still receives mail on it."""
    try:
        name = normalise_mail_domain(name)
    except ValueError as error:
        raise MailDomainError(str(error)) from None
    row = MailDomain.objects.filter(domain=domain, name=name).first()
    if row is None:
        raise MailDomainError(f"{name} is not a mail domain of {domain.slug}")
    if domain.inbound_addresses.filter(address__endswith=f"@{name}").exists():
        raise MailDomainError(
            f"{domain.slug} still receives mail on addresses of {name}: remove them first"
        )
    row.delete()
