#!/usr/bin/env bash
# Tunnel lifecycle against strongSwan 5.9.8 (beyond the acceptance matrix): quick-mode rekey
# started by each side with traffic flowing across it, DPD both ways, and the delete
# notifications of a teardown on each side.
#   1. ikegate rekeys (IPsec lifetime 20 s: new SAs at 85-90 %): strongSwan installs the new
#      child, both agree on the new SPIs, pings keep crossing, the old SAs are deleted.
#   1b. ikegate renews phase 1 (IKE lifetime 25 s): strongSwan accepts the new main mode, the
#      tunnel and the pings survive it.
#   2. strongSwan rekeys (it initiates with child rekey_time 8 s, life_time 30 s): ikegate logs
#      "phase 2 rekeyed", SPIs agree, pings keep crossing.
#   3. DPD: ikegate (dpd = 2 s) and strongSwan (dpd_delay 2 s) probe each other, the tunnel stays
#      up; then charon is killed: ikegate logs "dead peer detected", diagnose ranks dead-peer.
#   4. ikegate `profile disable`: strongSwan receives the deletes; strongSwan terminate: ikegate
#      logs "SA deleted by peer".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
topo_two_gateways
PSK="interop lifecycle psk 0123456789"
sw_start "$NS_GWB" sw
SWLOG=$(sw_log_file sw)
t0=$SECONDS

up_case() {  # up_case IKG-KEYS... -- SW-KEYS...: a fresh tunnel, initiated by $UP_BY (ikg|sw)
  local ikg=() swk=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do ikg+=("$1"); shift; done
  shift; swk=("$@")
  ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
          enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=14 "${ikg[@]}"
  ix_restart "$NS_GWA" ikg
  sw_unconn sw sg
  sw_conn sw sg local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          ike=aes128-sha256-modp2048 esp=aes128-sha256 pfs=modp2048 "${swk[@]}"
  sw_load sw
  if [ "${UP_BY:-ikg}" = sw ]; then
    sw_initiate sw sg 15 >/dev/null || fail "swanctl --initiate"
  else
    ix_cli ikg initiate vpn >/dev/null
  fi
  ix_wait_up ikg vpn 15
  wait_for 10 sw_child_installed sw sg || fail "strongSwan child not installed"
  ix_assert_spis_match_sw ikg vpn sw sg
}

# ping_for SECONDS: one ping every 0.2 s from hostA; prints "sent received"
ping_for() {
  local n=$(( $1 * 5 )) out
  out=$(ns_exec "$NS_HOSTA" ping -n -c "$n" -i 0.2 -W 1 "$HOSTB_IP" 2>&1 || true)
  sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p' <<<"$out"
}

# ---- 1. ikegate rekeys -------------------------------------------------------------------------
log "== 1. ikegate rekeys the IPsec SA (lifetime 20 s)"
up_case lifetime=20 --
old=$(ix_spis ikg vpn)
read -r sent recv <<<"$(ping_for 22)"
ix_assert_event ikg "phase 2 rekeyed" 5
new=$(ix_spis ikg vpn)
[ "$new" != "$old" ] || fail "1: ikegate's SPIs did not change ($old)"
ix_assert_spis_match_sw ikg vpn sw sg
log "1: SPIs $old -> $new; pings across the rekey: $recv of $sent"
[ "$((sent - recv))" -le 1 ] || fail "1: $((sent - recv)) pings lost across the rekey"
wait_for 10 sh -c "[ \$(STRONGSWAN_CONF='$(sw_dir sw)/strongswan.conf' swanctl --list-sas --uri '$(sw_uri sw)' | grep -c 'INSTALLED') -eq 1 ]" \
  || { sw_list_sas sw >&2; fail "1: strongSwan still holds more than one child after the rekey"; }
assert_file_contains "$SWLOG" 'received DELETE for ESP CHILD_SA with SPI' "charon.log"

