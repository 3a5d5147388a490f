"""Issue 10, findings 5 and 6, the class: the addresses a domain receives on and sends from
are written in one place each, which checks them (campaigns.actions: campaign, routing), and
outbound mail is stored in one place, which checks its sender (tickets.outbound.queue). A new
writer elsewhere must go through them, or be added here with the reason it is safe."""

import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from comptoir.campaigns.addresses import may_use
from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.tickets.outbound import sender_address

ROOT = Path(__file__).resolve().parents[2] / "comptoir"
WRITERS = {
    # Writes inbound addresses and senders: the checked actions.
    "campaigns/actions/campaign.py",
    "campaigns/actions/routing.py",
    # The demo's own addresses, in demo.localhost, which the demo domain owns (checked below).
    "demo/people.py",
    "demo/replies.py",
}
ADDRESS_WRITES = re.compile(
    r"(?<!class )InboundAddress\(|InboundAddress\.objects\.(create|get_or_create|update_or_create"
    r"|bulk_)|campaign\.(sender_email|reply_to) = |(?<!in_)reply_to=campaign|sender_email="
)
# A file that builds Message rows (not queries) and speaks of outbound ones.
MESSAGE_ROWS = re.compile(r"(?<!class )(?<![\w.])Message\(")


def sources() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_only_the_checked_actions_write_addresses_and_senders() -> None:
    writers = {name for name, text in sources() if ADDRESS_WRITES.search(text)}
    # Composing a Draft names reply_to=campaign.reply_to: reading, not writing; queue checks it.
    writers -= {
        "tickets/outbound.py",
        "tickets/auto_reply_draft.py",
        "ui/administration/campaign_editor/info.py",
    }
    assert writers <= WRITERS, writers - WRITERS


def test_outbound_messages_are_stored_only_by_the_checked_queue() -> None:
    makers = {
        name
        for name, text in sources()
        if MESSAGE_ROWS.search(text) and "Direction.OUTBOUND" in text
    }
    # tickets/actions.py builds inbound rows; it reads the direction of a bounce's original.
    assert makers <= {"tickets/outbound.py", "tickets/actions.py"}, makers
    text = (ROOT / "tickets/outbound.py").read_text(encoding="utf-8")
    queue = text.split("def queue(", 1)[1].split("\ndef ", 1)[0]
    assert "check_sender(ticket, draft)" in queue


def test_the_demo_uses_only_its_own_mail_domain(db: None) -> None:
    call_command("demo", agents=1, stdout=StringIO())
    for row in InboundAddress.objects.all():
        assert may_use(row.domain_id, row.address), row.address
    for campaign in Campaign.objects.all():
        assert may_use(campaign.domain_id, sender_address(campaign))
        assert not campaign.reply_to or may_use(campaign.domain_id, campaign.reply_to)
