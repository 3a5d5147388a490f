"""Django side of the imports benchmark: `python -m bench.imports_tasks MBOX`.

Started by bench.imports with COMPTOIR_DATA_DIR and DATABASE_URL set, like bench.worker. Stores
MBOX as an upload would (imports.actions.create_import, the demo's support campaign, no user),
then runs the import as `comptoir worker` does (runner.claim_imports, then
runner.run_import_chunk with the default chunk size until it says nothing remains), timing
each chunk; then re-runs the same stored file (actions.rerun_import) the same way. Prints one
line `RESULT {json}`: per run the chunks (seconds, messages), the job's final counts, and the
tickets and outbound messages in the database; the process's peak RSS before and after.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from bench.worker import RESULT, setup_django


def peak_rss_kb() -> int:
    """The process's peak resident set so far (Linux: kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_like_the_worker(worker: str) -> dict[str, Any]:
    """runner.run_due_imports(worker, once=True), each chunk timed: claim, then chunks until
    run_import_chunk says nothing remains. The job's position is read after each chunk, off
    the clock, to know how many messages the chunk handled."""
    from comptoir.imports import runner
    from comptoir.imports.models import ImportJob

    chunks: list[dict[str, float | int]] = []
    claims: list[int] = []
    started = time.perf_counter()
    busy = 0.0
    while ids := runner.claim_imports(worker):
        claims += ids
        for job_id in ids:
            position = ImportJob.objects.get(pk=job_id).position
            more = True
            while more:
                clock = time.perf_counter()
                more = runner.run_import_chunk(job_id, worker)
                seconds = time.perf_counter() - clock
                busy += seconds
                now = ImportJob.objects.get(pk=job_id).position
                chunks.append({"seconds": seconds, "messages": now - position})
                position = now
    return {
        "claimed": claims,
        "chunks": chunks,
        "seconds": time.perf_counter() - started,  # claims and position reads included
        "chunk_seconds": busy,
    }


def job_facts(job_id: int) -> dict[str, Any]:
    from comptoir.imports.models import ImportJob

    job = ImportJob.objects.get(pk=job_id)
    return {
        "id": job.pk,
        "state": job.state,
        "position": job.position,
        "total": job.total,
        "created": job.created_count,
        "appended": job.appended_count,
        "duplicate": job.duplicate_count,
        "failed": job.failed_count,
        "errors": job.errors[:3],
        "last_error": job.last_error,
        "resume_offset": job.resume_offset,
    }


def database_facts(campaign_id: int) -> dict[str, int]:
    from comptoir.tickets.models import Direction, Message, Ticket

    return {
        "tickets": Ticket.objects.filter(campaign_id=campaign_id).count(),
        "inbound": Message.objects.filter(direction=Direction.INBOUND).count(),
        "outbound": Message.objects.filter(direction=Direction.OUTBOUND).count(),
    }


def run(mbox: Path) -> dict[str, Any]:
    from django.core.files import File

    from comptoir.campaigns.models import Campaign
    from comptoir.imports import actions, runner
    from comptoir.imports.models import ImportJob, ImportKind

    campaign = Campaign.objects.select_related("domain").get(domain__slug="demo", slug="support")
    worker = f"bench-imports-{os.getpid()}"
    rss_before = peak_rss_kb()

    clock = time.perf_counter()
    with mbox.open("rb") as handle:
        job = actions.create_import(
            campaign=campaign,
            user=None,
            kind=ImportKind.MAIL,
            filename=mbox.name,
            content=File(handle, name=mbox.name),
        )
    store_seconds = time.perf_counter() - clock

    first = run_like_the_worker(worker)
    first.update(job=job_facts(job.pk), database=database_facts(campaign.pk))
    first["peak_rss_kb"] = peak_rss_kb()

    again = actions.rerun_import(ImportJob.objects.get(pk=job.pk), user=None)
    rerun = run_like_the_worker(worker)
    rerun.update(job=job_facts(again.pk), database=database_facts(campaign.pk))
    rerun["peak_rss_kb"] = peak_rss_kb()

    return {
        "job": job.pk,
        "rerun_job": again.pk,
        "chunk_size": runner.CHUNK_SIZE,
        "store_seconds": store_seconds,
        "auto_reply_enabled": campaign.auto_reply_enabled,
        "rss_before_kb": rss_before,
        "import": first,
        "rerun": rerun,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports_tasks")
    parser.add_argument("mbox", type=Path, help="the mail archive to import")
    args = parser.parse_args()
    setup_django()
    result = run(args.mbox)
    print(RESULT + json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
