#!/usr/bin/env bash
# Interop failures (issue 2, acceptance 2; issue 5, acceptance 2) against strongSwan 5.9.8: each
# failure produces the technote's message on the side that can see it, and
# `ikegate diagnose --json` ranks the true cause first. The cases that end quickly; the ones that
# need ikegate's own IKE retransmissions to run out are in interop_timeouts.sh. Includes a quick
# mode with a corrupted HASH against the real peer (nftables rewrites bytes of its message).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
topo_two_gateways
PSK="interop failures psk 0123456789"
sw_start "$NS_GWB" sw
SWLOG=$(sw_log_file sw)

# setup_case IKG-KEYS... -- SW-KEYS...: restart ikegated with a fresh history and the given
# settings, reload strongSwan's only connection "sg" with the given settings.
setup_case() {
  local ikg=() sw=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do ikg+=("$1"); shift; done
  shift
  sw=("$@")
  ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" "${ikg[@]}"
  ix_restart "$NS_GWA" ikg
  sw_unconn sw sg
  sw_conn sw sg local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          ike=3des-sha1-modp1024 esp=aes128-sha1 "${sw[@]}"
  sw_load sw
  SWMARK=$(wc -l <"$SWLOG")
}

# sw_log_since: charon's log lines written since setup_case
sw_log_since() { tail -n +"$((SWMARK + 1))" "$SWLOG"; }
assert_sw_logged() {  # assert_sw_logged REGEX SECONDS
  if ! wait_for "$2" sh -c "tail -n +$((SWMARK + 1)) '$SWLOG' | grep -qE -- '$1'"; then
    sw_log_since | grep -E '\[(IKE|CFG|NET)\]' | grep -v 'vici\|parsing\|generating' | tail -n 30 >&2
    fail "charon.log lacks /$1/"
  fi
  log "strongSwan logged: $(sw_log_since | grep -E -- "$1" | head -n 1 | cut -c1-200)"
}
sw_start_initiate() {  # strongSwan initiates in the background (it will fail)
  sw_swanctl sw --initiate --child sg --timeout 8 --loglevel 0 >/dev/null 2>&1 &
  SW_INIT_PID=$!
  track_pid "$SW_INIT_PID"
}
sw_reset() {  # drop whatever IKE SA strongSwan still holds
  if [ -n "${SW_INIT_PID:-}" ]; then kill_pid "$SW_INIT_PID"; SW_INIT_PID=; fi
  sw_swanctl sw --terminate --ike sg --force --timeout 2 >/dev/null 2>&1 || true
}

t0=$SECONDS
# 1. Wrong pre-shared key, strongSwan initiates: ikegate (responder) cannot decrypt main mode
#    message 5 -> "phase1 auth failure".
log "== 1. wrong PSK (strongSwan initiates)"
setup_case psk="$PSK" -- psk="a different key 0123456789"
sw_start_initiate
ix_assert_event ikg "phase1 auth failure" 10
ix_assert_diag_first ikg phase1-auth-failure
ix_assert_no_event ikg "phase 1 complete"
sw_reset

# 2. Proposal mismatch, strongSwan initiates: ikegate (responder) -> "no matching proposal".
log "== 2. proposal mismatch (strongSwan initiates)"
setup_case enc=aes128 hash=sha256 dh=14 -- ike=3des-sha1-modp1024
sw_start_initiate
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
assert_sw_logged 'received NO_PROPOSAL_CHOSEN|NO_PROPOSAL_CHOSEN' 10
sw_reset

# 3. Proposal mismatch, ikegate initiates: the responder (strongSwan) is the side that sees it
#    ("no acceptable ENCRYPTION_ALGORITHM found") and answers with an unauthenticated
#    NO_PROPOSAL_CHOSEN notify, which ikegate logs as "peer notify" and does not act upon (its
#    phase 1 runs into "phase1 resend timeout": interop_timeouts.sh).
log "== 3. proposal mismatch (ikegate initiates)"
setup_case enc=aes128 hash=sha256 dh=14 -- ike=3des-sha1-modp1024
ix_cli ikg initiate vpn >/dev/null
assert_sw_logged 'no acceptable ENCRYPTION_ALGORITHM found' 10
assert_sw_logged 'sending packet|NO_PROPOSAL_CHOSEN' 5
ix_assert_event ikg "peer notify" 10
assert_contains "$(ix_cli ikg show log --detail)" "received=NO-PROPOSAL-CHOSEN notify" "show log --detail"
ix_assert_diag_first ikg peer-notify
ix_assert_no_event ikg "phase 1 complete"
sw_reset

# 4. strongSwan initiates to an ikegate that has no profile for it -> "no matching phase1
#    profile" (ikegate's only profile names another peer).
log "== 4. no profile for the peer (strongSwan initiates)"
setup_case remote=192.0.2.99 -- ike=3des-sha1-modp1024
sw_start_initiate
ix_assert_event ikg "no matching phase1 profile" 10
ix_assert_diag_first ikg no-matching-phase1-profile
sw_reset

