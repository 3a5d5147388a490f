"""The bulk path's shared-reference rule (tickets.matching.by_shared_reference) over the
database plus the messages before it in the run: two replies to a parent that is not stored
yet go to one ticket when the second one's sender takes part in it."""

from dataclasses import dataclass, field

from comptoir.campaigns.models import Campaign
from comptoir.lib.text import clean
from comptoir.mail.inbound import address_list
from comptoir.mail.parse import ParsedEmail
from comptoir.tickets.matching import (
    SHARED_CANDIDATES,
    message_people,
    named_keys,
    reference_keys,
    shared_detail,
    sharing_tickets,
    ticket_participants,
)
from comptoir.tickets.models import Ticket


@dataclass
class Prepared:
    """An ordinary message, parsed and routed, waiting to be written with its run."""

    label: str
    raw: bytes
    parsed: ParsedEmail
    campaign: Campaign
    key: str
    reference_keys: list[str] = field(default_factory=list)
    # The SMTP/LMTP envelope, stored on its RawMessage as ingest_email does ("" and [] else).
    envelope_from: str = ""
    envelope_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """The ticket a message goes to: an existing one, or the n-th new ticket of the run."""

    ticket_id: int | None = None
    new: int | None = None


def sender_of(item: Prepared) -> str:
    """The sender as ingest stores it (mail.inbound.to_inbound: else the envelope's)."""
    sender = item.parsed.from_addr or item.parsed.sender
    if sender and sender.email:
        return sender.email.lower()
    return item.envelope_from.strip("<>").lower()


def people_of(item: Prepared) -> set[str]:
    parsed = item.parsed
    return message_people(
        clean(sender_of(item), 320), address_list(parsed.to), address_list(parsed.cc)
    )


@dataclass
class Sharing:
    domain_id: int
    own_addresses: set[str]
    named: dict[str, list[Target]] = field(default_factory=dict)  # key -> run tickets naming it
    people: dict[Target, set[str]] = field(default_factory=dict)  # the run's participants
    stored: dict[int, set[str]] = field(default_factory=dict)  # participants read from the db

    def note(self, item: Prepared, target: Target) -> None:
        """A message of the run was filed in `target`."""
        for key in item.reference_keys:
            targets = self.named.setdefault(key, [])
            if target not in targets:
                targets.append(target)
        self.people.setdefault(target, set()).update(people_of(item))

    def participants(self, target: Target) -> set[str]:
        people = set(self.people.get(target, set()))
        if target.ticket_id is not None:
            if target.ticket_id not in self.stored:
                ticket = Ticket.objects.select_related("contact").get(pk=target.ticket_id)
                self.stored[target.ticket_id] = ticket_participants(ticket, self.own_addresses)
            people |= self.stored[target.ticket_id]
        return {p for p in people if p} - self.own_addresses

    def candidates(self, key: str, stored: bool) -> list[Target]:
        """Tickets naming `key`: the database's first, then the run's, as ingest_email sees
        them one message after the other."""
        found = (
            [Target(ticket_id=t) for t in sharing_tickets(self.domain_id, key)] if stored else []
        )
        found += self.named.get(key, [])
        return list(dict.fromkeys(found))[:SHARED_CANDIDATES]

    def find(self, item: Prepared) -> tuple[Target | None, str, str]:
        sender = sender_of(item)
        if not sender:
            return None, "", ""
        keys = reference_keys(item.parsed.in_reply_to, item.parsed.references)
        stored = named_keys(self.domain_id, [key for key, _h, _i in keys])
        for key, _header, message_id in keys:
            for target in self.candidates(key, key in stored):
                if sender in self.participants(target):
                    return target, "shared-reference", shared_detail(message_id)
        return None, "", ""
