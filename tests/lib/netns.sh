# shellcheck shell=bash
# ikegate namespace-test helpers. Source from a tests/ns/*.sh script:
#
#   . "$(dirname "$0")/../lib/netns.sh"
#   ikg_test_init                # root check, unique prefix, temp dir, traps
#   topo_two_gateways            # hostA - gwA === WAN === gwB - hostB
#   ns_exec "$NS_HOSTA" ping -c1 10.1.1.1
#
# Exit codes of a test: 0 pass, 1 fail (fail), 77 skip (skip).
# Everything a test creates (namespaces, processes started with ns_bg/track_pid, the temp dir)
# is removed by `cleanup`, which runs on EXIT, INT and TERM. Set IKG_KEEP=1 to keep the temp
# dir (logs, configs) for a post-mortem; its path is printed at the end.
#
# Do not call ns_bg/track_pid/ns_add inside $( ... ): they record state in this shell.

IKG_TEST_NAME=${IKG_TEST_NAME:-$(basename "${0%.sh}")}
IKG_PREFIX=${IKG_PREFIX:-ikgt$$x}     # namespace prefix, unique per test process
IKG_NAMESPACES=()                     # every namespace this test created
IKG_PIDS=()                           # every background process this test started
IKG_CLEANUP_HOOKS=()                  # extra commands run first by cleanup (eval'd)
IKG_TMP=${IKG_TMP:-}
IKG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# ---- messages and assertions -----------------------------------------------------------------