# 5. PFS on ikegate only, ikegate initiates: strongSwan refuses the quick-mode proposal
#    (no acceptable KEY_EXCHANGE_METHOD) and says NO_PROPOSAL_CHOSEN -> "no matching proposal".
log "== 5. PFS on ikegate only (ikegate initiates)"
setup_case pfs=2 -- ike=3des-sha1-modp1024 esp=aes128-sha1 pfs=no
ix_cli ikg initiate vpn >/dev/null
assert_sw_logged 'no acceptable KEY_EXCHANGE_METHOD found' 10
ix_assert_event ikg "phase 1 complete" 10
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
sw_reset

# 6. PFS on strongSwan only, strongSwan initiates: ikegate (responder) refuses the quick mode
#    proposal -> "no matching proposal".
log "== 6. PFS on strongSwan only (strongSwan initiates)"
setup_case pfs=0 -- ike=3des-sha1-modp1024 esp=aes128-sha1 pfs=modp1024
sw_start_initiate
ix_assert_event ikg "phase 1 complete" 10
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
sw_reset

# 7. PFS on ikegate only, strongSwan initiates (no KE in its proposal): ikegate refuses.
log "== 7. PFS on ikegate only (strongSwan initiates)"
setup_case pfs=2 -- ike=3des-sha1-modp1024 esp=aes128-sha1 pfs=no
sw_start_initiate
ix_assert_event ikg "phase 1 complete" 10
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
sw_reset

# 8. PFS on strongSwan only, ikegate initiates (no KE in ours): strongSwan refuses.
log "== 8. PFS on strongSwan only (ikegate initiates)"
setup_case pfs=0 -- ike=3des-sha1-modp1024 esp=aes128-sha1 pfs=modp1024
ix_cli ikg initiate vpn >/dev/null
assert_sw_logged 'no acceptable KEY_EXCHANGE_METHOD found' 10
ix_assert_event ikg "no matching proposal" 10
ix_assert_diag_first ikg no-matching-proposal
sw_reset

# 9./10. A quick-mode message with a corrupted HASH: nftables on strongSwan's host overwrites 4
#    bytes in the last cipher block of its quick-mode messages (UDP 4500, non-ESP marker 0,
#    ISAKMP exchange type 32 at UDP payload byte 22, UDP length 200 for this configuration:
#    IKE aes128-sha256-modp2048, ESP aes128-sha1, no PFS). The block decrypts to garbage, the
#    payload structure stays intact, the HASH no longer matches -> "phase2 hash failed".
TAMPER="table inet ikgt_tamper {
  chain output { type filter hook output priority 0;
    udp sport 4500 udp length 200 @th,64,32 0 @th,240,8 32 counter @th,1472,32 set 0xdeadbeef; }
}"
tamper_hits() { ns_exec "$NS_GWB" nft list table inet ikgt_tamper | sed -nE 's/.*counter packets ([0-9]+).*/\1/p'; }
log "== 9. corrupted HASH(1) in strongSwan's quick mode (strongSwan initiates)"
setup_case enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha1 pfs=0 -- \
           ike=aes128-sha256-modp2048 esp=aes128-sha1
ns_nft "$NS_GWB" "$TAMPER"
sw_start_initiate
ix_assert_event ikg "phase 1 complete" 10
ix_assert_event ikg "phase2 hash failed" 10
[ "$(tamper_hits)" -ge 1 ] || fail "the tamper rule never matched (strongSwan's quick mode length changed?)"
assert_contains "$(ix_cli ikg show log --detail)" "check=HASH(1); result=mismatch" "show log --detail"
ix_assert_diag_first ikg phase2-hash-failed
assert_sw_logged 'received INVALID_HASH_INFORMATION error notify' 10
ix_assert_no_event ikg "phase 2 complete"
sw_reset
ns_exec "$NS_GWB" nft delete table inet ikgt_tamper

log "== 10. corrupted HASH(2) in strongSwan's quick-mode answer (ikegate initiates)"
setup_case enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha1 pfs=0 -- \
           ike=aes128-sha256-modp2048 esp=aes128-sha1
ns_nft "$NS_GWB" "$TAMPER"
ix_cli ikg initiate vpn >/dev/null
ix_assert_event ikg "phase2 hash failed" 10
[ "$(tamper_hits)" -ge 1 ] || fail "the tamper rule never matched (strongSwan's quick mode length changed?)"
assert_contains "$(ix_cli ikg show log --detail)" "check=HASH(2); result=mismatch" "show log --detail"
ix_assert_diag_first ikg phase2-hash-failed
ix_assert_no_event ikg "phase 2 complete"
sw_reset
ns_exec "$NS_GWB" nft delete table inet ikgt_tamper

ix_finish
log "PASS ($((SECONDS - t0)) s)"
