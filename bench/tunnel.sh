#!/usr/bin/env bash
# bench/tunnel: TCP throughput LAN host -> LAN host through two VPN gateways in network
# namespaces, ikegated against three userspace VPNs measured in the same run on the same
# topology (hostA - gwA === WAN veth === gwB - hostB, tests/lib/netns.sh):
#
#   ikegate     two ikegated, ESP AES-128-GCM-16 (main mode aes128/sha256/group 14, PFS 14),
#               ESP-in-UDP (encapsulation = "udp": UDP GSO/GRO on the WAN, TUN offloads)
#   ikegate-esp the same with plain ESP (protocol 50; raw sockets, so no WAN offload)
#   strongswan  two charon 5.9 with kernel-libipsec (userspace ESP-in-UDP), AES-128-GCM-16
#   openvpn     OpenVPN 2.6 point-to-point over UDP, TLS, data cipher AES-128-GCM, no DCO
#   wireguard   wireguard-go (Debian's, no TUN offloads) + wg
#   plain       the same topology routed in clear (the ceiling; informative only)
#
# For each: iperf3 TCP hostA -> hostB with 1 and with 2 parallel streams, RUNS runs of SECS
# seconds each, median (receiver side) in Mbit/s. Prints a table, then the ratios of ikegate
# against strongSwan and against the best of strongSwan/OpenVPN/wireguard-go; last line
# `tunnel ratio=R` (R = ikegate / strongSwan, one stream).
#
#   bash bench/tunnel.sh                 # full run: 3 runs x 5 s per case (about 4.5 minutes)
#   bash bench/tunnel.sh --smoke         # 1 run x 1 s, one stream (tests/ns/bench_smoke_tunnel.sh)
#   SECS=10 RUNS=5 ONLY="ikegate strongswan" bash bench/tunnel.sh
#
# Needs root, /dev/net/tun, iperf3, a built ikegated (IKG_BUILD, default build/), and for the
# baselines strongswan-charon + strongswan-swanctl, openvpn, wireguard-go + wireguard-tools
# (scripts/setup.sh). A missing baseline is reported and left out; without ikegated or iperf3
# the script exits 77 (skip).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # read by tests/lib/netns.sh
IKG_TEST_NAME=bench-tunnel
IKG_PREFIX=${IKG_PREFIX:-ikgpf$$}
. "$here/../tests/lib/netns.sh"
. "$here/../tests/lib/ikegated.sh"
. "$here/../tests/lib/strongswan.sh"

SMOKE=0
for a in "$@"; do
  case $a in
    --smoke) SMOKE=1 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "bench/tunnel.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
if [ "$SMOKE" = 1 ]; then
  SECS=${SECS:-1} RUNS=${RUNS:-1} STREAMS=${STREAMS:-1}
else
  SECS=${SECS:-5} RUNS=${RUNS:-3} STREAMS=${STREAMS:-"1 2"}
fi
if [ "$SMOKE" = 1 ]; then
  ONLY=${ONLY:-"ikegate strongswan openvpn wireguard"}
else
  ONLY=${ONLY:-"plain ikegate ikegate-esp strongswan openvpn wireguard"}
fi

ikg_test_init
ikgd_require
# ikegated locks its memory (privdrop); where it cannot raise RLIMIT_MEMLOCK itself, a default
# 8 MiB limit would cap the whole daemon: give it room (root may raise the hard limit)
ulimit -l unlimited 2>/dev/null || log "cannot raise RLIMIT_MEMLOCK (ulimit -l is $(ulimit -l))"
require_cmd iperf3 python3

topo_two_gateways
MTU_TUN=1400   # every tunnel gets the same inner MTU as ikegated's TUN device

declare -A RESULT=()      # RESULT[cand,streams] = Mbit/s (median)
declare -A CPU=()         # CPU[cand] = CPU seconds of the two VPN processes per Gbit carried
declare -A NOTE=()
CAND_PIDS=()              # the VPN processes of the candidate being measured

# ---- iperf3 --------------------------------------------------------------------------------

iperf_server_start() {   # stopped by cleanup
  ns_bg "$NS_HOSTB" "$IKG_TMP/iperf3-server.log" iperf3 -s -B "$HOSTB_IP"
  wait_for 5 sh -c "ip netns exec '$NS_HOSTB' ss -ltn | grep -q ':5201 '" || fail "iperf3 server did not start"
}

