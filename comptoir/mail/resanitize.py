"""Re-sanitise the stored HTML bodies after the sanitising policy (lib/html.py) changed.

Pages show Message.html as stored, sanitised once at ingest (issue 10, finding 3: sanitising at
every view let one deeply nested message stall the web workers). So a stricter policy reaches
the messages already stored only through this rewrite: `comptoir resanitize [--domain SLUG]`.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from comptoir.lib.html import sanitize_html
from comptoir.lib.text import clean
from comptoir.mail.parse import ParseLimitError, parse_email
from comptoir.tenancy.models import Domain
from comptoir.tickets.models import Message

BATCH_SIZE = 200


@dataclass
class Tally:
    checked: int = 0
    rewritten: int = 0
    from_stored: int = 0  # no raw source to go back to: the stored copy was sanitised again


def resanitize(*, domain: Domain | None = None, batch_size: int = BATCH_SIZE) -> Tally:
    """Sanitise every stored HTML body again, in batches of `batch_size` rows (bounded memory).

    From the raw source when there is one (the sender's markup, so a policy that now allows more
    gets it back), else from the stored copy (a stricter policy still applies)."""
    tally = Tally()
    for batch in batches(domain, batch_size):
        changed = []
        for message in batch:
            tally.checked += 1
            html = fresh_html(message, tally)
            if html != message.html:
                message.html = html
                changed.append(message)
        Message.objects.bulk_update(changed, ["html"])
        tally.rewritten += len(changed)
    return tally


def batches(domain: Domain | None, batch_size: int) -> Iterator[list[Message]]:
    """Messages with an HTML body by ascending id; each batch read only when the last is done."""
    rows = Message.objects.exclude(html="").select_related("raw").order_by("pk")
    if domain is not None:
        rows = rows.filter(domain=domain)
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def fresh_html(message: Message, tally: Tally) -> str:
    if message.raw is not None:
        try:
            parsed = parse_email(bytes(message.raw.content))
        except ParseLimitError:
            parsed = None  # the limits were lowered since: keep to the stored copy
        if parsed is not None and parsed.html:
            return clean(sanitize_html(parsed.html))
    tally.from_stored += 1
    return clean(sanitize_html(message.html))
