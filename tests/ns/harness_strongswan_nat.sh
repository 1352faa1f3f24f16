#!/usr/bin/env bash
# Harness proof for topo_nat: gwA (charon) behind a NAT box doing `masquerade random`, gwB
# (charon) on the WAN. IKEv1 aggressive mode with FQDN identities (the technote's case for a
# gateway with no fixed public address). The tunnel comes up through the NAT, gwB sees gwA at
# the NAT's address with a rewritten port, and hostA pings hostB through the tunnel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"

ikg_test_init
[ -c /dev/net/tun ] || skip "no /dev/net/tun (kernel-libipsec needs it)"
topo_nat

ns_ping "$NS_GWA" "$GWB_WAN" || fail "gwA cannot reach gwB through the NAT box"
sw_start "$NS_GWA" left
sw_start "$NS_GWB" right
sw_conn left  am local="$GWA_PRIVATE" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" \
        mode=aggressive local_id=@gwa.example remote_id=@gwb.example \
        ike=aes256-sha256-modp2048 esp=aes256-sha256 pfs=modp2048 psk="behind the nat"
sw_conn right am local="$GWB_WAN" remote=%any lts="$LAN_B" rts="$LAN_A" \
        mode=aggressive local_id=@gwb.example remote_id=@gwa.example \
        ike=aes256-sha256-modp2048 esp=aes256-sha256 pfs=modp2048 psk="behind the nat"
sw_load left; sw_load right

out=$(sw_initiate left am 20) || { printf '%s\n' "$out" >&2; sw_log left | tail -n 30 >&2; fail "initiate"; }
wait_for 5 sw_child_installed right am || { sw_list_sas right >&2; fail "child not INSTALLED on right"; }
sas=$(sw_list_sas right)
printf '%s\n' "$sas" | sed 's/^/  right: /' >&2
assert_contains "$sas" "remote 'gwa.example' @ ${GWA_PUBLIC}[" "right --list-sas"
port=$(sed -nE "s/.*remote 'gwa\.example' @ 192\.0\.2\.1\[([0-9]+)\].*/\1/p" <<<"$sas")
case $port in
  ""|500|4500) fail "NAT did not rewrite gwA's port (saw '$port')" ;;
esac
assert_file_contains "$(sw_log_file right)" "remote host is behind NAT" "right charon.log"
wait_for 10 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "no ping through the tunnel across the NAT"
p=$(ns_exec "$NS_HOSTA" ping -n -c 5 -i 0.2 -W 1 "$HOSTB_IP") || { printf '%s\n' "$p" >&2; fail "ping loss"; }
assert_contains "$p" " 0% packet loss" "ping"
log "pass (gwA seen as $GWA_PUBLIC:$port)"
