#!/usr/bin/env bash
# A scenario file with an error gets FILE:LINE: error: ... (expected ...); a false expectation
# makes `lab run` fail; an unknown scenario is refused; `lab list` shows the shipped ones.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ikegate=${IKEGATE:-$top/build/src/cli/ikegate}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fails=0
check() { # check NAME EXPECTED-LINE PATTERN  (scenario text on stdin)
	local name=$1 line=$2 pat=$3 out rc
	cat >"$d/$name.lab"
	out=$("$ikegate" lab run "$d/$name.lab" 2>&1 </dev/null); rc=$?
	if [ "$rc" -ne 1 ] || ! grep -qF -- "$d/$name.lab:$line: error: " <<<"$out" ||
	   ! grep -qF -- "$pat" <<<"$out"; then
		echo "FAIL $name: rc=$rc, want '$name.lab:$line: error: ...$pat'"; echo "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "PASS $name: $(head -1 <<<"$out" | sed "s|$d/||")"
	fi
}
gw='gateway a <<END
gateway = { wan-address = "10.0.0.1"; };
END'
printf 'title x\ngatway a <<END\n' | check unknown-directive 2 "unknown directive 'gatway' (expected"
printf '%s\nat 5x show a log\n' "$gw" | check bad-time 4 "bad time '5x' (expected"
printf '%s\nat 1s show b log\n' "$gw" | check unknown-gateway 4 "unknown gateway 'b'"
printf 'gateway a <<END\ngateway = { wan-address = "10.0.0.1";\n  wan-adress = "x"; };\nEND\n' |
	check config-error 3 "unknown key"
printf 'gateway a <<END\ngateway = { wan-address = "10.0.0.1"; };\n' | check unterminated 1 "no closing 'END' line"
printf '%s\nat 5s print one\nat 4s print two\n' "$gw" | check backwards 5 "time goes backwards"
printf '%s\nat 1s show a everything\n' "$gw" | check bad-view 4 "expected a view"
printf 'title empty\nseed 3\n' | check no-gateway 2 "no gateway declared"
printf '%s\nat 1s ping nobody 10.0.0.2\n' "$gw" | check unknown-host 4 "unknown host 'nobody'"
printf '%s\nwan a loss 300%%\n' "$gw" | check bad-loss 4 "bad value '300%' for loss"

# a false expectation fails the run: the lab's assertions can fail
printf '%s\nat 1s expect a log "IKE: phase 2 complete"\n' "$gw" >"$d/false.lab"
if "$ikegate" lab run "$d/false.lab" >"$d/out" 2>&1; then
	echo "FAIL false-expectation: exit 0"; fails=$((fails + 1))
elif grep -q 'FAILED' "$d/out"; then echo "PASS false-expectation"
else echo "FAIL false-expectation: no FAILED line"; cat "$d/out"; fails=$((fails + 1)); fi
if "$ikegate" lab run no-such-scenario >/dev/null 2>&1; then
	echo "FAIL unknown scenario accepted"; fails=$((fails + 1))
else echo "PASS unknown-scenario"; fi
if IKEGATE_LAB_DIR=$top/lab/scenarios "$ikegate" lab list | grep -q '^technote-routers .*two routers'; then
	echo "PASS lab-list"
else echo "FAIL lab-list"; fails=$((fails + 1)); fi
[ "$fails" -eq 0 ]
