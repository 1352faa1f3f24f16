#!/usr/bin/env bash
# Fuzz smoke run (issue 9): every libFuzzer target in fuzz/ (fuzz/fuzz_NAME.c) is built with
# clang (-fsanitize=fuzzer,address,undefined), its crash regressions (fuzz/regressions/NAME/)
# are replayed, then it is fuzzed for FUZZ_SECS seconds on a scratch copy of its seed corpus
# (fuzz/corpus/NAME/). Fails on any crash, sanitizer report, leak, timeout or out-of-memory;
# skips (77) when clang or its libFuzzer runtime is missing. Needs no root and no namespace.
#
# Knobs: FUZZ_SECS (default 20), FUZZ_JOBS (targets fuzzed at once, default 2),
# FUZZ_TARGETS ("ipsec_input gw_wan", default: all), FUZZ_BUILD_DIR (default build-fuzz),
# FUZZ_SAVE_CORPUS=DIR (keep each final corpus in DIR/NAME/: long runs, corpus minimization),
# FUZZ_ARGS (extra libFuzzer flags). Reproducers of a crash are kept in
# $FUZZ_BUILD_DIR/artifacts/; turn each into fuzz/regressions/NAME/<what>.bin.
#
# Long runs: FUZZ_SECS=300 FUZZ_JOBS=1 FUZZ_SAVE_CORPUS=/tmp/fz bash tests/ns/fuzz_smoke.sh
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${FUZZ_SECS:-20}
jobs=${FUZZ_JOBS:-2}
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
case $build in /*) ;; *) build=$top/$build ;; esac

log() { printf '%s [fuzz_smoke] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
skip() { log "SKIP: $*"; exit 77; }

command -v clang >/dev/null || skip "no clang (apt-get install clang libclang-rt-14-dev)"
rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)
if [ ! -f "$rt" ] && ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  skip "clang's libFuzzer runtime is missing (libclang-rt-14-dev)"
fi

targets=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  for f in "$top"/fuzz/fuzz_*.c; do t=$(basename "$f" .c); targets+=("${t#fuzz_}"); done
fi

cd "$top" || exit 1
if [ ! -f "$build/build.ninja" ]; then
  log "configuring $build (clang, -Dfuzz=true)"
  CC=clang meson setup "$build" -Dfuzz=true -Dtests=false >"${build}.setup.log" 2>&1 \
    || { cat "${build}.setup.log" >&2; log "FAIL: meson setup"; exit 1; }
fi
log "building ${targets[*]}"
# shellcheck disable=SC2046
if ! ninja -C "$build" $(printf 'fuzz/fuzz_%s ' "${targets[@]}") >"$build/fuzz-smoke-build.log" 2>&1; then
  tail -n 40 "$build/fuzz-smoke-build.log" >&2
  log "FAIL: build"; exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ikg-fuzz-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$build/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:detect_leaks=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1

# fuzz_one NAME: regressions, then SECS of fuzzing; writes $work/NAME.result
fuzz_one() {
  local t=$1 exe=$build/fuzz/fuzz_$1 d=$work/$1 rc n=0 f
  mkdir -p "$d/corpus"
  [ -d "$top/fuzz/corpus/$t" ] && cp "$top/fuzz/corpus/$t"/* "$d/corpus/" 2>/dev/null
  local notes=
  if [ -d "$top/fuzz/regressions/$t" ]; then
    for f in "$top/fuzz/regressions/$t"/*; do
      [ -f "$f" ] || continue
      n=$((n + 1))
      local known=no
      grep -qE "^$t/$(basename "$f")([[:space:]]|\$)" "$top/fuzz/regressions/known-open.txt" 2>/dev/null && known=yes
      # harness filters of known open bugs are off for regressions (FUZZ_KNOWN_BUGS)
      if ! FUZZ_KNOWN_BUGS=1 "$exe" "$f" >"$d/regression.log" 2>&1; then
        if [ "$known" = yes ]; then
          notes+=$'\n'"     KNOWN OPEN BUG: $t/$(basename "$f") still crashes (fuzz/regressions/known-open.txt, bugs.md)"
          continue
        fi
        echo "FAIL $t: regression $(basename "$f") crashes again" >"$work/$t.result"
        tail -n 30 "$d/regression.log" >>"$work/$t.result"
        return
      elif [ "$known" = yes ]; then
        notes+=$'\n'"     FIXED: $t/$(basename "$f") no longer crashes: delete its line in fuzz/regressions/known-open.txt (and the harness filter)"
      fi
    done
  fi
  (cd "$d" && "$exe" -max_total_time="$secs" -print_final_stats=1 -timeout=20 -rss_limit_mb=2560 \
      -artifact_prefix="$build/artifacts/fuzz_$t-" ${FUZZ_ARGS:-} "$d/corpus" >"$d/log" 2>&1)
  rc=$?
  local execs files bytes seeds
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
  files=$(find "$d/corpus" -type f | wc -l)
  bytes=$(find "$d/corpus" -type f -exec cat {} + | wc -c)
  seeds=$(find "$top/fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
  if [ -n "${FUZZ_SAVE_CORPUS:-}" ]; then
    mkdir -p "$FUZZ_SAVE_CORPUS/$t" && cp "$d/corpus"/* "$FUZZ_SAVE_CORPUS/$t/" 2>/dev/null
    cp "$d/log" "$FUZZ_SAVE_CORPUS/$t.log"
  fi
  if [ $rc -ne 0 ] || grep -qE '^==[0-9]+==ERROR|runtime error:|deadly signal|ERROR: libFuzzer' "$d/log"; then
    { echo "FAIL $t: exit $rc after ${execs:-?} executions; reproducer in $build/artifacts/"
      grep -E 'ERROR|runtime error|SUMMARY|Test unit written|#[0-9]+ 0x' "$d/log" | head -n 30
    } >"$work/$t.result"
  else
    echo "ok   $t: ${secs}s, ${execs:-?} executions, corpus $seeds seeds -> $files files ($bytes bytes), $n regressions$notes" >"$work/$t.result"
  fi
}

running=0
for t in "${targets[@]}"; do
  [ -x "$build/fuzz/fuzz_$t" ] || { echo "FAIL $t: not built" >"$work/$t.result"; continue; }
  log "fuzzing $t for ${secs}s"
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

bad=0
for t in "${targets[@]}"; do
  cat "$work/$t.result"
  grep -q '^FAIL' "$work/$t.result" && bad=1
done
[ "$bad" = 0 ] || { log "FAIL: a fuzz target crashed (see above)"; exit 1; }
log "all ${#targets[@]} targets clean"
exit 0
