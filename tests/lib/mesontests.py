#!/usr/bin/python3
"""Select meson tests from `meson introspect BUILDDIR --tests` (JSON on stdin).

usage: mesontests.py SUITE [--exclude-suite S] [--built]
Prints one line per test of SUITE (not in the excluded suite): `RUN name`, or with --built
`RUN name` when its program exists and `MISSING name` when it was not built. Exit 1 when the
suite has no test at all.
"""
import json
import os
import sys


def suites(test):
    # meson writes "project:suite"
    return {s.split(":")[-1] for s in test.get("suite", [])}


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    suite, exclude, built = args[0], None, "--built" in args
    if "--exclude-suite" in args:
        exclude = args[args.index("--exclude-suite") + 1]
    found = 0
    for test in json.load(sys.stdin):
        s = suites(test)
        if suite not in s or (exclude and exclude in s):
            continue
        found += 1
        exists = bool(test.get("cmd")) and os.path.exists(test["cmd"][0])
        print(("RUN " if exists or not built else "MISSING ") + test["name"])
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
