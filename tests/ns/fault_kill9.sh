#!/usr/bin/env bash
# Issue 9, faults: ikegated killed with SIGKILL (no teardown, no delete sent, journal not
# closed) and started again with the same configuration and state directory:
#   - it comes back with its WAN Event History (the journal: the events before the crash);
#   - traffic brings the tunnel up again: its new phase 1 carries INITIAL-CONTACT, and the
#     peer, which still holds the old SAs, accepts it, drops the old SAs ("SA deleted by peer
#     ... INITIAL-CONTACT") and installs the new ones: pings both ways work;
#   - the same again after a second SIGKILL of the other side (gwB), with traffic from its LAN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/hostile.sh"

ikg_test_init
ikgd_require
topo_two_gateways
ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" ike.dpd=10
ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" ike.dpd=10
ikgd_start "$NS_GWA" a
ikgd_start "$NS_GWB" b
wait_for 30 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "no tunnel at the start"
wait_for 10 ikgd_phase2_up b tunnel || fail "phase 2 not up on b"
spi_b_old=$(ikgd_ipsec_sa b tunnel spi_in)
log "tunnel up (b's inbound SPI $spi_b_old)"
hist_a=$(ikg a show log)
assert_contains "$hist_a" "phase 2 complete" "a's history before the crash"

count_ic() {  # count_ic NAME: "SA deleted ... reason=INITIAL-CONTACT" events in NAME's history
  local j; j=$(ikg "$1" show log --json)
  grep -o "reason=INITIAL-CONTACT" <<<"$j" | wc -l || true
}

crash_and_recover() {  # crash_and_recover VICTIM VICTIM_NS PEER PING_NS PING_DST
  local v=$1 vns=$2 peer=$3 pns=$4 dst=$5 old_pid before after spi_old ic_before
  old_pid=${IKGD_PID[$v]}
  before=$(ikg "$v" show log | grep -c . || true)
  spi_old=$(ikgd_ipsec_sa "$peer" tunnel spi_in)
  ic_before=$(count_ic "$peer")
  ikgd_kill9 "$v"
  kill -0 "$old_pid" 2>/dev/null && fail "$v survived SIGKILL"
  log "$v killed with SIGKILL (pid $old_pid); $peer still has SPI $spi_old"
  ! ip -n "$vns" link show ikg0 >/dev/null 2>&1 || fail "$v's TUN device outlived the process"

  ikgd_restart "$vns" "$v"
  [ "${IKGD_PID[$v]}" != "$old_pid" ] || fail "not a new process"
  # the history is back: every line of before the crash, then the new start
  after=$(ikg "$v" show log)
  [ "$(grep -c . <<<"$after")" -ge "$before" ] || fail "$v lost history: $before lines before, $(grep -c . <<<"$after") after"
  assert_contains "$after" "phase 2 complete" "$v's history after the restart"
  assert_file_contains "$(ikgd_log "$v")" "[1-9][0-9]* journaled event\(s\) restored"
  [ "$(ikgd_vpn "$v" tunnel phase2)" != up ] || fail "$v claims phase 2 up right after a restart"

  # traffic from the restarted side's LAN brings the tunnel up again
  wait_for 40 ns_ping "$pns" "$dst" || { ikg "$v" show log >&2; ikg "$peer" show log --detail | tail -n 30 >&2; fail "no tunnel after $v's restart"; }
  wait_for 10 ikgd_phase2_up "$peer" tunnel || fail "$peer's phase 2 is not up"
  local spi_new; spi_new=$(ikgd_ipsec_sa "$peer" tunnel spi_in)
  [ "$spi_new" != "$spi_old" ] || fail "$peer still uses the SA from before the crash ($spi_old)"
  [ "$(count_ic "$peer")" -gt "$ic_before" ] \
    || fail "$peer did not log the INITIAL-CONTACT that replaced the old SAs"
  # and the other direction
  wait_for 20 ns_ping "$NS_HOSTB" "$HOSTA_IP" || fail "B -> A does not work after $v's restart"
  wait_for 20 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "A -> B does not work after $v's restart"
  log "$v recovered: history kept ($before -> $(ikg "$v" show log | grep -c .) lines), $peer's SPI $spi_old -> $spi_new"
}

crash_and_recover a "$NS_GWA" b "$NS_HOSTA" "$HOSTB_IP"
crash_and_recover b "$NS_GWB" a "$NS_HOSTB" "$HOSTA_IP"
assert_no_secret a
assert_no_secret b
ikgd_stop a
ikgd_stop b
log "PASS"
