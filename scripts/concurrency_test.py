#!/usr/bin/env python3
"""Six sessions edit one evaluation at once: four each on their own sub-question, two on the same
one, N edits each, every edit also adding one to a shared counter. Prints the lost updates.

    python scripts/concurrency_test.py              # 500 edits per session
    python scripts/concurrency_test.py --edits 2000
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faults import concurrent_sessions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        tally = concurrent_sessions(Path(tmp) / "db", args.edits)
        seconds = time.perf_counter() - started
    print(f"sessions: {tally.processes} (4 on their own sub-question, 2 on the same one)")
    print(f"edits: {tally.edits}")
    print(f"lost updates: {tally.lost}")
    print(f"the shared sub-question ends with: {tally.same_question_final!r}")
    print(f"time: {seconds:.1f} s ({tally.edits / seconds:.0f} edits/s)")
    for line in tally.problems:
        print("  " + line)
    return 1 if tally.problems else 0


if __name__ == "__main__":
    sys.exit(main())
