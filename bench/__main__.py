"""`python -m bench [name ...]`: run the named benchmarks, or all of them."""

from __future__ import annotations

import asyncio
import importlib
import sys

BENCHMARKS = ["triggers", "outbox", "bookings"]


def main(argv: list[str]) -> None:
    for name in argv or BENCHMARKS:
        print(f"\n=== bench: {name}")
        module = importlib.import_module(f"bench.{name}")
        asyncio.run(module.main())


if __name__ == "__main__":
    main(sys.argv[1:])
