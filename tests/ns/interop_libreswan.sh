#!/usr/bin/env bash
# Interop (issue 2, acceptance 1): ikegated <-> libreswan 4.10 (pluto, unpacked in
# /opt/ikegate/libreswan) in network namespaces. ikegate as initiator and as responder; main
# mode with 3DES-SHA1-MODP1536 (libreswan 4.10 has no MODP1024) and AES128-SHA256-MODP2048, PFS
# on and off; aggressive mode once each way. Each case: phase 1 and phase 2 complete on both
# sides ("IPsec SA established" in pluto's log, "phase 2 complete" in ikegate's) and the SPIs
# agree (ikegate's show ipsec sa --json against pluto's log).
# This kernel has no ESP: pluto runs with tests/lib/interop_xfrm_shim.c preloaded, which answers
# its kernel SA installs (see tests/lib/interop.sh). IKE level only; no ESP packet is sent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/libreswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
topo_two_gateways
PSK="interop libreswan psk 0123456789"
ix_ls_start "$NS_GWB" ls
ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK"
ix_start "$NS_GWA" ikg
PL=$(ls_log_file ls)

# run_case LABEL DIR MODE IKG_ENC IKG_HASH IKG_DH LS_IKE IKG_ESP_ENC IKG_ESP_INTEG LS_ESP PFS(yes|no)
#   DIR: ikg (ikegate initiates) | ls (libreswan initiates). With PFS libreswan uses the phase-1
#   group, so ikegate's pfs-group is its dh-group.
run_case() {
  local label=$1 dir=$2 mode=$3 enc=$4 hash=$5 dh=$6 lsike=$7 eenc=$8 einteg=$9 lsesp=${10} pfs=${11}
  local t0=$SECONDS ikg_ids=() ls_ids=() pfsgroup=0
  log "== case $label: $dir initiates, $mode $lsike, esp $lsesp pfs $pfs"
  [ "$pfs" = yes ] && pfsgroup=$dh
  if [ "$mode" = aggressive ]; then
    ikg_ids=(local_id=@gwa.example remote_id=@gwb.example)
    ls_ids=(local_id=@gwb.example remote_id=@gwa.example)
  fi
  ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
          mode="$mode" enc="$enc" hash="$hash" dh="$dh" esp_enc="$eenc" esp_integ="$einteg" \
          pfs="$pfsgroup" "${ikg_ids[@]}"
  ix_restart "$NS_GWA" ikg
  ls_delete ls c1 || true
  ls_conn ls c1 local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          mode="$mode" ike="$lsike" esp="$lsesp" pfs="$pfs" retransmit=5 extra='leftupdown=/bin/true' \
          "${ls_ids[@]}"
  ls_add ls c1
  if [ "$dir" = ikg ]; then
    ix_cli ikg initiate vpn >/dev/null || fail "ikegate initiate vpn"
  else
    local out rc=0
    out=$(ls_up ls c1 20 2>&1) || rc=$?
    [ "$rc" -eq 0 ] || { printf '%s\n' "$out" | tail -n 20 >&2; ix_dump ikg; fail "$label: whack --initiate exited $rc"; }
  fi
  ix_wait_up ikg vpn 15
  ix_assert_event ikg "phase 1 complete" 1
  ix_assert_event ikg "phase 2 complete" 1
  ix_assert_spis_match_ls ikg vpn ls c1
  local gotpfs; gotpfs=$(ix_json ikg "[s for s in d['ipsec_sas'] if s['profile']=='vpn'][0]['pfs_group']" show ipsec sa)
  [ "$gotpfs" = "$pfsgroup" ] || fail "$label: ikegate's IPsec SA has PFS group '$gotpfs', expected $pfsgroup"
  local estab; estab=$(grep -E '"c1" #[0-9]+: (IKE SA established|ISAKMP SA established|IPsec SA established)' "$PL" | tail -n 2)
  log "$label: pluto: $(tr '\n' '|' <<<"$estab" | sed 's/Nov [0-9]* [0-9:.]*: //g')"
  assert_contains "$(ls_status ls)" '"c1"' "whack --status"
  local ikesa; ikesa=$(ix_json ikg "[s for s in d['ike_sas'] if s['profile']=='vpn'][0]" show ike sa)
  assert_contains "$ikesa" "\"mode\": \"$mode\"" "ikegate show ike sa"
  ls_down ls c1 >/dev/null 2>&1 || true
  log "== case $label: PASS ($((SECONDS - t0)) s)"
}

#        label          dir mode       enc    hash   dh sw-ike                     esp    integ  ls-esp          pfs
run_case i-3des-nopfs   ikg main       3des   sha1   5  3des-sha1-modp1536         3des   sha1   3des-sha1       no
run_case i-3des-pfs     ikg main       3des   sha1   5  3des-sha1-modp1536         3des   sha1   3des-sha1       yes
run_case i-aes-nopfs    ikg main       aes128 sha256 14 aes128-sha2_256-modp2048   aes128 sha256 aes128-sha2_256 no
run_case i-aes-pfs      ikg main       aes128 sha256 14 aes128-sha2_256-modp2048   aes128 sha256 aes128-sha2_256 yes
run_case r-3des-nopfs   ls  main       3des   sha1   5  3des-sha1-modp1536         3des   sha1   3des-sha1       no
run_case r-3des-pfs     ls  main       3des   sha1   5  3des-sha1-modp1536         3des   sha1   3des-sha1       yes
run_case r-aes-nopfs    ls  main       aes128 sha256 14 aes128-sha2_256-modp2048   aes128 sha256 aes128-sha2_256 no
run_case r-aes-pfs      ls  main       aes128 sha256 14 aes128-sha2_256-modp2048   aes128 sha256 aes128-sha2_256 yes
run_case i-aggr         ikg aggressive aes128 sha256 14 aes128-sha2_256-modp2048   aes128 sha256 aes128-sha2_256 yes
run_case r-aggr         ls  aggressive aes128 sha256 14 aes128-sha2_256-modp2048   aes128 sha256 aes128-sha2_256 yes
ix_finish
log "PASS"
