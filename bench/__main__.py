"""`python -m bench [ingest] [options]` (and `make bench BENCH_ARGS=...`)."""

import sys

from bench import ingest

BENCHMARKS = {"ingest": ingest.main}


def main(argv: list[str]) -> int:
    name = "ingest"
    if argv and argv[0] in BENCHMARKS:
        name, argv = argv[0], argv[1:]
    elif argv and not argv[0].startswith("-"):
        print(f"unknown benchmark {argv[0]!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return BENCHMARKS[name](argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
