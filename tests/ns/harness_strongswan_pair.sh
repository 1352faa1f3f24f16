#!/usr/bin/env bash
# Harness proof: two strongSwan charons, IKEv1 main mode PSK, tunnel between two LANs.
# Two proposal sets: 3DES-SHA1-modp1024 and AES128-SHA256-modp2048 (with PFS). For each: both
# sides show the child INSTALLED, hostA pings hostB through the tunnel (kernel-libipsec:
# userspace ESP in UDP 4500), and the same ping fails before the tunnel exists.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"

ikg_test_init
[ -c /dev/net/tun ] || skip "no /dev/net/tun (kernel-libipsec needs it)"
topo_two_gateways

sw_start "$NS_GWA" left
sw_start "$NS_GWB" right

ns_ping "$NS_HOSTA" "$HOSTB_IP" && fail "hostB reachable without a tunnel: the topology leaks"

# throughput: 2 s of iperf3 TCP hostA -> hostB through the tunnel, logged as a baseline (strongSwan
# kernel-libipsec, userspace ESP-in-UDP); informative, never asserted.
throughput() {
  command -v iperf3 >/dev/null || return 0
  ns_bg "$NS_HOSTB" "$IKG_TMP/iperf3-server.log" iperf3 -s -1 -B "$HOSTB_IP"
  local srv=$IKG_LAST_PID json
  wait_for 5 sh -c "ip netns exec '$NS_HOSTB' ss -ltn | grep -q ':5201 '" || { log "iperf3 server did not start"; return 0; }
  json=$(ns_exec "$NS_HOSTA" iperf3 -c "$HOSTB_IP" -t 2 -J 2>/dev/null) || { log "iperf3 failed"; return 0; }
  log "baseline: strongSwan kernel-libipsec AES128-SHA256 TCP throughput $(/usr/bin/python3 -c '
import json, sys
print("%.0f Mbit/s" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' <<<"$json")"
  kill_pid "$srv"
}

run_case() {  # run_case CONN IKE ESP PFS
  local conn=$1 ike=$2 esp=$3 pfs=$4 out
  log "case $conn: ike=$ike esp=$esp pfs=$pfs"
  sw_conn left  "$conn" local="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" \
          ike="$ike" esp="$esp" pfs="$pfs" psk="harness $conn secret"
  sw_conn right "$conn" local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" \
          ike="$ike" esp="$esp" pfs="$pfs" psk="harness $conn secret"
  sw_load left; sw_load right
  local t0; t0=$(date +%s%N)
  out=$(sw_initiate left "$conn" 20) || { printf '%s\n' "$out" >&2; sw_log left | tail -n 30 >&2; fail "$conn: initiate"; }
  log "$conn: phase 1 + quick mode in $(( ($(date +%s%N) - t0) / 1000000 )) ms (swanctl --initiate)"
  wait_for 5 sw_child_installed right "$conn" || { sw_list_sas right >&2; fail "$conn: not INSTALLED on right"; }
  local sas_l sas_r
  sas_l=$(sw_list_sas left); sas_r=$(sw_list_sas right)
  assert_contains "$sas_l" "$conn: #" "left --list-sas"
  assert_contains "$sas_l" "INSTALLED, TUNNEL-in-UDP" "left --list-sas"
  assert_contains "$sas_r" "INSTALLED, TUNNEL-in-UDP" "right --list-sas"
  assert_contains "$sas_l" "IKEv1" "left --list-sas"
  printf '%s\n' "$sas_l" | sed 's/^/  left: /' >&2
  # the first packet may be lost while the TUN routes settle; then all must pass
  wait_for 10 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "$conn: no ping through the tunnel"
  local p
  p=$(ns_exec "$NS_HOSTA" ping -n -c 5 -i 0.2 -W 1 "$HOSTB_IP") || { printf '%s\n' "$p" >&2; fail "$conn: ping loss"; }
  assert_contains "$p" " 0% packet loss" "ping"
  # packets really went through the SA on both sides
  sas_r=$(sw_list_sas right)
  grep -qE '^ +in +[0-9a-f]+[^,]*, +[1-9][0-9]* bytes, +[1-9][0-9]* packets' <<<"$sas_r" \
    || { printf '%s\n' "$sas_r" >&2; fail "$conn: right SA counted no inbound packets"; }
  [ "$conn" = mmaes ] && throughput
  sw_terminate left "$conn" >/dev/null || true
  # An IKEv1 main-mode responder picks its config by the address pair alone (first match), so
  # the next case's connection between the same addresses must not sit behind this one.
  sw_unconn left "$conn"; sw_unconn right "$conn"
  wait_for 10 sh -c "! ip netns exec '$NS_HOSTA' ping -q -n -c1 -W1 '$HOSTB_IP'" \
    || fail "$conn: hostB still reachable after the tunnel was torn down"
}

run_case mm3des 3des-sha1-modp1024 3des-sha1 no
run_case mmaes aes128-sha256-modp2048 aes128-sha256 modp2048

# what charon logged at level 2 for the negotiation (evidence for the docs, and a check that
# the logs are where sw_log says)
assert_file_contains "$(sw_log_file right)" "IKE_SA mm3des\[[0-9]+\] established" "right charon.log"
assert_file_contains "$(sw_log_file right)" "CHILD_SA mmaes\{[0-9]+\} established" "right charon.log"
log "pass"
