#!/usr/bin/env bash
# Every shipped lab scenario: its expectations hold, and two runs with the same seed print the
# same bytes. Prints PASS/FAIL per scenario; exits 1 if any failed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ikegate=${IKEGATE:-$top/build/src/cli/ikegate}
export IKEGATE_LAB_DIR=$top/lab/scenarios
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0 pass=0
start=$(date +%s.%N)
for f in "$top"/lab/scenarios/*.lab; do
	name=$(basename "$f" .lab)
	if ! "$ikegate" lab run "$name" >"$out/$name.1" 2>&1; then
		echo "FAIL lab-$name (expectations)"; sed 's/^/    /' "$out/$name.1" | tail -40
		fail=$((fail + 1)); continue
	fi
	"$ikegate" lab run "$name" >"$out/$name.2" 2>&1
	if ! cmp -s "$out/$name.1" "$out/$name.2"; then
		echo "FAIL lab-$name (two runs with the same seed differ)"
		diff "$out/$name.1" "$out/$name.2" | head -20
		fail=$((fail + 1)); continue
	fi
	echo "PASS lab-$name"
	pass=$((pass + 1))
done
end=$(date +%s.%N)
echo "lab: $pass scenarios passed, $fail failed, wall time $(echo "$end - $start" | bc 2>/dev/null || echo '?') s"
[ "$fail" -eq 0 ]
