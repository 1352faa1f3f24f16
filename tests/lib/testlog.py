#!/usr/bin/python3
"""Turn meson's testlog.json (one JSON object per line) into PASS/FAIL/SKIP lines.

usage: testlog.py TESTLOG.json LABEL [--hide-skips]
Prints `PASS LABEL:name`, `FAIL LABEL:name (result)` with the tail of the test's output, or
`SKIP LABEL:name`, then a last line `COUNTS passed failed skipped` for tests/run.sh.
"""
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}
TAIL = 40


def tail(text, n=TAIL):
    lines = (text or "").rstrip("\n").splitlines()
    return lines[-n:]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, label = sys.argv[1], sys.argv[2]
    hide_skips = "--hide-skips" in sys.argv[3:]
    passed = failed = skipped = 0
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        print(f"FAIL {label} (no readable {path}: {e})")
        print("COUNTS 0 1 0")
        return 0
    for row in rows:
        # meson sometimes writes "project:suite / name"; keep the test's own name
        name = row.get("name", "?").split(" / ")[-1]
        result = row.get("result", "?")
        if result in PASSED:
            passed += 1
            print(f"PASS {label}:{name}")
        elif result in SKIPPED:
            if not hide_skips:
                skipped += 1
                print(f"SKIP {label}:{name}")
        else:
            failed += 1
            print(f"FAIL {label}:{name} ({result}, exit {row.get('returncode')}, "
                  f"{row.get('duration', 0):.1f} s)")
            out = tail(row.get("stdout")) + tail(row.get("stderr"))
            for line in out[-TAIL:]:
                print(f"    | {line}")
    print(f"COUNTS {passed} {failed} {skipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
