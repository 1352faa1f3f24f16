#!/usr/bin/env bash
# Issue 9, faults: 30 % packet loss on gwA's WAN (nftables `numgen random mod 100 < 30 drop`,
# both directions) while two real ikegated negotiate: the retransmissions still get phase 1
# and phase 2 through on BOTH sides, and the tunnel then carries traffic (with the loss, not
# every ping); once the loss is removed, every ping gets its reply. IKE retransmission is
# shortened to 1 s doubling, 6 tries (ikegated --ike-retransmit 1000,6) so that a failed
# attempt costs ~2 minutes at most; traffic retries.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/hostile.sh"

ikg_test_init
ikgd_require
require_cmd nft
grep -q retransmit <<<"$("$IKEGATED" --help 2>&1)" || skip "ikegated has no --ike-retransmit"
topo_two_gateways
ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" ike.dpd=0
ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" ike.dpd=0

ns_nft "$NS_GWA" 'table inet ikgt_loss {
  counter dropped { }
  chain input  { type filter hook input  priority -10; iifname "wan0" numgen random mod 100 < 30 counter name dropped drop; }
  chain output { type filter hook output priority -10; oifname "wan0" numgen random mod 100 < 30 counter name dropped drop; }
}'
log "30 % loss on gwA's wan0, both directions"

ikgd_start_args() {  # like ikgd_start, with extra daemon arguments
  local ns=$1 name=$2 d; shift 2
  d=$(ikgd_dir "$name")
  rm -rf "$d/state"
  ns_bg "$ns" "$d/ikegated.log" "$IKEGATED" -c "$(ikgd_conf_file "$name")" -f "$@"
  IKGD_PID[$name]=$IKG_LAST_PID IKGD_NS[$name]=$ns
  wait_for 10 ikg "$name" show vpn || { cat "$d/ikegated.log" >&2; fail "ikegated $name did not start"; }
}
ikgd_start_args "$NS_GWA" a --ike-retransmit 1000,6
ikgd_start_args "$NS_GWB" b --ike-retransmit 1000,6

# traffic from hostA starts the negotiation and keeps retrying it
both_up() { ikgd_phase2_up a tunnel && ikgd_phase2_up b tunnel; }
t0=$SECONDS
for (( i = 0; i < 150; i++ )); do
  ns_ping "$NS_HOSTA" "$HOSTB_IP" 1 || true
  both_up && break
done
both_up || { ikg a show log >&2; ikg b show log >&2; fail "no tunnel on both sides after $((SECONDS - t0)) s of 30 % loss"; }
drops=$(ip netns exec "$NS_GWA" nft list counter inet ikgt_loss dropped | sed -n 's/.*packets \([0-9]*\).*/\1/p')
log "phase 2 up on both sides after $((SECONDS - t0)) s; $drops packets dropped by the loss rule"
[ "${drops:-0}" -gt 0 ] || fail "the loss rule dropped nothing"
ikgd_log_has a "phase 1 complete" && ikgd_log_has b "phase 2 complete" || fail "completion events missing"

# with the loss, some pings pass (each crosses the lossy link twice: ~49 %)
ok=0
for i in $(seq 20); do ns_ping "$NS_HOSTA" "$HOSTB_IP" 1 && ok=$((ok + 1)); done
log "with 30 % loss: $ok/20 pings answered"
[ "$ok" -ge 2 ] || fail "only $ok/20 pings crossed the tunnel with 30 % loss"

ip netns exec "$NS_GWA" nft delete table inet ikgt_loss
ns_ping "$NS_HOSTA" "$HOSTB_IP" 10 || fail "pings fail after the loss was removed"
ok=0
for i in $(seq 10); do ns_ping "$NS_HOSTA" "$HOSTB_IP" 1 && ok=$((ok + 1)); done
[ "$ok" -eq 10 ] || fail "without loss only $ok/10 pings answered"
ikgd_stop a
ikgd_stop b
log "PASS"
