#!/usr/bin/env bash
# ikegate: THE test command (README, CI). Run as root on Debian 12:  bash tests/run.sh
#
#  1. scripts/setup.sh           packages, libreswan, build/ and build-asan/
#  2. unit + bench-smoke         meson test -C build-asan (ASan+UBSan), each test counted
#  3. tests/lab/*.sh             lab scenario tests
#  4. tests/ns/*.sh              namespace tests with real peers (timeout each)
#  5. ns-asan                    a few of them again with the ASan+UBSan daemons of build-asan/
#  6. valgrind                   unit tests (ELF ones) from build/ under memcheck, except
#                                the ones also in suite 'no-valgrind'
#
# Prints `PASS name` / `FAIL name` / `SKIP name` per test and ends with one line
# `N passed, N failed[, N skipped]`; exits 1 if anything failed.
#
# Knobs (environment):
#   RUN_VALGRIND=0       skip the valgrind phase (default 1: all ELF unit tests)
#   RUN_NS=0             skip lab and namespace tests
#   IKG_TEST_FILTER=RE   only lab/ns scripts whose name matches RE (extended regex)
#   IKG_NS_TIMEOUT=300   seconds per lab/ns script
#   IKG_SKIP_SETUP=1     do not run scripts/setup.sh (developer loop; CI never sets it)
# Logs: build/test-logs/ (setup.log, meson-*.out/json, NAME.log per script).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
logs=$top/build/test-logs

PASSED=0 FAILED=0 SKIPPED=0
PHASES=()
T_START=$SECONDS

result() {  # result PASS|FAIL|SKIP NAME
  echo "$1 $2"
  case $1 in PASS) PASSED=$((PASSED + 1)) ;; FAIL) FAILED=$((FAILED + 1)) ;; SKIP) SKIPPED=$((SKIPPED + 1)) ;; esac
}

phase_done() { PHASES+=("$1 $(( SECONDS - $2 ))s"); }

print_tail() {  # print_tail FILE [N]
  tail -n "${2:-40}" "$1" 2>/dev/null | sed 's/^/    | /'
}

# ---- 1. setup ----------------------------------------------------------------------------------
run_setup() {
  local t0=$SECONDS rc tmp
  if [ -n "${IKG_SKIP_SETUP:-}" ]; then return 0; fi
  tmp=$(mktemp)
  bash scripts/setup.sh </dev/null 2>&1 | tee "$tmp" | grep --line-buffered '^setup:'
  rc=${PIPESTATUS[0]}
  mkdir -p "$logs"; mv "$tmp" "$logs/setup.log"
  if [ "$rc" -ne 0 ]; then
    result FAIL "setup (scripts/setup.sh exit $rc; build/test-logs/setup.log)"
    print_tail "$logs/setup.log" 40
  fi
  phase_done setup "$t0"
}

# ---- 2. meson test suites ----------------------------------------------------------------------
# meson_suite BUILDDIR SUITE LABEL [meson test args...]
# Tests in suite 'no-valgrind' are left out when the label is "valgrind".
meson_suite() {
  local dir=$1 suite=$2 label=$3; shift 3
  local t0=$SECONDS json out="$logs/meson-$label.out" rc line intro excl=()
  [ "$label" = valgrind ] && excl=(--exclude-suite no-valgrind)
  if [ ! -f "$dir/build.ninja" ]; then
    result FAIL "$label (no $dir: setup failed)"
    return
  fi
  intro=$(meson introspect "$dir" --tests 2>/dev/null)
  if ! /usr/bin/python3 tests/lib/mesontests.py "$suite" "${excl[@]}" <<<"$intro" >/dev/null; then
    echo "note: no tests in suite '$suite' yet" >&2
    phase_done "$label" "$t0"
    return
  fi
  # testlog.json, or testlog-WRAPPER.json under --wrap: whichever this run writes
  rm -f "$dir"/meson-logs/testlog*.json
  meson test -C "$dir" --suite "$suite" "$@" </dev/null >"$out" 2>&1
  rc=$?
  json=$(ls -t "$dir"/meson-logs/testlog*.json 2>/dev/null | head -n 1)
  if [ -z "$json" ]; then
    # The rebuild failed (an area does not compile). Say where, count every test whose program
    # could not be built as failed, and run the ones that were built (setup uses ninja -k 0).
    result FAIL "$label: build (meson test exit $rc; build/test-logs/meson-$label.out)"
    grep -E -A12 '^FAILED: ' "$out" | head -n 30 | sed 's/^/    | /'
    local names=() kind name
    intro=$(meson introspect "$dir" --tests 2>/dev/null)
    while read -r kind name; do
      case $kind in
        RUN) names+=("$name") ;;
        MISSING) result FAIL "$label:$name (not built)" ;;
      esac
    done < <(/usr/bin/python3 tests/lib/mesontests.py "$suite" "${excl[@]}" --built <<<"$intro")
    if [ "${#names[@]}" -gt 0 ]; then
      meson test -C "$dir" --no-rebuild "$@" "${names[@]}" </dev/null >>"$out" 2>&1
      rc=$?
      json=$(ls -t "$dir"/meson-logs/testlog*.json 2>/dev/null | head -n 1)
    fi
    [ -n "$json" ] || { phase_done "$label" "$t0"; return; }
  fi
  cp "$json" "$logs/meson-$label.json"
  local counts=""
  while IFS= read -r line; do
    case $line in
      "COUNTS "*) counts=${line#COUNTS } ;;
      *) echo "$line" ;;
    esac
  done < <(/usr/bin/python3 tests/lib/testlog.py "$json" "$label" ${HIDE_SKIPS:+--hide-skips})
  read -r p f s <<<"$counts"
  PASSED=$((PASSED + ${p:-0})) FAILED=$((FAILED + ${f:-1})) SKIPPED=$((SKIPPED + ${s:-0}))
  if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
    result FAIL "$label (meson test exit $rc; build/test-logs/meson-$label.out)"
    print_tail "$out" 20
  fi
  phase_done "$label" "$t0"
}

