"""Run one measured phase in subprocesses and turn what they report into a Measurement."""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.databases import Target
from bench.worker import RESULT


class PhaseError(Exception):
    pass


def judge(*, failed: bool, met: bool | None, passed: str = "PASS") -> str:
    """A row's verdict: FAILED when its check failed (its figures mean nothing), else whether
    it met its target (`passed`) or not (BELOW); blank without a target."""
    if failed:
        return "FAILED"
    if met is None:
        return ""
    return passed if met else "BELOW"


@dataclass(kw_only=True)
class Checked:
    """What a benchmark's row carries besides its figures: what its check found (`failed`:
    the figures mean nothing), details for its JSON, and the machine's 1-minute load average
    when it ended (other work on the machine skews figures)."""

    check: str = ""
    failed: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
    load: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))


@dataclass
class Measurement:
    phase: str  # parse-only | ingest | comptoir ingest (mbox)
    database: str
    processes: int
    messages: int
    seconds: float
    outcomes: dict[str, int]
    check: str = ""  # what the outcomes prove (threading), or what went wrong
    failed: bool = False  # the outcomes are wrong: the rate means nothing
    target: float | None = None  # emails/s
    per_process: list[dict[str, Any]] = field(default_factory=list)
    queries: dict[str, Any] = field(default_factory=dict)
    # 1-minute load average when the phase ended: other work on the machine skews figures.
    load: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def verdict(self) -> str:
        return judge(
            failed=self.failed, met=None if self.target is None else self.rate >= self.target
        )


def worker_command(mode: str, corpus: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "bench.worker", mode, str(corpus), *extra]


def start_worker(args: list[str], target: Target, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        env=target.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )


def result_in(output: str, status: int) -> dict[str, Any] | None:
    """The `RESULT {json}` line a bench process printed, if it exited 0."""
    for line in output.splitlines():
        if line.startswith(RESULT) and status == 0:
            result: dict[str, Any] = json.loads(line[len(RESULT) :])
            return result
    return None


def read_result(process: subprocess.Popen[str], log: Path) -> dict[str, Any]:
    out, _err = process.communicate()
    result = result_in(out, process.returncode)
    if result is not None:
        return result
    tail = log.read_text(errors="replace")[-3000:]
    raise PhaseError(f"worker exited with {process.returncode}:\n{tail}")


def wait_ready(process: subprocess.Popen[str], log: Path) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        tail = log.read_text(errors="replace")[-3000:]
        raise PhaseError(f"worker did not start ({line.strip()!r}):\n{tail}")


def release(started: list[tuple[subprocess.Popen[str], Path]]) -> None:
    """Once every process said it is ready, tell them all to go: they start together."""
    for process, log in started:
        wait_ready(process, log)
    for process, _log in started:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def run_released(
    commands: list[list[str]], target: Target, logs: list[Path]
) -> list[dict[str, Any]]:
    """Start the commands (each one's stderr to its log), release them together, return
    their results."""
    started = [
        (start_worker(command, target, log), log)
        for command, log in zip(commands, logs, strict=True)
    ]
    release(started)
    return [read_result(process, log) for process, log in started]


def run_side_by_side(
    mode: str, corpora: list[Path], target: Target, extra: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Start one worker per corpus, release them together, return their results."""
    logs = [target.data_dir / f"{mode}-{i}.log" for i in range(len(corpora))]
    commands = [worker_command(mode, corpus, "--wait", *extra) for corpus in corpora]
    return run_released(commands, target, logs)


def combine(phase: str, database: str, results: list[dict[str, Any]]) -> Measurement:
    """Wall time from the first loop's start to the last loop's end."""
    outcomes: Counter[str] = Counter()
    for result in results:
        outcomes.update(result["outcomes"])
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return Measurement(
        phase=phase,
        database=database,
        processes=len(results),
        messages=sum(r["messages"] for r in results),
        seconds=wall if len(results) > 1 else results[0]["seconds"],
        outcomes=dict(outcomes),
        per_process=[
            {
                "messages": r["messages"],
                "seconds": round(r["seconds"], 3),
                "cpu_seconds": round(r["cpu_seconds"], 3),
            }
            for r in results
        ],
        queries=results[0].get("queries", {}) if len(results) == 1 else {},
    )


def threading_check(outcomes: dict[str, int], new: int, replies: int) -> str:
    """Every new request opened a ticket and every reply joined its parent's ticket."""
    created, appended = outcomes.get("created", 0), outcomes.get("appended", 0)
    if created == new and appended == replies and sum(outcomes.values()) == new + replies:
        return "ok"
    return f"MISMATCH: expected {new} created + {replies} appended, got {outcomes}"


@dataclass
class CliRun:
    seconds: float  # wall time, Django start-up included
    outcomes: dict[str, int]
    lines: int  # JSON lines written: one per message handled
    status: int
    unexpected: list[str]  # the first lines that were neither "created" nor "appended"


def run_cli_mbox(mbox: Path, target: Target, *, auto_reply: bool = False) -> CliRun:
    """`comptoir ingest --domain demo --campaign support --no-auto-reply MBOX`, timed from the
    outside: an archive import, which never acknowledges old mail (docs/outbound.md).
    With auto_reply, without --no-auto-reply: new tickets are acknowledged (bench.paths)."""
    output = target.data_dir / "ingest-output.jsonl"
    args = [sys.executable, "-m", "comptoir.cli", "ingest", "--domain", "demo"]
    args += ["--campaign", "support", *([] if auto_reply else ["--no-auto-reply"]), str(mbox)]
    log = target.data_dir / "cli.log"
    with output.open("w") as out, log.open("w") as err:
        started = time.perf_counter()
        done = subprocess.run(args, env=target.env, stdout=out, stderr=err, check=False)
        seconds = time.perf_counter() - started
    outcomes: Counter[str] = Counter()
    unexpected: list[str] = []
    lines = 0
    with output.open() as handle:
        for line in handle:
            lines += 1
            outcome = json.loads(line)["outcome"]
            outcomes[outcome] += 1
            if outcome not in ("created", "appended") and len(unexpected) < 3:
                unexpected.append(line.strip()[:500])
    return CliRun(seconds, dict(outcomes), lines, done.returncode, unexpected)
