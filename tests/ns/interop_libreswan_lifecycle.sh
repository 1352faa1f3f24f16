#!/usr/bin/env bash
# Tunnel lifecycle against libreswan 4.10 (beyond the acceptance matrix), IKE level (pluto runs
# with the XFRM shim, tests/lib/interop.sh): ikegate renews phase 2 (IPsec lifetime 20 s) and
# phase 1 (IKE lifetime 30 s) with pluto as responder, DPD runs both ways (2 s) without a
# false "dead peer", SPIs agree after each renewal, pluto deletes the old states on ikegate's
# delete notifications, and ikegate's teardown removes pluto's SAs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/libreswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
topo_two_gateways
PSK="interop libreswan lifecycle 0123456"
ix_ls_start "$NS_GWB" ls
PL=$(ls_log_file ls)
t0=$SECONDS
ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
        enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=14 \
        lifetime=20 ike_lifetime=30 dpd=2
ix_start "$NS_GWA" ikg
ls_conn ls c1 local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
        ike=aes128-sha2_256-modp2048 esp=aes128-sha2_256 pfs=yes retransmit=5 \
        extra='leftupdown=/bin/true
dpddelay=2
dpdtimeout=10
dpdaction=clear'
ls_add ls c1
ix_cli ikg initiate vpn >/dev/null
ix_wait_up ikg vpn 10
ix_assert_spis_match_ls ikg vpn ls c1
first=$(ix_spis ikg vpn)
oldck=$(ix_json ikg "[s for s in d['ike_sas'] if s['profile']=='vpn' and s['established']][0]['icookie']" show ike sa)

# phase 2 renewed at 85-90 % of 20 s, phase 1 at 85-90 % of 30 s
ix_assert_event ikg "phase 2 rekeyed" 25
ix_assert_event ikg "phase 1 rekeyed" 20
ix_wait_up ikg vpn 5
# the replaced ISAKMP SA stays listed for a grace period (it is deleted a few seconds later)
newck=$(ix_json ikg "([s['icookie'] for s in d['ike_sas'] if s['profile']=='vpn' and s['established'] and s['icookie']!='$oldck'] or [''])[0]" show ike sa)
[ -n "$newck" ] && [ "$newck" != "$oldck" ] || fail "phase 1 not renewed ($oldck)"
ix_assert_spis_match_ls ikg vpn ls c1
[ "$(ix_spis ikg vpn)" != "$first" ] || fail "phase 2 not renewed ($first)"
assert_file_contains "$PL" '"c1" #[0-9]+: received Delete SA\(0x[0-9a-f]+\) payload: deleting IPsec State' "pluto.log"
# the replaced ISAKMP SA is deleted after a grace period (at most 15 s, half its remaining life)
wait_for 20 grep -qE '"c1" #[0-9]+: received Delete SA payload: self-deleting ISAKMP State' "$PL" \
  || fail "pluto.log has no line matching /\"c1\" #[0-9]+: received Delete SA payload: self-deleting ISAKMP State/"
ix_assert_no_event ikg "dead peer detected"
if grep -qE 'DPD: .*(timeout|dead)' "$PL"; then grep -E 'DPD' "$PL" | tail -n 5 >&2; fail "pluto declared ikegate dead"; fi
log "renewals: IKE SA $oldck -> $newck, IPsec SA $first -> $(ix_spis ikg vpn), DPD quiet"

# ikegate's teardown: pluto deletes its IPsec SA (the shim records the kernel delete)
spis=$(ix_spis ikg vpn); read -r sin sout <<<"$spis"
ix_cli ikg profile disable vpn >/dev/null
wait_for 10 grep -q "delsa spi=0x$sout " "$IKG_TMP/ls-ls/xfrm-shim.log" \
  || { tail -n 20 "$PL" >&2; fail "pluto did not delete the IPsec SA 0x$sout after ikegate's teardown"; }
assert_file_contains "$PL" "received Delete SA\(0x$sin\) payload" "pluto.log"
ix_finish
log "PASS ($((SECONDS - t0)) s)"
