#!/bin/bash
# ikegate demo: two gateways in network namespaces, a host behind each, an IKEv1 tunnel brought
# up by traffic, five pings through it, and the views of both gateways.
#
#   hostA 10.1.1.10 -- [10.1.1.1  gwA  192.0.2.1] ==== [192.0.2.2  gwB  10.2.2.1] -- hostB 10.2.2.10
#
# Run as root: `ikegate demo` (or `bash scripts/demo.sh`). Exits 0 when the pings got replies.
# Everything it creates (namespaces, processes, a temporary directory) is removed on exit;
# IKEGATE_DEMO_KEEP=1 keeps the directory with the configurations and the daemons' logs.
set -u

say() { printf '%s\n' "$*"; }
heading() { printf '\n=== %s ===\n' "$*"; }
die() { printf 'ikegate demo: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (it creates network namespaces): sudo ${IKEGATE:-ikegate} demo"
for tool in ip ping; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (install iproute2 / iputils-ping)"
done

# ---- the binaries: given by `ikegate demo`, else next to this script, else on PATH ----
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
find_bin() {   # name, candidates...
	local name=$1 c
	shift
	for c in "$@"; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			(cd "$(dirname "$c")" && printf '%s/%s\n' "$(pwd)" "$(basename "$c")")
			return 0
		fi
	done
	command -v "$name" 2>/dev/null
}
IKEGATE=$(find_bin ikegate "${IKEGATE:-}" "$here/../build/src/cli/ikegate") ||
	die "ikegate not found: build first (bash scripts/setup.sh)"
IKEGATED=$(find_bin ikegated "${IKEGATED:-}" "$(dirname "$IKEGATE")/../daemon/ikegated" \
	"$here/../build/src/daemon/ikegated") || die "ikegated not found: build first"

# ---- unique names, cleanup on every exit path ----
tag="ikgdemo$$"
GA="$tag-gwa"; GB="$tag-gwb"; HA="$tag-hosta"; HB="$tag-hostb"
work=$(mktemp -d "/tmp/ikegate-demo.XXXXXX") || die "mktemp failed"
pids=()
namespaces=()

cleanup() {
	local rc=$? pid i
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		for i in $(seq 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${IKEGATE_DEMO_KEEP:-0}" = 1 ]; then
		say "(configurations and logs kept in $work)"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---- the network ----
build_network() {
	local ns
	for ns in "$GA" "$GB" "$HA" "$HB"; do
		ip netns add "$ns" || die "cannot create namespace $ns"
		namespaces+=("$ns")
		ip -n "$ns" link set lo up
	done
	# WAN: gwA wan0 <-> gwB wan0
	ip -n "$GA" link add wan0 type veth peer name wan0 netns "$GB" || die "cannot create veth"
	ip -n "$GA" addr add 192.0.2.1/24 dev wan0
	ip -n "$GB" addr add 192.0.2.2/24 dev wan0
	# LANs: hostA eth0 <-> gwA lan0, hostB eth0 <-> gwB lan0
	ip -n "$HA" link add eth0 type veth peer name lan0 netns "$GA" || die "cannot create veth"
	ip -n "$HB" link add eth0 type veth peer name lan0 netns "$GB" || die "cannot create veth"
	ip -n "$GA" addr add 10.1.1.1/24 dev lan0
	ip -n "$GB" addr add 10.2.2.1/24 dev lan0
	ip -n "$HA" addr add 10.1.1.10/24 dev eth0
	ip -n "$HB" addr add 10.2.2.10/24 dev eth0
	for ns in "$GA" "$GB"; do
		ip -n "$ns" link set wan0 up
		ip -n "$ns" link set lan0 up
		in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
		in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
		in_ns "$ns" sysctl -qw net.ipv4.conf.default.rp_filter=0
	done
	ip -n "$HA" link set eth0 up
	ip -n "$HB" link set eth0 up
	ip -n "$HA" route add default via 10.1.1.1
	ip -n "$HB" route add default via 10.2.2.1
}

# write_config FILE NAME WAN PEER LOCAL REMOTE
write_config() {
	cat >"$1" <<EOF
# ikegate demo: gateway $2
gateway = {
  wan-address = "$3";
  control     = "$work/$2/ikegate.sock";
  state-dir   = "$work/$2/state";
  tun         = "ikg0";
};

ike-profiles = {
  office = {
    mode        = "main";
    encryption  = "aes128";
    hash        = "sha256";
    dh-group    = 14;
    lifetime    = 28800;
    secret      = "ikegate demo secret";
    negotiation = "both";
  };
};

ipsec-profiles = {
  tunnel = {
    remote-endpoint = "$4";
    local-members   = [ "$5" ];
    remote-members  = [ "$6" ];
    ike-profile     = "office";
    protocol        = "esp";
    encryption      = "aes128gcm16";
    pfs-group       = 14;
    lifetime        = 3600;
    enabled         = true;
  };
};
EOF
}

# start_gateway NAMESPACE NAME
start_gateway() {
	local ns=$1 name=$2 sock="$work/$2/ikegate.sock" i
	mkdir -p "$work/$name"
	# no function or subshell in between: $! is the daemon itself (ip netns exec execs it)
	ip netns exec "$ns" "$IKEGATED" -c "$work/$name.conf" -f >"$work/$name.log" 2>&1 &
	pids+=($!)
	local pid=$!
	for i in $(seq 50); do
		[ -S "$sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	say "gateway $name did not start; its log:" >&2
	cat "$work/$name.log" >&2
	exit 1
}

cli() {   # NAME COMMAND...
	local name=$1
	shift
	"$IKEGATE" -s "$work/$name/ikegate.sock" "$@"
}

views() {   # NAME LABEL
	heading "$2: ikegate show vpn"
	cli "$1" show vpn
	heading "$2: ikegate show log"
	cli "$1" show log
	heading "$2: ikegate show ip nat translations"
	cli "$1" show ip nat translations
}

say "ikegate demo"
say "  hostA 10.1.1.10 -- [10.1.1.1  gwA  192.0.2.1] ==== [192.0.2.2  gwB  10.2.2.1] -- hostB 10.2.2.10"
say "  IKEv1 main mode aes128/sha256/group 14, ESP aes128gcm16, PFS group 14"
build_network
write_config "$work/a.conf" a 192.0.2.1 192.0.2.2 10.1.1.0/24 10.2.2.0/24
write_config "$work/b.conf" b 192.0.2.2 192.0.2.1 10.2.2.0/24 10.1.1.0/24
start_gateway "$GA" a
start_gateway "$GB" b

heading "gateways up (WAN Event History)"
say "gwA:"; cli a show log
say "gwB:"; cli b show log

heading "hostA: ping -c 5 10.2.2.10 (the first packet brings the tunnel up)"
in_ns "$HA" ping -c 5 -i 1 -W 5 10.2.2.10
ping_rc=$?

views a "gwA 192.0.2.1"
views b "gwB 192.0.2.2"

heading "result"
if [ "$ping_rc" = 0 ]; then
	say "the pings crossed the tunnel: OK"
	exit 0
fi
say "no ping replies: the tunnel did not carry traffic. gwA's log:"
tail -n 30 "$work/a.log"
say "gwB's log:"
tail -n 30 "$work/b.log"
IKEGATE_DEMO_KEEP=1
exit 1
