#!/usr/bin/env bash
# Smoke run of bench/handshake.sh (tiny size): the benchmark must run end to end and print its
# ratio line. Figures are not asserted (docs/performance.md has them). Exit 0 pass, 1 fail,
# 77 skip (no root, no /dev/net/tun, no ikegated, no strongSwan baseline).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(bash "$here/../../bench/handshake.sh" --smoke 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || exit "$rc"
grep -qE '^handshake ratio=[0-9.]+$' <<<"$out" || { echo "FAIL: no 'handshake ratio=' line" >&2; exit 1; }
exit 0
