#!/bin/sh
# Every shipped example configuration (examples/*.conf) passes `ikegated --check`, with its
# secret-file paths pointed at temporary files of mode 0600.
set -u
ikegated=$1
examples=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=0
for f in "$examples"/*.conf; do
	for p in $(sed -n 's|.*secret-file *= *"\([^"]*\)".*|\1|p' "$f"); do
		printf 'example-secret' >"$d/$(basename "$p")"
		chmod 600 "$d/$(basename "$p")"
	done
	sed "s|\"/etc/ikegate/|\"$d/|" "$f" >"$d/check.conf"
	if ! "$ikegated" -c "$d/check.conf" --check; then
		echo "FAIL $f"
		exit 1
	fi
	n=$((n + 1))
done
[ "$n" -ge 4 ] || { echo "FAIL only $n examples found"; exit 1; }
echo "$n example configurations pass ikegated --check"