# ---- 3./4. script tests (exit 0 pass, 1 fail, 77 skip) -----------------------------------------
# leftover namespaces of a test killed hard: remove them (they carry the prefix we gave it)
reap_namespaces() {
  local prefix=$1 ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${prefix}-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null && echo "    | removed leftover namespace $ns"
  done
}

# run_script LABEL BUILD FILE N: one script test with the binaries of BUILD, counted as LABEL
run_script() {
  local label=$1 build=$2 f=$3 n=$4 name logf rc prefix t1
  local timeout_s=${IKG_NS_TIMEOUT:-300}
  name=$(basename "$f" .sh)
  logf="$logs/${label//:/-}.log"
  prefix="ikgt$$r$n"
  t1=$SECONDS
  IKG_PREFIX=$prefix IKG_TOP=$top IKG_BUILD=$build IKG_BUILD_ASAN=$top/build-asan \
    IKG_KEEP_ON_FAIL=1 IKG_TEST_NAME=$name \
    timeout -k 20 "$timeout_s" bash "$f" </dev/null >"$logf" 2>&1
  rc=$?
  echo "$(( SECONDS - t1 )) $label" >>"$logs/durations.txt"
  case $rc in
    0) result PASS "$label" ;;
    77) result SKIP "$label ($(grep -m1 -o 'SKIP: .*' "$logf" | cut -c7- || true))" ;;
    124|137) result FAIL "$label (timeout after ${timeout_s}s; build/test-logs/${logf##*/})"; print_tail "$logf" 40 ;;
    *) result FAIL "$label (exit $rc; build/test-logs/${logf##*/})"; print_tail "$logf" 40 ;;
  esac
  reap_namespaces "$prefix"
}

script_tests() {  # script_tests KIND (lab|ns)
  local kind=$1 t0=$SECONDS f name n=0
  for f in tests/"$kind"/*.sh; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .sh)
    if [ -n "${IKG_TEST_FILTER:-}" ] && ! grep -qE -- "$IKG_TEST_FILTER" <<<"$name"; then continue; fi
    n=$((n + 1))
    run_script "$kind:$name" "$top/build" "$f" "$n"
  done
  [ "$n" -gt 0 ] && phase_done "$kind" "$t0"
  return 0
}

# The daemons under ASan+UBSan: a few namespace tests that drive ikegated hard run again with
# the build-asan binaries; tests/lib/ikegated.sh fails a test on any sanitizer report.
SANITIZED_NS="dp_trigger_queue hostile_ike hostile_esp reload journal_kill9"
sanitized_tests() {
  local t0=$SECONDS name n=100
  [ -x "$top/build-asan/src/daemon/ikegated" ] || { result FAIL "ns-asan (no build-asan daemon)"; return 0; }
  for name in $SANITIZED_NS; do
    if [ -n "${IKG_TEST_FILTER:-}" ] && ! grep -qE -- "$IKG_TEST_FILTER" <<<"$name"; then continue; fi
    n=$((n + 1))
    run_script "ns-asan:$name" "$top/build-asan" "tests/ns/$name.sh" "$n"
  done
  phase_done ns-asan "$t0"
}

# ---- run ---------------------------------------------------------------------------------------
run_setup
mkdir -p "$logs"
rm -f "$logs/durations.txt"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
meson_suite build-asan unit unit --timeout-multiplier 3
meson_suite build-asan bench-smoke bench-smoke --timeout-multiplier 3

if [ "${RUN_NS:-1}" != 0 ]; then
  script_tests lab
  script_tests ns
  sanitized_tests
fi

if [ "${RUN_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
  # a test too slow under valgrind (bignum reference tests...) opts out with suite 'no-valgrind'
  HIDE_SKIPS=1 meson_suite build unit valgrind --no-suite no-valgrind \
    --wrap="$top/tests/lib/valgrind-wrap.sh" \
    --timeout-multiplier 20 --num-processes "$(nproc)"
fi

if [ -s "$logs/durations.txt" ]; then
  echo "slowest scripts: $(sort -rn "$logs/durations.txt" | head -n 5 | awk '{printf "%s %ss, ", $2, $1}')" >&2
fi
echo "time: ${PHASES[*]:-} total $(( SECONDS - T_START ))s" >&2
summary="$PASSED passed, $FAILED failed"
[ "$SKIPPED" -gt 0 ] && summary+=", $SKIPPED skipped"
echo "$summary"
[ "$FAILED" -eq 0 ]
