#!/usr/bin/env bash
# Interop (issue 2, acceptance 1): ikegated <-> strongSwan 5.9.8 (charon + swanctl, kernel-libipsec)
# in network namespaces. ikegate as initiator and as responder; main mode with
# 3DES-SHA1-MODP1024 and AES128-SHA256-MODP2048, PFS on and off; aggressive mode once each way.
# Each case: phase 1 and phase 2 complete on both sides and the SPIs agree (ikegate's
# `show ipsec sa --json` against `swanctl --list-sas`). strongSwan floats to UDP 4500 (its
# kernel-libipsec fakes a NAT), so every case also exercises ikegate's NAT-T.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
topo_two_gateways
PSK="interop strongSwan psk 0123456789"
sw_start "$NS_GWB" sw
ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK"
ix_start "$NS_GWA" ikg

# run_case LABEL DIR MODE IKG_ENC IKG_HASH IKG_DH SW_IKE IKG_ESP_ENC IKG_ESP_INTEG SW_ESP PFS_GROUP SW_PFS
#   DIR: ikg (ikegate initiates) | sw (strongSwan initiates)
run_case() {
  local label=$1 dir=$2 mode=$3 enc=$4 hash=$5 dh=$6 swike=$7 eenc=$8 einteg=$9 swesp=${10} pfs=${11} swpfs=${12}
  local t0=$SECONDS
  log "== case $label: $dir initiates, $mode $swike, esp $swesp pfs $swpfs"
  local ikg_ids=()
  [ "$mode" = aggressive ] && ikg_ids=(local_id=gwa.example remote_id=gwb.example)
  ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" profile=vpn \
          mode="$mode" enc="$enc" hash="$hash" dh="$dh" esp_enc="$eenc" esp_integ="$einteg" pfs="$pfs" \
          "${ikg_ids[@]}"
  ix_restart "$NS_GWA" ikg
  sw_unconn sw sg 2>/dev/null || true
  local swids=()
  [ "$mode" = aggressive ] && swids=(local_id=@gwb.example remote_id=@gwa.example)
  sw_conn sw sg local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          mode="$mode" ike="$swike" esp="$swesp" pfs="$swpfs" "${swids[@]}"
  sw_load sw
  if [ "$dir" = ikg ]; then
    ix_cli ikg initiate vpn >/dev/null || fail "ikegate initiate vpn"
  else
    local out
    out=$(sw_initiate sw sg 15 2>&1) || { printf '%s\n' "$out" | tail -n 20 >&2; ix_dump ikg; fail "$label: swanctl --initiate failed"; }
  fi
  ix_wait_up ikg vpn 15
  wait_for 10 sw_child_installed sw sg || { sw_list_sas sw >&2; tail -n 30 "$(sw_log_file sw)" >&2; fail "$label: strongSwan child not INSTALLED"; }
  ix_assert_event ikg "phase 1 complete" 1
  ix_assert_event ikg "phase 2 complete" 1
  ix_assert_spis_match_sw ikg vpn sw sg
  local gotpfs; gotpfs=$(ix_json ikg "[s for s in d['ipsec_sas'] if s['profile']=='vpn'][0]['pfs_group']" show ipsec sa)
  [ "$gotpfs" = "$pfs" ] || fail "$label: ikegate's IPsec SA has PFS group '$gotpfs', expected $pfs"
  local sas; sas=$(sw_list_sas sw)
  assert_contains "$sas" "ESTABLISHED" "swanctl --list-sas ($label)"
  local childline; childline=$(grep -E '^ +sg: #[0-9]+, reqid [0-9]+, INSTALLED' <<<"$sas")
  if [ "$swpfs" = no ]; then
    assert_not_contains "$childline" "MODP_" "strongSwan's child SA ($label)"
  else
    assert_contains "$childline" "/MODP_${swpfs#modp}" "strongSwan's child SA ($label)"
  fi
  local ikesa; ikesa=$(ix_json ikg "[s for s in d['ike_sas'] if s['profile']=='vpn'][0]" show ike sa)
  log "$label: ikegate IKE SA $ikesa"
  assert_contains "$ikesa" "\"encryption\": \"$enc\", \"hash\": \"$hash\", \"dh_group\": $dh," "ikegate show ike sa ($label)"
  assert_contains "$ikesa" "\"mode\": \"$mode\"" "ikegate show ike sa ($label)"
  [ "$(ix_profile_field ikg vpn nat_t)" = True ] || fail "$label: ikegate did not use NAT-T (strongSwan fakes a NAT)"
  # strongSwan terminates; both sides drop the SAs
  sw_terminate sw sg >/dev/null 2>&1 || true
  log "== case $label: PASS ($((SECONDS - t0)) s)"
}

#        label            dir mode       enc    hash   dh sw-ike                  esp    integ  sw-esp          pfs sw-pfs
run_case i-3des-nopfs     ikg main       3des   sha1   2  3des-sha1-modp1024      3des   sha1   3des-sha1       0   no
run_case i-3des-pfs       ikg main       3des   sha1   2  3des-sha1-modp1024      3des   sha1   3des-sha1       2   modp1024
run_case i-aes-nopfs      ikg main       aes128 sha256 14 aes128-sha256-modp2048  aes128 sha256 aes128-sha256   0   no
run_case i-aes-pfs        ikg main       aes128 sha256 14 aes128-sha256-modp2048  aes128 sha256 aes128-sha256   14  modp2048
run_case r-3des-nopfs     sw  main       3des   sha1   2  3des-sha1-modp1024      3des   sha1   3des-sha1       0   no
run_case r-3des-pfs       sw  main       3des   sha1   2  3des-sha1-modp1024      3des   sha1   3des-sha1       2   modp1024
run_case r-aes-nopfs      sw  main       aes128 sha256 14 aes128-sha256-modp2048  aes128 sha256 aes128-sha256   0   no
run_case r-aes-pfs        sw  main       aes128 sha256 14 aes128-sha256-modp2048  aes128 sha256 aes128-sha256   14  modp2048
run_case i-aggr           ikg aggressive aes128 sha256 14 aes128-sha256-modp2048  aes128 sha256 aes128-sha256   14  modp2048
run_case r-aggr           sw  aggressive aes128 sha256 14 aes128-sha256-modp2048  aes128 sha256 aes128-sha256   14  modp2048
# strongSwan offers several proposals (phase 1 and quick mode): ikegate answers with the one it
# is configured for (the second of each list).
run_case r-multi          sw  main       aes128 sha256 14 aes256-sha512-modp4096,aes128-sha256-modp2048  aes128 sha256 aes256gcm16-modp2048,aes128-sha256  14  modp2048
ix_finish
log "PASS"