# iperf_once STREAMS: one run, prints Mbit/s received (0 on failure)
iperf_once() {
  local p=$1 json
  json=$(ns_exec "$NS_HOSTA" timeout $((SECS + 20)) iperf3 -c "$HOSTB_IP" -t "$SECS" -P "$p" -O 1 -J 2>/dev/null) || true
  python3 -c '
import json, sys
try:
    print("%.0f" % (json.loads(sys.stdin.read())["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print(0)' <<<"$json"
}

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print int((v[NR/2]+v[NR/2+1])/2)}'; }

# cpu_ticks PID...: user + system clock ticks of the processes (all their threads)
cpu_ticks() {
  local pid t=0 f
  for pid in "$@"; do
    f=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    f=${f##*) }   # fields after the command name
    set -- $f
    t=$(( t + ${12} + ${13} ))
  done
  echo "$t"
}

# measure CAND: every stream count, RUNS runs each; CPU of CAND_PIDS per Gbit carried
measure() {
  local cand=$1 p r vals v mbit_s=0 c0 c1
  c0=$(cpu_ticks "${CAND_PIDS[@]}")
  for p in $STREAMS; do
    vals=()
    for (( r = 0; r < RUNS; r++ )); do
      v=$(iperf_once "$p")
      vals+=("$v")
      mbit_s=$(( mbit_s + v ))
    done
    RESULT[$cand,$p]=$(median "${vals[@]}")
    log "$cand, $p stream(s): ${vals[*]} Mbit/s -> median ${RESULT[$cand,$p]}"
  done
  c1=$(cpu_ticks "${CAND_PIDS[@]}")
  if [ "${#CAND_PIDS[@]}" -gt 0 ] && [ "$mbit_s" -gt 0 ]; then
    CPU[$cand]=$(python3 -c "import os,sys; t=($c1-$c0)/os.sysconf('SC_CLK_TCK'); print('%.2f' % (t / ($mbit_s*$SECS/1000.0)))")
  fi
  CAND_PIDS=()
}

reachable() { wait_for "${1:-10}" ns_ping "$NS_HOSTA" "$HOSTB_IP"; }

must_be_cut() {
  if ns_ping "$NS_HOSTA" "$HOSTB_IP"; then fail "hostB reachable without a tunnel (previous case leaked)"; fi
}

# ---- candidates ----------------------------------------------------------------------------

run_plain() {
  ip -n "$NS_GWA" route add "$LAN_B" via "$GWB_WAN"
  ip -n "$NS_GWB" route add "$LAN_A" via "$GWA_WAN"
  reachable 5 || fail "plain routing does not work"
  measure plain
  ip -n "$NS_GWA" route del "$LAN_B" via "$GWB_WAN"
  ip -n "$NS_GWB" route del "$LAN_A" via "$GWA_WAN"
}

# ikegate_pair CAND A B [config overrides]: two ikegated ($IKEGATED) as gateways A and B
ikegate_pair() {
  local cand=$1 a=$2 b=$3; shift 3
  ikgd_config "$a" "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" ipsec.encryption=aes128gcm16 "$@"
  ikgd_config "$b" "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" ipsec.encryption=aes128gcm16 "$@"
  ikgd_start "$NS_GWA" "$a"
  ikgd_start "$NS_GWB" "$b"
  CAND_PIDS=("${IKGD_PID[$a]}" "${IKGD_PID[$b]}")
  reachable 20 || { tail -n 20 "$(ikgd_log "$a")" >&2; fail "no traffic through the ikegated tunnel"; }
  measure "$cand"
  ikgd_stop "$a"
  ikgd_stop "$b"
}

# ESP-in-UDP (RFC 3948, forced with encapsulation = "udp", as kernel-libipsec always does): the
# WAN side then uses UDP GSO/GRO. ikegate-esp: plain ESP (protocol 50, raw sockets: no offload).
run_ikegate() { ikegate_pair ikegate a b ipsec.encapsulation=udp ${IKG_TUNNEL_CONFIG:-}; }
run_ikegate-esp() { ikegate_pair ikegate-esp ea eb ipsec.encapsulation=none ${IKG_TUNNEL_CONFIG:-}; }

# ikegate-ref: another ikegated binary (IKEGATED_REF=path), e.g. an older build, for A/B
run_ikegate-ref() {
  [ -x "${IKEGATED_REF:-}" ] || { NOTE[ikegate-ref]="IKEGATED_REF not set"; return 0; }
  local keep=$IKEGATED
  IKEGATED=$IKEGATED_REF
  ikegate_pair ikegate-ref ra rb ipsec.encapsulation=udp ${IKG_TUNNEL_CONFIG:-}
  IKEGATED=$keep
}

run_strongswan() {
  if ! command -v swanctl >/dev/null || [ ! -x "$SW_CHARON" ]; then NOTE[strongswan]="not installed"; return 0; fi
  sw_start "$NS_GWA" left
  sw_start "$NS_GWB" right
  local k
  for k in left right; do
    if [ $k = left ]; then
      sw_conn left bench local="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" \
        ike=aes128-sha256-modp2048 esp=aes128gcm16 pfs=modp2048 psk="bench tunnel secret"
    else
      sw_conn right bench local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" \
        ike=aes128-sha256-modp2048 esp=aes128gcm16 pfs=modp2048 psk="bench tunnel secret"
    fi
    sw_load $k
  done
  CAND_PIDS=("${SW_PID[left]}" "${SW_PID[right]}")
  sw_initiate left bench 20 >/dev/null || { sw_log left | tail -n 20 >&2; fail "strongSwan initiate"; }
  wait_for 10 sw_child_installed right bench || fail "strongSwan child not installed on right"
  # kernel-libipsec's TUN device: the same inner MTU as the others
  ip -n "$NS_GWA" link set ipsec0 mtu $MTU_TUN 2>/dev/null || true
  ip -n "$NS_GWB" link set ipsec0 mtu $MTU_TUN 2>/dev/null || true
  reachable 10 || fail "no traffic through the strongSwan tunnel"
  measure strongswan
  sw_stop left
  sw_stop right
}

run_openvpn() {
  if ! command -v openvpn >/dev/null; then NOTE[openvpn]="not installed"; return 0; fi
  local d=$IKG_TMP/openvpn s
  mkdir -p "$d"
  for s in a b; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj "/CN=bench-$s" -keyout "$d/$s.key" -out "$d/$s.crt" >/dev/null 2>&1 || fail "openssl req"
  done
  fp() { openssl x509 -in "$d/$1.crt" -noout -fingerprint -sha256 | sed 's/.*=//'; }
  local common=(--dev-type tun --proto udp --port 1194 --topology p2p --disable-dco
                --data-ciphers AES-128-GCM --cipher AES-128-GCM --tun-mtu "$MTU_TUN"
                --verb 1 --ping 10)
  ns_bg "$NS_GWB" "$d/b.log" openvpn "${common[@]}" --dev ovpnb --local "$GWB_WAN" --remote "$GWA_WAN" \
    --tls-server --dh none --cert "$d/b.crt" --key "$d/b.key" --peer-fingerprint "$(fp a)" \
    --ifconfig 10.99.0.2 10.99.0.1 --route 10.1.1.0 255.255.255.0
  local pb=$IKG_LAST_PID
  ns_bg "$NS_GWA" "$d/a.log" openvpn "${common[@]}" --dev ovpna --local "$GWA_WAN" --remote "$GWB_WAN" \
    --tls-client --cert "$d/a.crt" --key "$d/a.key" --peer-fingerprint "$(fp b)" \
    --ifconfig 10.99.0.1 10.99.0.2 --route 10.2.2.0 255.255.255.0
  local pa=$IKG_LAST_PID
  CAND_PIDS=("$pa" "$pb")
  wait_for 20 grep -q "Initialization Sequence Completed" "$d/a.log" \
    || { tail -n 20 "$d/a.log" "$d/b.log" >&2; fail "OpenVPN did not come up"; }
  grep -h "Data Channel: cipher" "$d/a.log" | head -n 1 | sed 's/^/  openvpn: /' >&2 || true
  reachable 10 || fail "no traffic through OpenVPN"
  measure openvpn
  kill_pid "$pa"; kill_pid "$pb"
}

run_wireguard() {
  if ! command -v wireguard-go >/dev/null || ! command -v wg >/dev/null; then NOTE[wireguard]="not installed"; return 0; fi
  local d=$IKG_TMP/wg s
  mkdir -p "$d"
  for s in a b; do
    (umask 077; wg genkey >"$d/$s.key")
    wg pubkey <"$d/$s.key" >"$d/$s.pub"
  done
  # interface names differ per side: wireguard-go's UAPI socket is /var/run/wireguard/NAME.sock,
  # and /var/run is shared between the namespaces
  local ifa=wgbA$$ ifb=wgbB$$
  ifa=${ifa:0:15} ifb=${ifb:0:15}
  ns_bg "$NS_GWA" "$d/a.log" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifa"
  local pa=$IKG_LAST_PID
  ns_bg "$NS_GWB" "$d/b.log" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifb"
  local pb=$IKG_LAST_PID
  CAND_PIDS=("$pa" "$pb")
  wait_for 10 test -S "/var/run/wireguard/$ifa.sock" || fail "wireguard-go A did not start"
  wait_for 10 test -S "/var/run/wireguard/$ifb.sock" || fail "wireguard-go B did not start"
  ns_exec "$NS_GWA" wg set "$ifa" private-key "$d/a.key" listen-port 51820 \
    peer "$(cat "$d/b.pub")" allowed-ips "$LAN_B" endpoint "$GWB_WAN:51820"
  ns_exec "$NS_GWB" wg set "$ifb" private-key "$d/b.key" listen-port 51820 \
    peer "$(cat "$d/a.pub")" allowed-ips "$LAN_A" endpoint "$GWA_WAN:51820"
  ip -n "$NS_GWA" link set "$ifa" mtu $MTU_TUN up
  ip -n "$NS_GWB" link set "$ifb" mtu $MTU_TUN up
  ip -n "$NS_GWA" route add "$LAN_B" dev "$ifa"
  ip -n "$NS_GWB" route add "$LAN_A" dev "$ifb"
  reachable 10 || fail "no traffic through wireguard-go"
  measure wireguard
  kill_pid "$pa"; kill_pid "$pb"
}

# ---- run -----------------------------------------------------------------------------------

iperf_server_start
log "iperf3 TCP hostA -> hostB, streams: $STREAMS, $RUNS run(s) x $SECS s, inner MTU $MTU_TUN"
for c in $ONLY; do
  if [ "$c" != plain ]; then must_be_cut; fi
  "run_$c"
done

# ---- report --------------------------------------------------------------------------------

printf '\n%-12s' "Mbit/s"
for p in $STREAMS; do printf ' %10s' "$p stream"; done
printf '   %s\n' "CPU s/Gbit (both gateways' VPN processes)"
for c in plain ikegate ikegate-esp ikegate-ref strongswan openvpn wireguard; do
  if [ -n "${NOTE[$c]:-}" ]; then printf '%-12s %s\n' "$c" "(${NOTE[$c]})"; continue; fi
  [ -n "${RESULT[$c,${STREAMS%% *}]:-}" ] || continue
  printf '%-12s' "$c"
  for p in $STREAMS; do printf ' %10s' "${RESULT[$c,$p]}"; done
  printf '   %s\n' "${CPU[$c]:--}"
done

ratio() { python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print("%.2f" % (a / b if b > 0 else 0))' "$1" "$2"; }
first=${STREAMS%% *}
ours=${RESULT[ikegate,$first]:-0}
[ "$ours" != 0 ] || fail "ikegate measured nothing"
for p in $STREAMS; do
  best=0 bestname=none
  for c in strongswan openvpn wireguard; do
    v=${RESULT[$c,$p]:-0}
    if [ "$v" -gt "$best" ]; then best=$v bestname=$c; fi
  done
  sw=${RESULT[strongswan,$p]:-0}
  line="tunnel $p stream(s): ikegate ${RESULT[ikegate,$p]} Mbit/s"
  [ "$sw" != 0 ] && line+="; vs strongswan $sw -> ratio $(ratio "${RESULT[ikegate,$p]}" "$sw") (target 5)"
  [ "$best" != 0 ] && line+="; vs best baseline $bestname $best -> ratio $(ratio "${RESULT[ikegate,$p]}" "$best") (target 3)"
  echo "$line"
done
sw=${RESULT[strongswan,$first]:-0}
if [ "$sw" = 0 ]; then
  log "no strongSwan baseline: no ratio"
  exit 77
fi
echo "tunnel ratio=$(ratio "$ours" "$sw")"
