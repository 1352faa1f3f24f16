#!/usr/bin/env bash
# The lab's scale test (issue 4): 1,000 gateway pairs, 1,000 tunnels brought up by traffic in
# one process, every profile with exactly its 3 pings sent and no discard.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ikegate=${IKEGATE:-$top/build/src/cli/ikegate}
pairs=${IKG_LAB_PAIRS:-1000}
f=$(mktemp)
trap 'rm -f "$f"' EXIT
"$ikegate" lab generate "$pairs" >"$f" || exit 1
start=$(date +%s%N)
out=$("$ikegate" lab run "$f"); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -E '^expect' <<<"$out"
echo "lab scale: $pairs pairs ($((2 * pairs)) gateways, $pairs tunnels) in ${ms} ms of wall time, exit $rc"
[ "$rc" -eq 0 ] && grep -q "expect \* counter \* tx = 3: ok ($((2 * pairs)) profiles, 0 differ)" <<<"$out"
