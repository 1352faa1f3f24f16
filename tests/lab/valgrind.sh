#!/usr/bin/env bash
# Issue 9: whole lab scenarios under valgrind memcheck, no error and no leak: the technote's
# two routers (IKE main + quick mode, ESP, NAT, views) and the fault scenarios (DPD after a
# peer restart, a link cut, rekeying under traffic with phase-1 and phase-2 rekeys, 30 % loss).
# Every gateway is created, runs and is freed inside one process, so a leak anywhere in the
# core (SAs, IKE state, OpenSSL contexts, the NAT table, the history) shows up here.
# Exit 0 pass, 1 fail, 77 when valgrind is not installed. Well under 60 s.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${IKG_BUILD:-$top/build}
ikegate=${IKEGATE:-$build/src/cli/ikegate}
export IKEGATE_LAB_DIR=$top/lab/scenarios
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
[ -x "$ikegate" ] || { echo "SKIP: no $ikegate (build first)"; exit 77; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
t0=$SECONDS
for s in technote-routers fault-dpd-peer-restart fault-link-cut fault-rekey-under-traffic fault-lossy-negotiation; do
  [ -f "$IKEGATE_LAB_DIR/$s.lab" ] || { echo "FAIL $s: no such scenario"; fail=1; continue; }
  t=$SECONDS
  if valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
      --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
      --log-file="$out/$s.vg" "$ikegate" lab run "$s" >"$out/$s.out" 2>&1; then
    echo "PASS valgrind lab $s ($((SECONDS - t)) s)"
  else
    rc=$?
    if [ "$rc" -eq 99 ] || [ -s "$out/$s.vg" ]; then
      echo "FAIL valgrind lab $s: memcheck errors or leaks"; head -n 60 "$out/$s.vg"
    else
      echo "FAIL valgrind lab $s: exit $rc (expectations?)"; tail -n 20 "$out/$s.out"
    fi
    fail=1
  fi
done
echo "valgrind lab: $((SECONDS - t0)) s"
exit $fail
