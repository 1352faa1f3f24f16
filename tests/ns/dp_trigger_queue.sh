#!/usr/bin/env bash
# Traffic brings the tunnel up (issue 3, acceptance 4), with two real ikegated:
#  1. No `ikegate initiate`: the first ping from hostA to hostB, with no tunnel, starts phase 1
#     and 2 by itself, is queued while they run and is sent once the tunnel is up: that single
#     ping gets its reply. The WAN Event History of gwA shows "IKE: phase 1 complete sg
#     192.0.2.2" and then "IKE: phase 2 complete sg 192.0.2.2" (gwB the same with sg 192.0.2.1);
#     the Quick View counts the packet as queued (tx_queued 1, tx_dropped 0).
#  2. The NAT table (`show ip nat translations`, text and --json) then has the UDP 500 row and
#     the ESP row for the peer (gwA: dir out, gwB: dir in), 2 entries in all.
#  3. An IPsec profile without ike-profile: a ping logs "IKE: no ph1 preferences assigned", no
#     IKE packet is sent (no UDP 500 translation), the tunnel stays down.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"

ikg_test_init
ikgd_require

topo_two_gateways
ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B"
ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A"
ikgd_start "$NS_GWA" a
ikgd_start "$NS_GWB" b

# ---- 1. the first ping brings the tunnel up and gets its reply ----
[ "$(ikg "$NS_GWA" show vpn --json | json_get "j['profiles'][0]['remote_endpoint']")" = "$GWB_WAN" ] \
  || fail "show vpn --json (asked by namespace) does not show remote endpoint $GWB_WAN"
read -r p1 p2 <<<"$(ikgd_vpn a tunnel phase1 phase2)"
[ "$p1 $p2" != "up up" ] || fail "tunnel up before any traffic"
hist=$(ikg a show log)
assert_not_contains "$hist" "phase 1 complete" "gwA show log before traffic"

t0=$(date +%s%N)
out=$(ns_exec "$NS_HOSTA" ping -n -c 1 -W 5 "$HOSTB_IP" 2>&1) \
  || { printf '%s\n' "$out" >&2; fail "the first ping (no tunnel yet) got no reply: it was not queued and sent when the tunnel came up"; }
log "first ping: $(grep -o 'time=[0-9.]* ms' <<<"$out") (tunnel set-up included), total $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# phase 1 then phase 2, on both sides, in this order
check_history() {  # NAME PEER
  local name=$1 peer=$2 hist l1 l2
  hist=$(ikg "$name" show log)
  printf '%s\n' "$hist" | sed "s/^/  gw$name show log: /" >&2
  l1=$(grep -nF "IKE: phase 1 complete sg $peer" <<<"$hist" | head -n 1 | cut -d: -f1)
  l2=$(grep -nF "IKE: phase 2 complete sg $peer" <<<"$hist" | head -n 1 | cut -d: -f1)
  [ -n "$l1" ] || fail "gw$name show log has no 'IKE: phase 1 complete sg $peer'"
  [ -n "$l2" ] || fail "gw$name show log has no 'IKE: phase 2 complete sg $peer'"
  [ "$l1" -lt "$l2" ] || fail "gw$name show log: phase 2 complete (line $l2) before phase 1 complete (line $l1)"
  # the history line format of the technote: MM/DD/YY HH:MM:SS, three spaces, facility, message
  grep -qE "^[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}   IKE: phase 2 complete sg $peer\$" <<<"$hist" \
    || fail "gw$name: the phase 2 line is not in the technote's format"
}
check_history a "$GWB_WAN"
check_history b "$GWA_WAN"

