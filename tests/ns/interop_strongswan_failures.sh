#!/usr/bin/env bash
# Interop failures (issue 2, acceptance 2; issue 5, acceptance 2) against strongSwan 5.9.8: each
# failure produces the technote's message on the side that can see it, and
# `ikegate diagnose --json` ranks the true cause first. The cases that end quickly; the ones that
# need ikegate's own IKE retransmissions to run out are in interop_strongswan_timeouts.sh.
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
#    phase 1 runs into "phase1 resend timeout": interop_strongswan_timeouts.sh).
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

log "PASS ($((SECONDS - t0)) s)"
