#!/usr/bin/env bash
# Interop failures that end in ikegate's own resend timeout (issue 2, acceptance 2; issue 5,
# acceptance 2), against strongSwan 5.9.8 and libreswan 4.10, all cases in parallel: two
# independent WAN segments ("stars"), one peer on each hub, one ikegated per case on the spokes.
# strongSwan star:
#   sw1: wrong pre-shared key, ikegate initiates: strongSwan cannot decrypt main mode message 5
#        ("invalid ID_V1 payload length, decryption failed?") and stays silent;
#        ikegate: phase1 resend timeout -> diagnose ph1-timeout-psk-mismatch
#   sw2: UDP 500/4500 dropped on the way (nftables on the peer's host): nothing comes back;
#        ikegate: phase1 resend timeout -> diagnose ph1-timeout-no-response
#   sw3: proposal mismatch, ikegate initiates: strongSwan "no acceptable ENCRYPTION_ALGORITHM
#        found" + an unauthenticated NO_PROPOSAL_CHOSEN that ikegate logs ("peer notify") and
#        does not act upon; ikegate: phase1 resend timeout -> ph1-timeout-peer-rejects-proposal
#   sw4: strongSwan has no connection for ikegate ("no IKE config found"), same notify ->
#        ph1-timeout-peer-rejects-proposal
#   sw5: UDP 500/4500 dropped by the host firewall of ikegate's own machine (nftables input in
#        the spoke's namespace): phase1 resend timeout -> host-firewall-blocks-ike (the daemon
#        must hand `nft list ruleset` to the troubleshooter; see /work/team/bugs.md)
# libreswan star:
#   ls1: wrong pre-shared key, ikegate initiates: libreswan "probable authentication failure
#        (mismatch of preshared secrets?)"; ikegate: phase1 resend timeout ->
#        ph1-timeout-psk-mismatch
#   ls2: libreswan has no conn for ikegate ("no connection has been authorized"), silent ->
#        phase1 resend timeout -> ph1-timeout-no-response
#   ls3: PFS on libreswan only (pfs=yes), ikegate initiates without PFS, and the peer's answer
#        (its NO_PROPOSAL_CHOSEN informational) is dropped on the way, as a peer that drops a
#        mismatching quick mode silently (the technote's Cisco case): ikegate: ph2 resend
#        timeout -> ph2-timeout-pfs-mismatch
# ikegated runs with --ike-retransmit 1000,3 (tests/lib/interop.sh: ix_retransmit_args): the
# timeouts come after 15 s and the test takes about 25 s (about 170 s with an ikegated that
# lacks the option: 5 s doubling, 4 tries).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"
. "$here/../lib/libreswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
PSK="interop timeouts psk 0123456789"
ix_topo_star sw 5
SWHUB=$(star_hub sw)
ns_nft "$SWHUB" "table inet ikgt_block {
  chain input { type filter hook input priority 0; ip saddr $(spoke_ip 2) udp dport { 500, 4500 } counter drop; }
}"
sw_start "$SWHUB" sw
SWLOG=$(sw_log_file sw)
sw_conn sw c1 local="$HUB_WAN" remote="$(spoke_ip 1)" lts=10.2.2.0/24 rts=10.1.1.0/24 \
        psk="not the key ikegate has 0123" ike=3des-sha1-modp1024
sw_conn sw c2 local="$HUB_WAN" remote="$(spoke_ip 2)" lts=10.2.2.0/24 rts=10.1.2.0/24 \
        psk="$PSK" ike=3des-sha1-modp1024
sw_conn sw c3 local="$HUB_WAN" remote="$(spoke_ip 3)" lts=10.2.2.0/24 rts=10.1.3.0/24 \
        psk="$PSK" ike=3des-sha1-modp1024
sw_conn sw c5 local="$HUB_WAN" remote="$(spoke_ip 5)" lts=10.2.2.0/24 rts=10.1.5.0/24 \
        psk="$PSK" ike=3des-sha1-modp1024
sw_load sw
ns_nft "$(star_spoke sw 5)" "table inet hostfw {
  chain input { type filter hook input priority 0; udp dport { 500, 4500 } counter drop; }
}"

have_ls=0
if [ -x "$LS_LIBEXEC/pluto" ] && ix_ls_shim_build; then have_ls=1; fi
if [ "$have_ls" = 1 ]; then
  ix_topo_star ls 3
  LSHUB=$(star_hub ls)
  # exchange type (ISAKMP header byte 18) 5 = informational, sent by the peer to spoke 3
  ns_nft "$LSHUB" "table inet ikgt_block {
  chain output { type filter hook output priority 0; ip daddr $(spoke_ip 3) udp sport 500 @th,208,8 5 counter drop; }
}"
  ix_ls_start "$LSHUB" ls
  PL=$(ls_log_file ls)
  ls_conn ls c1 local="$HUB_WAN" remote="$(spoke_ip 1)" lts=10.2.2.0/24 rts=10.1.1.0/24 \
          psk="not the key ikegate has 0123" ike=aes128-sha2_256-modp2048 esp=aes128-sha2_256 \
          extra='leftupdown=/bin/true'
  ls_conn ls c3 local="$HUB_WAN" remote="$(spoke_ip 3)" lts=10.2.2.0/24 rts=10.1.3.0/24 \
          psk="$PSK" ike=aes128-sha2_256-modp2048 esp=aes128-sha2_256 pfs=yes \
          extra='leftupdown=/bin/true'
  ls_add ls c1
  ls_add ls c3
