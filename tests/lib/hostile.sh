# shellcheck shell=bash
# Helpers of the hostile-peer and fault tests (issue 9). Source after netns.sh and ikegated.sh:
#
#   . "$here/../lib/netns.sh"; . "$here/../lib/ikegated.sh"; . "$here/../lib/hostile.sh"
#   ikg_test_init; ikgd_require; hostile_require_scapy
#   topo_hostile                       # hostA - gwA ==[wan bridge]== gwB - hostB, + attacker
#   hostile_tunnel_up                  # both daemons, the tunnel up (pings answered)
#   scapy_in "$NS_ATK" <<'PY'          # a scapy script run inside a namespace
#   send(IP(src=GWA_WAN, dst=GWB_WAN)/UDP(sport=500, dport=500)/Raw(b"x"), verbose=0)
#   PY
#   hostile_discards b                 # "unknown-spi=3 esp-ah-error=1 ..." of profile tunnel
#
# The attacker is a separate box on the WAN (192.0.2.66) that may spoof any source: the
# peer's address (192.0.2.1) or the addresses of SPOOF_NET it owns (so that the replies it
# provokes come back to it and nothing piles up in gwB's neighbour table).

ATK_IP=192.0.2.66
SPOOF_PREFIX=192.0.2        # spoofed sources: $SPOOF_PREFIX.100 .. .199, owned by the attacker
HOSTILE_PY=${HOSTILE_PY:-/usr/bin/python3}

hostile_require_scapy() {
  "$HOSTILE_PY" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy is missing"
}

# topo_hostile: like topo_two_gateways, but the WAN is a bridge (in its own namespace) so that an
# attacker box can sit on it:
#   hostA -- gwA(wan0 192.0.2.1) --+-- [br0 in ns wan] --+-- (wan0 192.0.2.2)gwB -- hostB
#                                  +-- attacker(eth0 192.0.2.66 + .100-.199)
# Sets NS_HOSTA NS_GWA NS_GWB NS_HOSTB NS_WAN NS_ATK.
topo_hostile() {
  ns_add hostA NS_HOSTA; ns_add gwA NS_GWA; ns_add wan NS_WAN; ns_add gwB NS_GWB
  ns_add hostB NS_HOSTB; ns_add atk NS_ATK
  ns_router "$NS_GWA"; ns_router "$NS_GWB"
  ip -n "$NS_WAN" link add br0 type bridge || fail "bridge"
  ip -n "$NS_WAN" link set br0 up
  ns_link "$NS_HOSTA" eth0 "$HOSTA_IP/24" "$NS_GWA" lan0 "$GWA_LAN/24"
  ns_link "$NS_GWA" wan0 "$GWA_WAN/24" "$NS_WAN" pa -
  ns_link "$NS_GWB" wan0 "$GWB_WAN/24" "$NS_WAN" pb -
  ns_link "$NS_ATK" eth0 "$ATK_IP/24" "$NS_WAN" pk -
  local p
  for p in pa pb pk; do ip -n "$NS_WAN" link set "$p" master br0 || fail "bridge port $p"; done
  ns_link "$NS_GWB" lan0 "$GWB_LAN/24" "$NS_HOSTB" eth0 "$HOSTB_IP/24"
  ns_route "$NS_HOSTA" default "$GWA_LAN"
  ns_route "$NS_HOSTB" default "$GWB_LAN"
  local i batch=
  for (( i = 100; i < 200; i++ )); do batch+="addr add $SPOOF_PREFIX.$i/32 dev eth0"$'\n'; done
  ip -n "$NS_ATK" -batch - <<<"$batch" || fail "attacker addresses"
  # the attacker's own stack must not answer what its spoofed packets provoke
  ns_nft "$NS_ATK" "table inet ikgt_atk {
  chain output { type filter hook output priority 0; ip protocol icmp icmp type destination-unreachable drop; }
}"
  log "topology hostile: $NS_HOSTA $NS_GWA $NS_WAN($NS_ATK) $NS_GWB $NS_HOSTB"
}

# hostile_configs [override...]: gateway a (gwA) and b (gwB) for topo_hostile, with DPD 10 s.
# Overrides go to both (ikgd_config syntax).
hostile_configs() {
  ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" ike.dpd=10 "$@"
  ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" ike.dpd=10 "$@"
}

# tunnel_pings [N]: hostA pings hostB; success when at least one of N (default 1) is answered.
tunnel_pings() { ns_ping "$NS_HOSTA" "$HOSTB_IP" "${1:-1}"; }

# hostile_tunnel_up: starts both daemons (configs written before) and waits for the tunnel.
hostile_tunnel_up() {
  ikgd_start "$NS_GWA" a
  ikgd_start "$NS_GWB" b
  wait_for 30 tunnel_pings || { ikg a show log >&2; fail "the tunnel did not come up"; }
  wait_for 10 ikgd_phase2_up b tunnel || fail "phase 2 not up on b"
  log "tunnel up: a pid ${IKGD_PID[a]}, b pid ${IKGD_PID[b]}"
}

# scapy_in NS [ARGS...] < SCRIPT: runs a python/scapy script in NS with a prelude: scapy
# imported, verbose off, GWA_WAN GWB_WAN ATK_IP SPOOF_PREFIX HOSTA_IP HOSTB_IP defined, ARGS
# in sys.argv[1:], and the ISAKMP builders of HOSTILE_PY_IKE (below).
scapy_in() {
  local ns=$1; shift
  local script; script=$(cat)
  ip netns exec "$ns" "$HOSTILE_PY" - "$@" <<EOF
import sys, os, struct, time, random
from scapy.all import *
conf.verb = 0
GWA_WAN, GWB_WAN, ATK_IP, SPOOF_PREFIX = "$GWA_WAN", "$GWB_WAN", "$ATK_IP", "$SPOOF_PREFIX"
HOSTA_IP, HOSTB_IP = "$HOSTA_IP", "$HOSTB_IP"
$HOSTILE_PY_IKE
$script
EOF
}

