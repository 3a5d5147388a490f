"""`python -m bench [ingest|outbox|play|imports|paths|runcost|supervision] [options]`
(and `make bench BENCH_ARGS=...`).

Without a name every benchmark runs, one after the other, each taking the options it knows
(`--quick` and `--keep` are understood by all); `python -m bench NAME --help` lists them.
"""

import sys

from bench import imports, ingest, outbox, paths, play, runcost, supervision

BENCHMARKS = {
    "ingest": ingest,
    "outbox": outbox,
    "play": play,
    "imports": imports,
    "paths": paths,
    "runcost": runcost,
    "supervision": supervision,
}


def unknown_to_all(argv: list[str]) -> list[str]:
    """The arguments that no benchmark accepts."""
    left = [set(m.build_parser().parse_known_args(argv)[1]) for m in BENCHMARKS.values()]
    return sorted(set.intersection(*left))


def main(argv: list[str]) -> int:
    if argv and argv[0] in BENCHMARKS:
        return BENCHMARKS[argv[0]].main(argv[1:])
    if argv and not argv[0].startswith("-"):
        print(f"unknown benchmark {argv[0]!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    if {"-h", "--help"} & set(argv):
        print(__doc__.strip())
        return 0
    unknown = unknown_to_all(argv)
    if unknown:
        print(f"no benchmark knows {' '.join(unknown)}", file=sys.stderr)
        return 2
    status = 0
    for name, module in BENCHMARKS.items():
        print(f"\n=== {name} ===", flush=True)
        status = max(status, module.main(argv, known_only=True))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