else
  log "libreswan not available: its cases are skipped"
fi

for i in 1 2 3 4 5; do
  extra=()
  [ "$i" = 3 ] && extra=(enc=aes128 hash=sha256 dh=14)
  ix_conf "sw$i" wan="$(spoke_ip "$i")" remote="$HUB_WAN" lts="10.1.$i.0/24" rts=10.2.2.0/24 \
          psk="$PSK" "${extra[@]}"
  ix_start "$(star_spoke sw "$i")" "sw$i"
done
if [ "$have_ls" = 1 ]; then
  for i in 1 2 3; do
    ix_conf "ls$i" wan="$(spoke_ip "$i")" remote="$HUB_WAN" lts="10.1.$i.0/24" rts=10.2.2.0/24 \
            psk="$PSK" enc=aes128 hash=sha256 dh=14 esp_enc=aes128 esp_integ=sha256 pfs=0
    ix_start "$(star_spoke ls "$i")" "ls$i"
  done
fi
t0=$SECONDS
names=(sw1 sw2 sw3 sw4 sw5)
[ "$have_ls" = 1 ] && names+=(ls1 ls2 ls3)
for n in "${names[@]}"; do ix_cli "$n" initiate vpn >/dev/null || fail "initiate on $n"; done

# What the peers see, within seconds
wait_for_sw() {  # wait_for_sw REGEX WHAT
  wait_for 10 grep -qE -- "$1" "$SWLOG" || fail "strongSwan did not log /$1/ ($2)"
  log "strongSwan ($2): $(grep -m1 -E -- "$1" "$SWLOG" | cut -c1-160)"
}
wait_for_sw 'invalid ID_V1 payload length, decryption failed' sw1
wait_for_sw 'no acceptable ENCRYPTION_ALGORITHM found' sw3
wait_for_sw "no IKE config found for $HUB_WAN\.\.\.$(spoke_ip 4)" sw4
ix_assert_event sw3 "peer notify" 5
ix_assert_event sw4 "peer notify" 5
grep -q "received packet: from $(spoke_ip 2)\[" "$SWLOG" && fail "strongSwan saw sw2's IKE although it is dropped"
if [ "$have_ls" = 1 ]; then
  wait_for_ls() {  # wait_for_ls REGEX WHAT
    wait_for 10 grep -qE -- "$1" "$PL" || { tail -n 20 "$PL" >&2; fail "libreswan did not log /$1/ ($2)"; }
    log "libreswan ($2): $(grep -m1 -E -- "$1" "$PL" | sed 's/^[A-Z][a-z][a-z] [0-9]* [0-9:.]*: //' | cut -c1-160)"
  }
  wait_for_ls '"c1" #[0-9]+: probable authentication failure \(mismatch of preshared secrets\?\)' ls1
  wait_for_ls "packet from $(spoke_ip 2):500: initial Main Mode message received but no connection has been authorized" ls2
  wait_for_ls '"c3" #[0-9]+: we require PFS but Quick I1 SA specifies no GROUP_DESCRIPTION' ls3
  ix_assert_event ls3 "phase 1 complete" 5
fi

# ikegate gives up
limit=$(ix_resend_timeout_s)
log "waiting up to $limit s for ikegate's resend timeouts"
for n in sw1 sw2 sw3 sw4 sw5; do ix_assert_event "$n" "phase1 resend timeout" "$limit"; done
if [ "$have_ls" = 1 ]; then
  ix_assert_event ls1 "phase1 resend timeout" "$limit"
  ix_assert_event ls2 "phase1 resend timeout" "$limit"
  ix_assert_event ls3 "ph2 resend timeout" "$limit"
fi
log "resend timeouts after $((SECONDS - t0)) s"
for n in sw1 sw2 sw3 sw4 sw5; do ix_assert_no_event "$n" "phase 1 complete"; done
ix_assert_diag_first sw1 ph1-timeout-psk-mismatch
ix_assert_diag_first sw2 ph1-timeout-no-response
ix_assert_diag_first sw3 ph1-timeout-peer-rejects-proposal
ix_assert_diag_first sw4 ph1-timeout-peer-rejects-proposal
log "drop rule on strongSwan's host: $(ns_exec "$SWHUB" nft list table inet ikgt_block | grep -o 'packets [0-9]*' | head -n 1)"
if [ "$have_ls" = 1 ]; then
  ix_assert_no_event ls1 "phase 1 complete"
  ix_assert_no_event ls2 "phase 1 complete"
  ix_assert_diag_first ls1 ph1-timeout-psk-mismatch
  ix_assert_diag_first ls2 ph1-timeout-no-response
  ix_assert_diag_first ls3 ph2-timeout-pfs-mismatch
  log "informationals dropped on libreswan's host: $(ns_exec "$LSHUB" nft list table inet ikgt_block | grep -o 'packets [0-9]*' | head -n 1)"
fi
# last, as it fails until the daemon feeds the host firewall to diagnose (bugs.md)
ix_assert_diag_first sw5 host-firewall-blocks-ike
ix_finish
log "PASS ($((SECONDS - t0)) s)"
