#!/usr/bin/env bash
# The daemon's offload paths carry TCP intact (src/daemon/tun.c, wan.c; docs/performance.md):
# two ikegated with ESP-in-UDP, 2 s of iperf3 TCP hostA -> hostB and then hostB -> hostA.
#  - gwA's TUN device hands over TSO super-packets that ikegated cuts into segments (checksums
#    computed by ikegated), sent with UDP GSO;
#  - gwB receives them with UDP GRO and writes coalesced super-packets with a partial checksum
#    (TCPv4 GSO virtio header).
# After the gateways the checksums are made in software (ethtool: tx checksum/TSO/GSO off on the
# LAN links, rx checksum off on the hosts), so the hosts verify every segment: a wrong checksum
# or seed would show as TcpInCsumErrors and a stalled transfer. Also checks that each path was
# really taken (the "data path:" counters ikegated logs at exit).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"

ikg_test_init
ikgd_require
require_cmd iperf3 ethtool nstat
topo_two_gateways

ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" ipsec.encapsulation=udp
ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" ipsec.encapsulation=udp
ikgd_start "$NS_GWA" a
ikgd_start "$NS_GWB" b
for ns in "$NS_GWA" "$NS_GWB"; do
  ns_exec "$ns" ethtool -K lan0 tx off tso off gso off >/dev/null 2>&1 || skip "ethtool -K refused"
done
for ns in "$NS_HOSTA" "$NS_HOSTB"; do ns_exec "$ns" ethtool -K eth0 rx off >/dev/null 2>&1 || true; done
wait_for 20 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "no ping through the tunnel"

transfer() {  # transfer FROM_NS SERVER_NS SERVER_IP
  local from=$1 srv_ns=$2 srv_ip=$3 json mbit
  ns_bg "$srv_ns" "$IKG_TMP/iperf-$srv_ip.log" iperf3 -s -1 -B "$srv_ip"
  wait_for 5 sh -c "ip netns exec '$srv_ns' ss -ltn | grep -q ':5201 '" || fail "iperf3 server"
  json=$(ns_exec "$from" timeout 30 iperf3 -c "$srv_ip" -t 2 -J) || fail "iperf3 to $srv_ip failed"
  mbit=$(python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' <<<"$json")
  log "TCP to $srv_ip: $mbit Mbit/s"
  [ "$mbit" -gt 10 ] || fail "TCP through the tunnel to $srv_ip: only $mbit Mbit/s"
}
transfer "$NS_HOSTA" "$NS_HOSTB" "$HOSTB_IP"
transfer "$NS_HOSTB" "$NS_HOSTA" "$HOSTA_IP"

for ns in "$NS_HOSTA" "$NS_HOSTB"; do
  errs=$(ns_exec "$ns" nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" {print $2}')
  [ "${errs:-0}" -eq 0 ] || fail "$ns counted $errs TCP checksum errors"
done

ikgd_stop a
ikgd_stop b
for g in a b; do
  line=$(grep "data path:" "$(ikgd_log $g)") || fail "gateway $g logged no data path counters"
  log "$g: $line"
  if ! grep -q "with offloads" <<<"$line"; then skip "the kernel refused the TUN offloads"; fi
  sup=$(sed -E 's/.*\(([0-9]+) TSO super-packets.*/\1/' <<<"$line")
  coal=$(sed -E 's/.*writes \(([0-9]+) coalesced.*/\1/' <<<"$line")
  gso=$(sed -E 's/.*\(([0-9]+) UDP GSO\).*/\1/' <<<"$line")
  gro=$(sed -E 's/.*\(([0-9]+) UDP GRO\).*/\1/' <<<"$line")
  [ "$sup" -gt 0 ] || fail "gateway $g cut no TSO super-packet"
  [ "$coal" -gt 0 ] || fail "gateway $g wrote no coalesced super-packet"
  [ "$gso" -gt 0 ] || fail "gateway $g sent no UDP GSO batch"
  [ "$gro" -gt 0 ] || fail "gateway $g received no coalesced UDP datagrams"
done
log "pass"
