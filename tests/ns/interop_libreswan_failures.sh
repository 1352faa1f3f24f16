#!/usr/bin/env bash
# Interop failures against libreswan 4.10 (issue 2, acceptance 2; issue 5, acceptance 2), where
# it behaves differently from strongSwan: each failure's message on the side that can see it,
# and `ikegate diagnose --json` ranking the true cause first on ikegate's side.
# pluto runs with the XFRM shim (tests/lib/interop.sh) so that quick mode can complete at all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/libreswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
topo_two_gateways
PSK="interop libreswan failures psk 0123"
ix_ls_start "$NS_GWB" ls
PL=$(ls_log_file ls)

# setup_case IKG-KEYS... -- LS-KEYS...: fresh ikegated, libreswan's only conn c1 replaced.
setup_case() {
  local ikg=() lsk=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do ikg+=("$1"); shift; done
  shift
  lsk=("$@")
  ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
          enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 "${ikg[@]}"
  ix_restart "$NS_GWA" ikg
  ls_delete ls c1 || true
  ls_conn ls c1 local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          ike=aes128-sha2_256-modp2048 esp=aes128-sha2_256 retransmit=5 \
          extra='leftupdown=/bin/true' "${lsk[@]}"
  ls_add ls c1
  LSMARK=$(wc -l <"$PL")
}
assert_ls_logged() {  # assert_ls_logged REGEX SECONDS
  if ! wait_for "$2" sh -c "tail -n +$((LSMARK + 1)) '$PL' | grep -qE -- '$1'"; then
    tail -n +"$((LSMARK + 1))" "$PL" | tail -n 30 >&2
    fail "pluto.log lacks /$1/"
  fi
  log "libreswan logged: $(tail -n +"$((LSMARK + 1))" "$PL" | grep -E -- "$1" | head -n 1 | sed 's/^[A-Z][a-z][a-z] [0-9]* [0-9:.]*: //' | cut -c1-200)"
}
ls_start_initiate() {  # libreswan initiates in the background (it will fail)
  timeout 15 "$LS_LIBEXEC/whack" --ctlsocket "$(ls_dir ls)/run/pluto.ctl" --name c1 --initiate \
    >"$IKG_TMP/whack-init.out" 2>&1 &
  LS_INIT_PID=$!
  track_pid "$LS_INIT_PID"
}
ls_reset() {
  if [ -n "${LS_INIT_PID:-}" ]; then kill_pid "$LS_INIT_PID"; LS_INIT_PID=; fi
  ls_down ls c1 >/dev/null 2>&1 || true
}

t0=$SECONDS
# 1. Wrong PSK, libreswan initiates: ikegate (responder) -> "phase1 auth failure".
log "== 1. wrong PSK (libreswan initiates)"
setup_case -- psk="another key for libreswan 0123"
ls_start_initiate
ix_assert_event ikg "phase1 auth failure" 10
ix_assert_diag_first ikg phase1-auth-failure
ls_reset

# 2. Wrong PSK, ikegate initiates: libreswan (responder) cannot decrypt message 5.
log "== 2. wrong PSK (ikegate initiates)"
setup_case -- psk="another key for libreswan 0123"
ix_cli ikg initiate vpn >/dev/null
assert_ls_logged 'probable authentication \(preshared secret\) failure|malformed payload|INVALID_HASH|decrypt' 10
ix_assert_no_event ikg "phase 1 complete"
ls_reset

# 3. Proposal mismatch, libreswan initiates: ikegate -> "no matching proposal"; libreswan as
#    initiator ignores the unauthenticated NO_PROPOSAL_CHOSEN and waits for its own timeout.
log "== 3. proposal mismatch (libreswan initiates)"
setup_case -- ike=3des-sha1-modp1536
ls_start_initiate
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
ls_reset

# 4. Proposal mismatch, ikegate initiates: libreswan (responder) refuses.
log "== 4. proposal mismatch (ikegate initiates)"
setup_case -- ike=3des-sha1-modp1536
ix_cli ikg initiate vpn >/dev/null
assert_ls_logged 'no acceptable Oakley Transform|NO_PROPOSAL_CHOSEN' 10
ix_assert_event ikg "peer notify" 10
ix_assert_diag_first ikg peer-notify
ls_reset

# 5. libreswan initiates to an ikegate with no profile for it -> "no matching phase1 profile".
log "== 5. no profile for the peer (libreswan initiates)"
setup_case remote=192.0.2.99 --
ls_start_initiate
ix_assert_event ikg "no matching phase1 profile" 10
ix_assert_diag_first ikg no-matching-phase1-profile
ls_reset

# 6. ikegate initiates to a libreswan with no conn for it.
log "== 6. no conn for ikegate on libreswan (ikegate initiates)"
setup_case -- remote=192.0.2.99
ix_cli ikg initiate vpn >/dev/null
assert_ls_logged 'no connection has been authorized|no suitable connection|initial Main Mode message received' 10
ix_assert_no_event ikg "phase 1 complete"
ls_reset

# 7. PFS on ikegate only, ikegate initiates: libreswan with pfs=no accepts a PFS proposal -> the
#    tunnel comes up (with PFS).
log "== 7. PFS on ikegate only (ikegate initiates): libreswan accepts"
setup_case pfs=14 -- pfs=no
ix_cli ikg initiate vpn >/dev/null
ix_wait_up ikg vpn 10
ix_assert_spis_match_ls ikg vpn ls c1
[ "$(ix_json ikg "[s for s in d['ipsec_sas'] if s['profile']=='vpn'][0]['pfs_group']" show ipsec sa)" = 14 ] \
  || fail "7: the SA was not negotiated with PFS group 14"
ls_reset

# 8. PFS on libreswan only, libreswan initiates: ikegate refuses -> "no matching proposal".
log "== 8. PFS on libreswan only (libreswan initiates)"
setup_case pfs=0 -- pfs=yes
ls_start_initiate
ix_assert_event ikg "phase 1 complete" 10
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
ls_reset

# 9. PFS on ikegate only, libreswan initiates (no KE in its proposal): ikegate refuses.
log "== 9. PFS on ikegate only (libreswan initiates)"
setup_case pfs=14 -- pfs=no
ls_start_initiate
ix_assert_event ikg "phase 1 complete" 10
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
ls_reset

# 10. PFS on libreswan only, ikegate initiates (no KE in ours): libreswan "we require PFS but
#     Quick I1 SA specifies no GROUP_DESCRIPTION" and an authenticated NO_PROPOSAL_CHOSEN ->
#     ikegate "no matching proposal".
log "== 10. PFS on libreswan only (ikegate initiates)"
setup_case pfs=0 -- pfs=yes
ix_cli ikg initiate vpn >/dev/null
ix_assert_event ikg "phase 1 complete" 10
assert_ls_logged '"c1" #[0-9]+: we require PFS but Quick I1 SA specifies no GROUP_DESCRIPTION' 10
ix_assert_event ikg "no matching proposal" 10
assert_contains "$(ix_cli ikg show log --detail)" "peer rejected our phase-2 proposal (PFS group off)" "show log --detail"
ix_assert_diag_first ikg no-matching-proposal
ls_reset

ix_finish
log "PASS ($((SECONDS - t0)) s)"
