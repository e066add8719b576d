#!/usr/bin/env python3
"""Write the Heilongjiang demo package ``matchmaker/data/demo.json`` (seeded, deterministic).

    python scripts/generate_demo.py [--out PATH] [--seed 2020]

A thin wrapper over :func:`matchmaker.demo.generate.write`; see that module and
``docs/reference-data.md`` for what the demo holds.  Run the matcher and the weekly report
on it with ``--as-of 2020-03-16`` (ISO week 2020-W12).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchmaker.demo.generate import AS_OF, DEMO_FILE, SEED, write  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEMO_FILE)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    package = write(args.out, args.seed)
    firms = package["firms"]
    leading = sum(f["kind"] == "leading" for f in firms)
    print(f"{args.out}: {len(firms)} firms ({leading} leading, {len(firms) - leading} SMEs), "
          f"{len(package['needs'])} needs, {len(package['offers'])} offers, {len(package['links'])} links, "
          f"{len(package['regions'])} regions; as of {AS_OF.isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