read -r p1 p2 tx rx queued dropped <<<"$(ikgd_vpn a tunnel phase1 phase2 tx_packets rx_packets tx_queued tx_dropped)"
log "gwA Quick View: phase1 $p1 phase2 $p2 tx $tx rx $rx tx_queued $queued tx_dropped $dropped"
[ "$p1 $p2" = "up up" ] || fail "gwA Quick View: phase 1/2 '$p1 $p2' after the ping"
[ "$tx $rx" = "1 1" ] || fail "gwA Quick View: tx $tx rx $rx after one ping, expected 1 1"
[ "$queued $dropped" = "1 0" ] || fail "gwA Quick View: tx_queued $queued tx_dropped $dropped, expected 1 0 (the triggering ping is queued, not dropped)"
read -r tx rx queued <<<"$(ikgd_vpn b tunnel tx_packets rx_packets tx_queued)"
[ "$tx $rx $queued" = "1 1 0" ] || fail "gwB Quick View: tx $tx rx $rx tx_queued $queued, expected 1 1 0"
read -r ini <<<"$(ikgd_ike_sa a tunnel initiator)"
[ "$ini" = true ] || fail "gwA is not the phase-1 initiator (initiator=$ini): the ping from hostA should have started it"

# ---- 2. the NAT table ----
check_nat() {  # NAME PEER DIR
  local name=$1 peer=$2 dir=$3 text js
  text=$(ikg "$name" show ip nat translations)
  printf '%s\n' "$text" | sed "s/^/  gw$name nat: /" >&2
  assert_contains "$text" "Total entries in NAT cache: 2" "gw$name show ip nat translations"
  grep -qE "^[0-9.]+ +500 +[0-9.]+ +500 +$peer +500 +$dir +UDP " <<<"$text" \
    || fail "gw$name NAT table has no UDP 500 row for $peer ($dir)"
  grep -qE "^[0-9.]+ +[0-9.]+ +$peer +$dir +ESP " <<<"$text" \
    || fail "gw$name NAT table has no ESP row for $peer ($dir)"
  js=$(ikg "$name" show ip nat translations --json)
  local v
  v=$(json_vals "j['total']" \
    "sum(1 for e in j['entries'] if e['proto'] == 'UDP' and e['lan_port'] == 500 and e['rem_port'] == 500 and e['rem_ip'] == '$peer' and e['dir'] == '$dir')" \
    "sum(1 for e in j['entries'] if e['proto'] == 'ESP' and e['lan_port'] is None and e['rem_ip'] == '$peer' and e['dir'] == '$dir')" \
    "min(e['expires_in_s'] for e in j['entries'] if e['proto'] == 'ESP')" <<<"$js")
  read -r total udp esp life <<<"$v"
  [ "$total $udp $esp" = "2 1 1" ] || { printf '%s\n' "$js" >&2; fail "gw$name NAT --json: total/UDP 500/ESP rows '$total $udp $esp', expected '2 1 1'"; }
  { [ "$life" -gt 170 ] && [ "$life" -le 180 ]; } || fail "gw$name NAT --json: ESP entry expires in $life s, expected ESP_LIFE 180 (just refreshed)"
}
check_nat a "$GWB_WAN" out
check_nat b "$GWA_WAN" in

ikgd_stop a
ikgd_stop b

# ---- 3. a profile without an IKE profile ----
ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" ipsec.ike-profile=-
ikgd_start "$NS_GWA" a
ns_ping "$NS_HOSTA" "$HOSTB_IP" && fail "a ping got a reply through a profile without an IKE profile"
wait_for 5 ikgd_log_has a "IKE: no ph1 preferences assigned" || {
  ikg a show log >&2; fail "gwA show log has no 'IKE: no ph1 preferences assigned' after a ping"; }
hist=$(ikg a show log)
printf '%s\n' "$hist" | sed 's/^/  gwA (no ike-profile) show log: /' >&2
assert_not_contains "$hist" "phase 1 complete" "gwA show log (no ike-profile)"
read -r p1 p2 <<<"$(ikgd_vpn a tunnel phase1 phase2)"
[ "$p2" != up ] || fail "phase 2 up without an IKE profile"
js=$(ikg a show ip nat translations --json)
[ "$(json_get "sum(1 for e in j['entries'] if e['proto'] == 'UDP')" <<<"$js")" = 0 ] \
  || { printf '%s\n' "$js" >&2; fail "an IKE packet was sent although no IKE profile is assigned"; }
det=$(ikg a show log --detail)
assert_contains "$det" "no ph1 preferences assigned" "show log --detail"
ikgd_stop a
log "PASS"
