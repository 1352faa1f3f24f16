#!/bin/sh
# Usage: fuzz/run.sh TARGET SECONDS     (TARGET: fuzz_isakmp | fuzz_ipv4_esp)
# Configures a clang build dir with the libFuzzer targets (once), builds TARGET, and fuzzes it
# for SECONDS over a scratch copy of its seed corpus (fuzz/corpus/<name>/, left untouched).
# Prints the executions and the final corpus size; exits non-zero on a crash (the reproducer is
# kept under $FUZZ_BUILD_DIR/artifacts/). Env: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_ARGS
# (extra libFuzzer flags, e.g. -max_len=8192). Runs one in-process fuzzer (no -jobs).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TARGET SECONDS" >&2; exit 2; }
target=$1
secs=$2
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
case $target in
fuzz_isakmp) seeds=$root/fuzz/corpus/isakmp ;;
fuzz_ipv4_esp) seeds=$root/fuzz/corpus/ipv4_esp ;;
*) echo "unknown target: $target" >&2; exit 2 ;;
esac

cd "$root"
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Dtests=false >/dev/null
fi
ninja -C "$build" "fuzz/$target" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/ikg-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/corpus" "$build/artifacts"
cp "$seeds"/* "$work/corpus/"
log=$work/log
cd "$work"        # libFuzzer may drop files into the current directory
set +e
# shellcheck disable=SC2086
"$build/fuzz/$target" -max_total_time="$secs" -print_final_stats=1 \
	-artifact_prefix="$build/artifacts/$target-" ${FUZZ_ARGS:-} \
	"$work/corpus" >"$log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
files=$(find "$work/corpus" -type f | wc -l)
bytes=$(find "$work/corpus" -type f -exec cat {} + | wc -c)
echo "$target: ${secs}s, executions $execs, final corpus $files files ($bytes bytes), seeds $(ls "$seeds" | wc -l)"
if [ $rc -ne 0 ] || grep -q -E '^==[0-9]+==ERROR|runtime error:|deadly signal' "$log"; then
	grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -20
	echo "$target: CRASH (exit $rc); reproducers in $build/artifacts/"
	exit 1
fi
