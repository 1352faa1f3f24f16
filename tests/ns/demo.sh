#!/usr/bin/env bash
# Issue 7, acceptance 4: `ikegate demo` runs from a fresh clone with the README's first command
# and exits 0.
#
# Clones the repository (the committed HEAD of $IKG_TOP: uncommitted files are not in a clone,
# as on CI), takes the README's first fenced code block of the clone exactly as written, runs it
# in the clone (scripts/setup.sh builds build/ and build-asan/ there: a few minutes), and checks:
# exit 0, the Quick View of both gateways with the tunnel up, the history lines "IKE: phase 1
# complete" and "IKE: phase 2 complete", and that the demo left no namespace behind.
#
# IKG_DEMO_TIMEOUT (seconds) bounds the README command; default: 30 s less than tests/run.sh's
# per-test timeout (IKG_NS_TIMEOUT, default 300), so that a slow build ends in a message and the
# tail of its log rather than in run.sh's kill. The command needs ~1.5 min of CPU (two builds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"

ikg_test_init
require_cmd git timeout
git -C "$IKG_TOP" rev-parse --verify -q HEAD >/dev/null 2>&1 || skip "$IKG_TOP is not a git repository with a commit"

clone=$IKG_TMP/clone
t0=$SECONDS
git -c safe.directory='*' clone -q "$IKG_TOP" "$clone" || fail "git clone $IKG_TOP failed"
log "cloned $(git -C "$clone" rev-parse --short HEAD) into $clone"
[ -f "$clone/README.md" ] || fail "no README.md in the clone"

# the README's first fenced code block
cmd=$(awk '/^```/ { if (inside) exit; inside = 1; next } inside { print }' "$clone/README.md")
[ -n "$cmd" ] || fail "README.md has no fenced code block"
[ "$(wc -l <<<"$cmd")" -eq 1 ] || log "note: the first code block has $(wc -l <<<"$cmd") lines; running all of them"
log "README's first command: $cmd"
grep -q 'demo' <<<"$cmd" || fail "the README's first command does not run the demo: $cmd"

demo_ns() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^ikgdemo[0-9]+-' | sort || true; }
ns_before=$(demo_ns)

demo_timeout=${IKG_DEMO_TIMEOUT:-$(( ${IKG_NS_TIMEOUT:-300} - 30 ))}
[ "$demo_timeout" -ge 60 ] || demo_timeout=60
out=$IKG_TMP/readme-command.log
rc=0
(cd "$clone" && timeout -k 10 "$demo_timeout" bash -c "$cmd") </dev/null >"$out" 2>&1 || rc=$?
log "README command: exit $rc after $((SECONDS - t0)) s (clone + setup + build + demo)"
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$out" >&2
  [ "$rc" -eq 124 ] && fail "the README's first command timed out after $demo_timeout s (IKG_DEMO_TIMEOUT / IKG_NS_TIMEOUT)"
  fail "the README's first command exited $rc"
fi

text=$(cat "$out")
assert_contains "$text" "ikegate demo" "demo output"
assert_contains "$text" "setup: done" "demo output (setup)"
assert_contains "$text" "VPN Quick View" "demo output"
assert_contains "$text" "IKE: phase 1 complete" "demo output"
assert_contains "$text" "IKE: phase 2 complete" "demo output"
assert_contains "$text" "the pings crossed the tunnel: OK" "demo output"
assert_contains "$text" "Total entries in NAT cache:" "demo output"
# the Quick View of both gateways shows the tunnel up with traffic counted
n_up=$(grep -cE '^tunnel +192\.0\.2\.[12] +192\.0\.2\.[12] +up +up +[1-9][0-9]* +[1-9][0-9]*' <<<"$text" || true)
[ "$n_up" -eq 2 ] || { grep -E '^tunnel ' <<<"$text" >&2 || true; fail "expected the tunnel up with traffic in both Quick Views, found $n_up"; }
grep -qE '[1-9][0-9]* received' <<<"$text" || fail "no ping replies in the demo output"

# the demo removed its namespaces
ns_after=$(demo_ns)
leaked=$(comm -13 <(printf '%s\n' "$ns_before") <(printf '%s\n' "$ns_after") | grep . || true)
[ -z "$leaked" ] || fail "the demo left namespaces behind: $leaked"

# the clone was built by the README's command, not taken from elsewhere
[ -x "$clone/build/src/cli/ikegate" ] || fail "no build/src/cli/ikegate in the clone"
log "PASS"