# ---- 1b. ikegate rekeys phase 1 ----------------------------------------------------------------
log "== 1b. ikegate renews phase 1 (IKE lifetime 25 s), traffic keeps flowing"
up_case ike_lifetime=25 --
oldck=$(ix_json ikg "[s for s in d['ike_sas'] if s['profile']=='vpn' and s['established']][0]['icookie']" show ike sa)
read -r sent recv <<<"$(ping_for 28)"
ix_assert_event ikg "phase 1 rekeyed" 5
# the replaced ISAKMP SA stays listed for a grace period: look for the new one
newck=$(ix_json ikg "([s['icookie'] for s in d['ike_sas'] if s['profile']=='vpn' and s['established'] and s['icookie']!='$oldck'] or [''])[0]" show ike sa)
[ -n "$newck" ] && [ "$newck" != "$oldck" ] || fail "1b: ikegate still uses IKE SA $oldck"
log "1b: IKE SA $oldck -> $newck; pings across the phase-1 renewal: $recv of $sent"
[ "$((sent - recv))" -le 1 ] || { ix_dump ikg; sw_list_sas sw >&2; fail "1b: $((sent - recv)) pings lost across the phase-1 renewal"; }
assert_contains "$(sw_list_sas sw)" "$newck" "swanctl --list-sas (new IKE SA)"
ix_is_up ikg vpn || fail "1b: tunnel down after the phase-1 renewal"
ns_ping "$NS_HOSTA" "$HOSTB_IP" 3 || fail "1b: no ping after the phase-1 renewal"

# ---- 2. strongSwan rekeys ----------------------------------------------------------------------
log "== 2. strongSwan rekeys the IPsec SA (rekey_time 8 s)"
# strongSwan must propose the short lifetime: as responder it adopts the initiator's lifetime
# (quick_mode.c: "received 3600s lifetime, configured 30s") and would rekey after an hour.
UP_BY=sw up_case lifetime=3600 -- extra_child='rekey_time = 8s
        life_time = 30s
        rand_time = 0s'
old=$(ix_spis ikg vpn)
read -r sent recv <<<"$(ping_for 12)"
ix_assert_event ikg "phase 2 rekeyed" 5
new=$(ix_spis ikg vpn)
[ "$new" != "$old" ] || fail "2: ikegate's SPIs did not change ($old)"
ix_assert_spis_match_sw ikg vpn sw sg
log "2: SPIs $old -> $new; pings across the rekey: $recv of $sent"
[ "$((sent - recv))" -le 1 ] || fail "2: $((sent - recv)) pings lost across the rekey"

# ---- 3. DPD ------------------------------------------------------------------------------------
log "== 3. DPD both ways, then the peer dies"
up_case dpd=2 -- dpd=2
sleep 7
ix_is_up ikg vpn || { ix_dump ikg; fail "3: tunnel went down with DPD running"; }
ix_assert_no_event ikg "dead peer detected"
assert_file_contains "$SWLOG" 'DPD' "charon.log"
kill -KILL "${SW_PID[sw]}" 2>/dev/null || true
ix_assert_event ikg "dead peer detected" 30
ix_assert_diag_first ikg dead-peer
sw_stop sw
sw_start "$NS_GWB" sw2
SWLOG=$(sw_log_file sw2)

# ---- 4. deletes --------------------------------------------------------------------------------
log "== 4. teardown on each side sends deletes"
up_sw2() {
  sw_unconn sw2 sg
  sw_conn sw2 sg local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          ike=aes128-sha256-modp2048 esp=aes128-sha256 pfs=modp2048
  sw_load sw2
  ix_cli ikg initiate vpn >/dev/null
  ix_wait_up ikg vpn 15
  wait_for 10 sw_child_installed sw2 sg || fail "4: strongSwan child not installed"
}
ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
        enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=14
ix_restart "$NS_GWA" ikg
up_sw2
ix_cli ikg profile disable vpn >/dev/null
wait_for 10 sh -c "! STRONGSWAN_CONF='$(sw_dir sw2)/strongswan.conf' swanctl --list-sas --uri '$(sw_uri sw2)' | grep -q ESTABLISHED" \
  || { sw_list_sas sw2 >&2; fail "4: strongSwan kept its SAs after ikegate's teardown"; }
assert_file_contains "$SWLOG" 'received DELETE for ESP CHILD_SA' "charon.log"
assert_file_contains "$SWLOG" 'received DELETE for IKE_SA' "charon.log"
ix_cli ikg profile enable vpn >/dev/null
ix_cli ikg clear log >/dev/null
up_sw2
sw_terminate sw2 sg >/dev/null 2>&1 || true
ix_assert_event ikg "SA deleted by peer" 10
wait_for 10 sh -c "! '$IKEGATE' -s '$(ix_sock ikg)' show ipsec sa --json | grep -q spi_in" \
  || { ix_cli ikg show ipsec sa >&2; fail "4: ikegate kept its IPsec SA after strongSwan's delete"; }

ix_finish
log "PASS ($((SECONDS - t0)) s)"
