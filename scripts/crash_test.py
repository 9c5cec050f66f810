#!/usr/bin/env python3
"""Kill a process that keeps saving scores and notes with SIGKILL at random moments, many times,
and check after every kill that the database loads and holds every save the process acknowledged.

    python scripts/crash_test.py            # 200 kills
    python scripts/crash_test.py --kills 500 --seed 3
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faults import crash_rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        tally = crash_rounds(Path(tmp) / "db", args.kills, args.seed)
        seconds = time.perf_counter() - started
    print(f"kills: {tally.kills}")
    print(f"acknowledged saves: {tally.acknowledged}")
    print(f"corrupt or unreadable databases after a kill: {tally.corrupt}")
    print(f"acknowledged saves lost: {tally.lost}")
    print(f"time: {seconds:.1f} s")
    for line in tally.problems[:20]:
        print("  " + line)
    return 1 if tally.corrupt or tally.lost else 0


if __name__ == "__main__":
    sys.exit(main())