log() { printf '%s [%s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$IKG_TEST_NAME" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
skip() { log "SKIP: $*"; exit 77; }

# assert_contains TEXT NEEDLE [WHAT]: TEXT must contain NEEDLE (fixed string).
assert_contains() {
  local text=$1 needle=$2 what=${3:-output}
  if ! grep -qF -- "$needle" <<<"$text"; then
    log "$what does not contain: $needle"
    log "---- $what ----"; printf '%s\n' "$text" | tail -n 40 >&2; log "----"
    fail "$what lacks '$needle'"
  fi
}

# assert_not_contains TEXT NEEDLE [WHAT]
assert_not_contains() {
  local text=$1 needle=$2 what=${3:-output}
  if grep -qF -- "$needle" <<<"$text"; then
    log "---- $what ----"; grep -F -- "$needle" <<<"$text" | head -n 5 >&2; log "----"
    fail "$what contains '$needle'"
  fi
}

# assert_file_contains FILE REGEX [WHAT]: extended regex, for logs.
assert_file_contains() {
  local file=$1 re=$2 what=${3:-$1}
  if ! grep -qE -- "$re" "$file" 2>/dev/null; then
    log "---- tail of $what ----"; tail -n 40 "$file" >&2 2>/dev/null; log "----"
    fail "$what has no line matching /$re/"
  fi
}

# wait_for SECONDS CMD...: run CMD every 0.2 s until it succeeds; 1 after SECONDS.
wait_for() {
  local limit=$1; shift
  local tries=$(( limit * 5 )) i
  for (( i = 0; i <= tries; i++ )); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# wait_for_file_re SECONDS FILE REGEX: until FILE has a line matching REGEX.
wait_for_file_re() { wait_for "$1" grep -qE -- "$3" "$2"; }

# _ikg_cat_all FILES...: cat the files that exist (an unmatched glob is no error).
_ikg_cat_all() {
  local f
  for f in "$@"; do if [ -e "$f" ]; then cat "$f"; fi; done
  return 0
}

require_cmd() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "missing command: $c (run scripts/setup.sh)"; done
}

# ---- lifetime ----------------------------------------------------------------------------------

# ikg_test_init: call once at the top of a test.
ikg_test_init() {
  [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
  command -v ip >/dev/null || skip "iproute2 missing"
  if [ -z "$IKG_TMP" ]; then
    IKG_TMP=$(mktemp -d "/tmp/ikgt-${IKG_TEST_NAME}.XXXXXX")
  fi
  chmod 755 "$IKG_TMP"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "prefix $IKG_PREFIX, files in $IKG_TMP"
}

# on_cleanup 'shell words': run at cleanup, before processes are killed.
on_cleanup() { IKG_CLEANUP_HOOKS+=("$*"); }

# nobody_can_run VAR: the program whose path is in variable VAR must be runnable by uid 65534
# (the tests of who may use the control socket run the CLI as that user). A checkout under a
# private directory (a clone in /root, mode 700) is out of its reach: the binary is then copied
# into $IKG_TMP (mode 755, removed at exit) and VAR points to the copy.
nobody_can_run() {
  local var=$1 path=${!1}
  setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$path" && return 0
  mkdir -p "$IKG_TMP/bin" && chmod 755 "$IKG_TMP/bin" || fail "cannot create $IKG_TMP/bin"
  install -m 0755 "$path" "$IKG_TMP/bin/" || fail "cannot copy $path"
  printf -v "$var" '%s' "$IKG_TMP/bin/$(basename "$path")"
  log "uid 65534 cannot reach $path: using a copy, ${!var}"
}

# track_pid PID: cleanup kills it.
track_pid() { IKG_PIDS+=("$1"); }

# ns_bg NS LOGFILE CMD...: start CMD in namespace NS in the background, output to LOGFILE.
# The PID is in $IKG_LAST_PID and is killed by cleanup.
ns_bg() {
  local ns=$1 logf=$2; shift 2
  ip netns exec "$ns" "$@" >"$logf" 2>&1 </dev/null &
  IKG_LAST_PID=$!
  track_pid "$IKG_LAST_PID"
}

# kill_pid PID: TERM, up to 3 s grace, then KILL. Only for PIDs this test started.
kill_pid() {
  local pid=$1 i
  if kill -TERM "$pid" 2>/dev/null; then
    for (( i = 0; i < 30; i++ )); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  return 0
}

cleanup() {
  local rc=$? h pid ns p
  trap - EXIT INT TERM
  set +e
  for h in "${IKG_CLEANUP_HOOKS[@]}"; do eval "$h" >/dev/null 2>&1; done
  for (( p = ${#IKG_PIDS[@]} - 1; p >= 0; p-- )); do kill_pid "${IKG_PIDS[p]}"; done
  for ns in "${IKG_NAMESPACES[@]}"; do
    # anything still running inside our own namespaces was started by this test
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  if [ -n "$IKG_TMP" ] && [ -d "$IKG_TMP" ]; then
    if [ -n "${IKG_KEEP:-}" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "${IKG_KEEP_ON_FAIL:-}" ]; }; then
      log "kept $IKG_TMP"
    else
      rm -rf "$IKG_TMP"
    fi
  fi
  exit "$rc"
}

# ---- namespaces, links, addresses --------------------------------------------------------------

# ns_add ROLE [VAR]: create namespace $IKG_PREFIX-ROLE with lo up; its name goes to VAR if given.
ns_add() {
  local name="$IKG_PREFIX-$1"
  ip netns add "$name" || fail "ip netns add $name"
  IKG_NAMESPACES+=("$name")
  ip -n "$name" link set lo up
  [ -n "${2:-}" ] && printf -v "$2" '%s' "$name"
  return 0
}

# ns_exec NS CMD...: run CMD inside NS.
ns_exec() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ns_sysctl NS KEY=VALUE...
ns_sysctl() {
  local ns=$1; shift
  local kv
  for kv in "$@"; do ip netns exec "$ns" sysctl -qw "$kv" >/dev/null || fail "sysctl $kv in $ns"; done
}

# ns_router NS: forwarding on, reverse-path filter off.
ns_router() {
  ns_sysctl "$1" net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

# ns_link NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN: a veth pair between two namespaces, both up.
# An address may be "-" for none.
ns_link() {
  local ns1=$1 if1=$2 a1=$3 ns2=$4 if2=$5 a2=$6
  ip link add "$if1" netns "$ns1" type veth peer name "$if2" netns "$ns2" \
    || fail "veth $ns1:$if1 <-> $ns2:$if2"
  [ "$a1" = - ] || ip -n "$ns1" addr add "$a1" dev "$if1"
  [ "$a2" = - ] || ip -n "$ns2" addr add "$a2" dev "$if2"
  ip -n "$ns1" link set "$if1" up
  ip -n "$ns2" link set "$if2" up
  # rp_filter for the new devices too (the "all" value is max'ed with the device's)
  ip netns exec "$ns1" sysctl -qw "net.ipv4.conf.$if1.rp_filter=0" >/dev/null 2>&1 || true
  ip netns exec "$ns2" sysctl -qw "net.ipv4.conf.$if2.rp_filter=0" >/dev/null 2>&1 || true
  return 0
}

# ns_route NS DEST VIA: e.g. ns_route "$NS_HOSTA" default 10.1.1.1
ns_route() { ip -n "$1" route add "$2" via "$3" || fail "route $2 via $3 in $1"; }

# ns_nft NS RULESET: load an nftables ruleset (text) into NS.
ns_nft() { ip netns exec "$1" nft -f - <<<"$2" || fail "nft in $1"; }

# ns_drop_random NS PERCENT: drop PERCENT % of the packets NS forwards, sends or receives.
ns_drop_random() {
  ns_nft "$1" "table inet ikgt_loss {
  chain input   { type filter hook input   priority 0; numgen random mod 100 < $2 drop; }
  chain forward { type filter hook forward priority 0; numgen random mod 100 < $2 drop; }
  chain output  { type filter hook output  priority 0; numgen random mod 100 < $2 drop; }
}"
}

# ns_block NS MATCH: drop matching packets in NS's forward and input, e.g. 'udp dport 500'
ns_block() {
  ns_nft "$1" "table inet ikgt_block {
  chain input   { type filter hook input   priority 0; $2 drop; }
  chain forward { type filter hook forward priority 0; $2 drop; }
}"
}

# ns_capture NS IFACE FILE: start a packet capture (pcapng); stopped by cleanup. Waits until
# the capture is running. Read it later with `tshark -r FILE`.
ns_capture() {
  local ns=$1 ifc=$2 file=$3
  : >"$file"; chmod 666 "$file"
  ns_bg "$ns" "$file.log" dumpcap -q -i "$ifc" -w "$file"
  wait_for 10 grep -q "Capturing on" "$file.log" || log "capture on $ns:$ifc may not be running"
}

# ns_ping NS DEST [COUNT]: quiet ping, 1 s per reply; status of ping.
ns_ping() { ip netns exec "$1" ping -q -n -c "${3:-1}" -W 1 "$2" >/dev/null 2>&1; }

# ---- standard topologies -----------------------------------------------------------------------
# Addresses are documentation/private ranges that exist only inside these namespaces.
LAN_A=10.1.1.0/24   HOSTA_IP=10.1.1.10  GWA_LAN=10.1.1.1
LAN_B=10.2.2.0/24   HOSTB_IP=10.2.2.10  GWB_LAN=10.2.2.1
GWA_WAN=192.0.2.1   GWB_WAN=192.0.2.2   WAN_NET=192.0.2.0/24

# topo_two_gateways: hostA(eth0) -- (lan0)gwA(wan0) ===== (wan0)gwB(lan0) -- (eth0)hostB
# Sets NS_HOSTA NS_GWA NS_GWB NS_HOSTB. Gateways route only their own LAN and the WAN: the
# remote LAN is reachable only through a tunnel (nothing leaks in clear).
topo_two_gateways() {
  ns_add hostA NS_HOSTA; ns_add gwA NS_GWA; ns_add gwB NS_GWB; ns_add hostB NS_HOSTB
  ns_router "$NS_GWA"; ns_router "$NS_GWB"
  ns_link "$NS_HOSTA" eth0 "$HOSTA_IP/24" "$NS_GWA" lan0 "$GWA_LAN/24"
  ns_link "$NS_GWA" wan0 "$GWA_WAN/24" "$NS_GWB" wan0 "$GWB_WAN/24"
  ns_link "$NS_GWB" lan0 "$GWB_LAN/24" "$NS_HOSTB" eth0 "$HOSTB_IP/24"
  ns_route "$NS_HOSTA" default "$GWA_LAN"
  ns_route "$NS_HOSTB" default "$GWB_LAN"
  log "topology two-gateways: $NS_HOSTA $NS_GWA $NS_GWB $NS_HOSTB"
}

# topo_nat: like topo_two_gateways, but gwA sits behind a NAT box:
#   hostA -- gwA(wan0 192.168.1.2) -- (in0 192.168.1.1)nat(wan0 192.0.2.1) ===== gwB -- hostB
# The NAT box masquerades with random source ports (nftables `masquerade random`), so gwB sees
# gwA as 192.0.2.1 with a rewritten UDP source port. Sets NS_NAT too; GWA_WAN becomes gwA's
# private address, GWA_PUBLIC the address gwB sees.
NAT_INSIDE=192.168.1.1  GWA_PRIVATE=192.168.1.2  GWA_PUBLIC=192.0.2.1
topo_nat() {
  ns_add hostA NS_HOSTA; ns_add gwA NS_GWA; ns_add nat NS_NAT; ns_add gwB NS_GWB; ns_add hostB NS_HOSTB
  ns_router "$NS_GWA"; ns_router "$NS_NAT"; ns_router "$NS_GWB"
  ns_link "$NS_HOSTA" eth0 "$HOSTA_IP/24" "$NS_GWA" lan0 "$GWA_LAN/24"
  ns_link "$NS_GWA" wan0 "$GWA_PRIVATE/24" "$NS_NAT" in0 "$NAT_INSIDE/24"
  ns_link "$NS_NAT" wan0 "$GWA_PUBLIC/24" "$NS_GWB" wan0 "$GWB_WAN/24"
  ns_link "$NS_GWB" lan0 "$GWB_LAN/24" "$NS_HOSTB" eth0 "$HOSTB_IP/24"
  ns_route "$NS_HOSTA" default "$GWA_LAN"
  ns_route "$NS_GWA" default "$NAT_INSIDE"
  ns_route "$NS_HOSTB" default "$GWB_LAN"
  ns_nft "$NS_NAT" "table ip ikgt_nat {
  chain postrouting { type nat hook postrouting priority srcnat; oifname \"wan0\" masquerade random; }
}"
  GWA_WAN=$GWA_PRIVATE
  log "topology nat: $NS_HOSTA $NS_GWA $NS_NAT $NS_GWB $NS_HOSTB"
}
