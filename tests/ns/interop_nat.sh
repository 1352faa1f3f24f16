#!/usr/bin/env bash
# NAT traversal against real peers (issue 6, acceptance 3). A NAT box (nftables `masquerade
# random`: address and source-port rewriting) sits in front of gwA:
#   hostA -- gwA 192.168.1.2 -- NAT 192.0.2.1 ===== 192.0.2.2 gwB -- hostB
# A: ikegated behind the NAT initiates to strongSwan: IKE floats to UDP 4500, ESP in UDP,
#    strongSwan sees ikegate at the NAT's address with a rewritten port; LAN-to-LAN pings both
#    ways cross the tunnel; SPIs and counters agree.
# B: strongSwan behind the NAT initiates, ikegated (gwB) responds: ikegate detects the NAT,
#    answers on the rewritten port, pings cross both ways.
# B2: the same in aggressive mode with FQDN identities, ikegated answering any peer
#    (remote-endpoint 0.0.0.0): the technote's gateway without a fixed address.
# C: libreswan behind the NAT initiates, ikegated responds: both phases complete (see
#    tests/lib/interop.sh ls_fake_kernel_sa: pluto's kernel SA install is answered by a shim,
#    this kernel has no ESP), SPIs agree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"
. "$here/../lib/libreswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
topo_nat
PSK="interop nat psk 0123456789abcdef"
ns_ping "$NS_GWA" "$GWB_WAN" || fail "gwA cannot reach gwB through the NAT box"
t0=$SECONDS

ping_both_ways() {  # ping_both_ways LABEL: 5 pings each way, no loss
  local p
  wait_for 10 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "$1: no ping A->B through the tunnel"
  p=$(ns_exec "$NS_HOSTA" ping -n -c 5 -i 0.2 -W 2 "$HOSTB_IP" 2>&1) || { printf '%s\n' "$p" >&2; fail "$1: ping A->B loss"; }
  p=$(ns_exec "$NS_HOSTB" ping -n -c 5 -i 0.2 -W 2 "$HOSTA_IP" 2>&1) || { printf '%s\n' "$p" >&2; fail "$1: ping B->A loss"; }
  log "$1: pings A->B and B->A crossed the tunnel"
}

nat_port_of() {  # nat_port_of TEXT: the port in "192.0.2.1[PORT]"
  sed -nE "s/.*${GWA_PUBLIC//./\\.}\[([0-9]+)\].*/\1/p" <<<"$1" | head -n 1
}

# ---- A: ikegated behind the NAT, strongSwan on the WAN --------------------------------------
log "== A: ikegated behind the NAT initiates to strongSwan"
ix_conf ikga wan="$GWA_PRIVATE" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
        enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=14 \
        local_id=@gwa.example remote_id=@gwb.example
ix_start "$NS_GWA" ikga
sw_start "$NS_GWB" swb
sw_conn swb nat local="$GWB_WAN" remote="$GWA_PUBLIC" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
        ike=aes128-sha256-modp2048 esp=aes128-sha256 pfs=modp2048 \
        local_id=@gwb.example remote_id=@gwa.example
sw_load swb
ix_cli ikga initiate vpn >/dev/null
ix_wait_up ikga vpn 15
wait_for 10 sw_child_installed swb nat || { sw_list_sas swb >&2; fail "A: strongSwan child not installed"; }
ix_assert_event ikga "NAT detected" 1
sas=$(sw_list_sas swb)
printf '%s\n' "$sas" | sed 's/^/  strongSwan: /' >&2
assert_contains "$sas" "remote 'gwa.example' @ ${GWA_PUBLIC}[" "swanctl --list-sas"
port=$(nat_port_of "$sas")
case $port in ""|500|4500) fail "A: the NAT did not rewrite ikegate's port (strongSwan sees '$port')" ;; esac
assert_file_contains "$(sw_log_file swb)" "remote host is behind NAT" "charon.log"
ikesa=$(ix_json ikga "[s for s in d['ike_sas'] if s['profile']=='vpn'][0]" show ike sa)
assert_contains "$ikesa" '"nat_t": true' "ikegate show ike sa"
assert_contains "$ikesa" '"peer_port": 4500' "ikegate show ike sa"
ix_assert_spis_match_sw ikga vpn swb nat
ping_both_ways A
read -r tx rx <<<"$(ix_counters ikga vpn)"
[ "$tx" -ge 10 ] && [ "$rx" -ge 10 ] || fail "A: ikegate counters tx $tx rx $rx"
log "== A: PASS (ikegate seen as $GWA_PUBLIC:$port; ikegate tx $tx rx $rx)"
ix_stop ikga
sw_stop swb

# ---- B: strongSwan behind the NAT, ikegated responds ----------------------------------------
log "== B: strongSwan behind the NAT initiates to ikegated"
sw_start "$NS_GWA" swa
sw_conn swa nat local="$GWA_PRIVATE" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
        ike=aes128-sha256-modp2048 esp=aes128-sha256 pfs=modp2048 \
        local_id=@gwa.example remote_id=@gwb.example