# hostile_discards NAME [PROFILE]: the profile's discard counters as "reason=N ..." (sorted),
# then "total=N".
hostile_discards() {
  ikg "$1" show vpn --discards --json | "$IKGD_PY" -c '
import json, sys
j = json.load(sys.stdin)
p = [p for p in j["profiles"] if p["name"] == sys.argv[1]][0]
print(" ".join("%s=%d" % kv for kv in sorted(p["discards"].items())) + " total=%d" % p["rx_discards"])' "${2:-tunnel}"
}

# discard_of NAME REASON [PROFILE]: one discard counter.
discard_of() {
  ikg "$1" show vpn --discards --json | json_get "[p for p in j['profiles'] if p['name'] == '${3:-tunnel}'][0]['discards']['$2']"
}

# assert_same_pid NAME: the daemon NAME still runs with the PID it was started with.
assert_same_pid() {
  local pid=${IKGD_PID[$1]:-}
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || { tail -n 30 "$(ikgd_log "$1")" >&2; fail "ikegated $1 is gone (pid ${pid:-none})"; }
  ikgd_sanitizer_clean "$1" || fail "ikegated $1: sanitizer report"
}

# assert_responsive NAME [SECONDS]: `show vpn` answers within SECONDS (default 2).
assert_responsive() {
  timeout "${2:-2}" "$IKEGATE" -s "$(ikgd_sock "$1")" show vpn >/dev/null 2>&1 \
    || fail "ikegated $1 did not answer 'show vpn' within ${2:-2} s"
  return 0
}

# ikgd_restart NS NAME: start NAME again keeping its state directory (journal, history): for
# restarts after a crash. Returns when the control socket answers.
ikgd_restart() {
  local ns=$1 name=$2 d i
  d=$(ikgd_dir "$name")
  [ -f "$d/ikegated.log" ] && cat "$d/ikegated.log" >>"$d/ikegated.old.log"
  ns_bg "$ns" "$d/ikegated.log" "$IKEGATED" -c "$(ikgd_conf_file "$name")" -f
  IKGD_PID[$name]=$IKG_LAST_PID IKGD_NS[$name]=$ns
  for (( i = 0; i < 100; i++ )); do
    if ikg "$name" show vpn >/dev/null 2>&1; then return 0; fi
    kill -0 "${IKGD_PID[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$d/ikegated.log" >&2
  fail "ikegated $name did not come back"
}

# ikgd_kill9 NAME: SIGKILL, reaped; the daemon's PID is forgotten.
ikgd_kill9() {
  local pid=${IKGD_PID[$1]}
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  unset 'IKGD_PID[$1]'
  return 0
}

# Python helpers in every scapy_in script: ike_hdr(...) an ISAKMP header (+ body), ike_sa_payload()
# an SA payload with one proposal (AES-128 CBC, SHA2-256, PSK, group 14, 28800 s: what
# ikgd_config's defaults accept), ike_mm1(icookie) a main-mode message 1.
HOSTILE_PY_IKE='
def ike_hdr(icookie, rcookie=bytes(8), np=1, exch=2, flags=0, msgid=0, length=None, body=b""):
    total = 28 + len(body) if length is None else length
    return icookie + rcookie + bytes([np, 0x10, exch, flags]) + struct.pack(">II", msgid, total) + body

def ike_attr(t, v):
    return struct.pack(">HH", 0x8000 | t, v)

def ike_sa_payload(np=0):
    attrs = ike_attr(1, 7) + ike_attr(14, 128) + ike_attr(2, 4) + ike_attr(3, 1) + ike_attr(4, 14) \
        + ike_attr(11, 1) + struct.pack(">HHI", 12, 4, 28800)
    trans = struct.pack(">BBHBBH", 0, 0, 8 + len(attrs), 1, 1, 0) + attrs
    prop = struct.pack(">BBHBBBB", 0, 0, 8 + len(trans), 1, 1, 0, 1) + trans
    body = struct.pack(">II", 1, 1) + prop
    return struct.pack(">BBH", np, 0, 4 + len(body)) + body

def ike_mm1(icookie):
    return ike_hdr(icookie, body=ike_sa_payload())
'

# assert_no_secret NAME: the pre-shared key of gateway NAME (the one ikgd_config wrote) appears
# nowhere an operator or an attacker could look: any view (text and JSON), diagnose, the
# daemon's stderr, the event journal on disk.
assert_no_secret() {
  local name=$1 conf psk out f
  conf=$(ikgd_conf_file "$name")
  psk=$(sed -n 's/^ *secret = "\(.*\)";$/\1/p' "$conf" | head -n 1)
  [ -n "$psk" ] || fail "assert_no_secret: no inline secret in $conf"
  for out in "show log --detail" "show log --json" "show vpn --discards --json" "show ike sa --json" \
             "show ipsec sa --json" "show ike sa" "show ipsec sa" "diagnose" "diagnose --json"; do
    local text
    # shellcheck disable=SC2086
    text=$(ikg "$name" $out 2>&1 || true)
    [ -n "$text" ] || fail "$name: '$out' printed nothing"
    if grep -qF -- "$psk" <<<"$text"; then fail "$name: '$out' shows the pre-shared key"; fi
  done
  for f in "$(ikgd_log "$name")" "$(ikgd_dir "$name")"/ikegated.old.log "$(ikgd_dir "$name")"/state/events.journal*; do
    [ -f "$f" ] || continue
    if grep -aqF -- "$psk" "$f"; then fail "$name: $f contains the pre-shared key"; fi
  done
  return 0
}