sw_load swa
ix_conf ikgb wan="$GWB_WAN" remote="$GWA_PUBLIC" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
        enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=14 \
        local_id=@gwb.example remote_id=@gwa.example
ix_start "$NS_GWB" ikgb
out=$(sw_initiate swa nat 15 2>&1) || { printf '%s\n' "$out" | tail -n 20 >&2; ix_dump ikgb; fail "B: swanctl --initiate"; }
ix_wait_up ikgb vpn 10
ix_assert_event ikgb "NAT detected" 1
ikesa=$(ix_json ikgb "[s for s in d['ike_sas'] if s['profile']=='vpn'][0]" show ike sa)
log "B: ikegate IKE SA: $ikesa"
assert_contains "$ikesa" "\"peer\": \"$GWA_PUBLIC\"" "ikegate show ike sa"
assert_contains "$ikesa" '"nat_t": true' "ikegate show ike sa"
bport=$(sed -nE 's/.*"peer_port": ([0-9]+).*/\1/p' <<<"$ikesa")
case $bport in ""|500|4500) fail "B: ikegate sees strongSwan on port '$bport', not a NAT-rewritten one" ;; esac
ix_assert_spis_match_sw ikgb vpn swa nat
ping_both_ways B
log "== B: PASS (strongSwan seen as $GWA_PUBLIC:$bport)"
sw_stop swa
ix_stop ikgb

# ---- B2: the technote's roaming case: strongSwan behind the NAT, aggressive mode with FQDN
# identities, ikegated answers any peer (remote-endpoint 0.0.0.0) ---------------------------
log "== B2: strongSwan behind the NAT, aggressive mode, ikegated answers any peer (0.0.0.0)"
sw_start "$NS_GWA" swa2
sw_conn swa2 am local="$GWA_PRIVATE" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
        mode=aggressive ike=aes128-sha256-modp2048 esp=aes128-sha256 pfs=modp2048 \
        local_id=@roamer.example remote_id=@gwb.example
sw_load swa2
ix_conf ikgb2 wan="$GWB_WAN" remote=0.0.0.0 lts="$LAN_B" rts="$LAN_A" psk="$PSK" mode=aggressive \
        enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=14 \
        local_id=@gwb.example remote_id=@roamer.example
ix_start "$NS_GWB" ikgb2
out=$(sw_initiate swa2 am 15 2>&1) || { printf '%s\n' "$out" | tail -n 20 >&2; ix_dump ikgb2; fail "B2: swanctl --initiate"; }
ix_wait_up ikgb2 vpn 10
ix_assert_event ikgb2 "NAT detected" 1
ikesa=$(ix_json ikgb2 "[s for s in d['ike_sas'] if s['profile']=='vpn'][0]" show ike sa)
assert_contains "$ikesa" "\"peer\": \"$GWA_PUBLIC\"" "ikegate show ike sa"
assert_contains "$ikesa" '"mode": "aggressive"' "ikegate show ike sa"
ix_assert_spis_match_sw ikgb2 vpn swa2 am
ping_both_ways B2
log "== B2: PASS"
sw_stop swa2
ix_stop ikgb2

# ---- C: libreswan behind the NAT, ikegated responds -----------------------------------------
if [ -x "$LS_LIBEXEC/pluto" ] && ix_ls_shim_build; then
  log "== C: libreswan behind the NAT initiates to ikegated"
  ix_conf ikgc wan="$GWB_WAN" remote="$GWA_PUBLIC" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=14 \
          local_id=@gwb.example remote_id=@gwa.example
  ix_start "$NS_GWB" ikgc
  ix_ls_start "$NS_GWA" lsa
  ls_conn lsa nat local="$GWA_PRIVATE" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
          ike=aes128-sha2_256-modp2048 esp=aes128-sha2_256 pfs=yes \
          local_id=@gwa.example remote_id=@gwb.example retransmit=5 extra='leftupdown=/bin/true'
  ls_add lsa nat
  out=$(ls_up lsa nat 20 2>&1) || true
  printf '%s\n' "$out" | sed 's/^/  whack: /' >&2
  ix_wait_up ikgc vpn 10
  ix_assert_event ikgc "NAT detected" 1
  ikesa=$(ix_json ikgc "[s for s in d['ike_sas'] if s['profile']=='vpn'][0]" show ike sa)
  log "C: ikegate IKE SA: $ikesa"
  cport=$(sed -nE 's/.*"peer_port": ([0-9]+).*/\1/p' <<<"$ikesa")
  case $cport in ""|500|4500) fail "C: ikegate sees libreswan on port '$cport'" ;; esac
  ix_assert_spis_match_ls ikgc vpn lsa nat
  sleep 5   # the SAs stay: nothing expires or deletes them behind our back
  ix_is_up ikgc vpn || { ix_dump ikgc; fail "C: the tunnel did not stay up"; }
  ix_assert_no_event ikgc "SA deleted by peer"
  log "== C: PASS (libreswan seen as $GWA_PUBLIC:$cport; IKE level, no ESP in this kernel)"
else
  log "== C: libreswan not available (no $LS_LIBEXEC/pluto or no C compiler): skipped"
fi
ix_finish
log "PASS ($((SECONDS - t0)) s)"
