#!/usr/bin/env bash
# Issue 7, acceptance 1: a tmux-driven test types into `ikegate menu`: it reaches VPN Quick View
# and sees a profile's counters, reaches WAN Event History, presses Enter on an error line and
# sees its solution, and runs `show ip nat trans` from the Ctrl-N command line.
#
# Two ikegated in namespaces, tunnel "tunnel" up with traffic (non-zero counters); gateway a also
# has profile "nopref" without an IKE profile: a ping to its remote members logs the error line
# "no ph1 preferences assigned". The menu runs against gateway a in a private tmux server
# (120x40); every step polls the pane with a timeout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/operator.sh"

ikg_test_init
ikgd_require
require_cmd tmux
NOPREF_NET=10.3.3.0/24 NOPREF_HOST=10.3.3.10

op_pair_up "$(op_ipsec_profile nopref "$GWB_WAN" "$LAN_A" "$NOPREF_NET" -)"
ns_exec "$NS_HOSTA" ping -q -n -c 3 -i 0.2 -W 1 "$HOSTB_IP" >/dev/null || fail "ping loss through the tunnel"
# the error line: traffic for a profile without an IKE profile
ns_ping "$NS_HOSTA" "$NOPREF_HOST" || true
wait_for 10 ikgd_log_has a "no ph1 preferences assigned" || { ikg a show log >&2; fail "no 'no ph1 preferences assigned' in a's history"; }

tx=$(ikgd_vpn a tunnel tx_packets); rx=$(ikgd_vpn a tunnel rx_packets)
[ "$tx" -gt 0 ] && [ "$rx" -gt 0 ] || fail "tunnel counters are zero (tx $tx rx $rx)"
log "tunnel counters: tx $tx rx $rx"
solution=$(ikg a show log --json | json_get \
  "[e for e in j['events'] if e['slug'] == 'no-ph1-preferences'][-1]['solution']")
[ -n "$solution" ] || fail "the error event has no solution text"

sock=$(ikgd_sock a)
op_tmux_start "'$IKEGATE' -s '$sock' menu"

# ---- Main Menu -> Quick View -> VPN Quick View ----
op_pane_wait 10 'Main Menu' 'Main Menu'
assert_contains "$OP_SCREEN" "Quick View" "main menu"
assert_contains "$OP_SCREEN" "Statistics & Logs" "main menu"
assert_contains "$OP_SCREEN" "Command Line (Ctrl-N)" "main menu"
op_keys Enter
op_pane_wait 5 '^ *VPN Quick View *$' 'Quick View menu'
op_keys Enter
# the page: header, then one row per profile with the counters of `show vpn`
op_pane_wait 5 '^Profile +Remote Endpoint +Peer +Phase 1 +Phase 2 +Tx Pkts +Rx Pkts +Rx Discards' 'VPN Quick View header'
row_re="^tunnel +$GWB_WAN +$GWB_WAN +up +up +[0-9]+ +[0-9]+ +[0-9]+"
op_pane_wait 5 "$row_re" "tunnel row (up/up)"
row=$(grep -E "$row_re" <<<"$OP_SCREEN")
read -r _ _ _ _ _ ptx prx pdisc <<<"$row"
log "VPN Quick View row: $row"
[ "$ptx" -ge "$tx" ] && [ "$prx" -ge "$rx" ] && [ "$ptx" -gt 0 ] && [ "$prx" -gt 0 ] \
  || fail "VPN Quick View counters tx $ptx rx $prx, show vpn said tx $tx rx $rx"
[ "$pdisc" -eq "$(ikgd_vpn a tunnel rx_discards)" ] || fail "Rx discards $pdisc differ from show vpn"
op_pane_wait 5 "^nopref +$GWB_WAN " "nopref row"
assert_contains "$OP_SCREEN" "Refreshed every second" "quick view footer"
# refreshed every second: new traffic shows up without a key press
ns_exec "$NS_HOSTA" ping -q -n -c 2 -i 0.2 -W 1 "$HOSTB_IP" >/dev/null || fail "ping loss"
tx2=$(ikgd_vpn a tunnel tx_packets)
op_pane_wait 5 "^tunnel +$GWB_WAN +$GWB_WAN +up +up +$tx2 " "refreshed Tx counter $tx2"
# d: the Rx discard reasons
op_keys d
op_pane_wait 5 'unknown-spi +[0-9]+ +Unknown SPI' 'Rx discard reasons'
op_keys Escape
op_pane_gone 5 'Refreshed every second'
op_pane_wait 5 '^ *VPN Quick View *$' 'back in Quick View menu'
op_keys Escape
op_pane_wait 5 'Main Menu' 'back in Main Menu'

# ---- Main Menu -> Statistics & Logs -> WAN Event History ----
op_keys Down Enter
op_pane_wait 5 '^ *WAN Event History *$' 'Statistics & Logs menu'
op_keys Enter
op_pane_wait 5 '-----SCROLL UP-----' 'WAN Event History'
op_pane_wait 5 '-----SCROLL DOWN-----' 'WAN Event History'
assert_contains "$OP_SCREEN" "Current Date -- " "history page"
assert_contains "$OP_SCREEN" "IKE: phase 1 complete sg $GWB_WAN" "history page"
assert_contains "$OP_SCREEN" "IKE: phase 2 complete sg $GWB_WAN" "history page"
assert_contains "$OP_SCREEN" "Clear History..." "history page"
assert_contains "$OP_SCREEN" "no ph1 preferences assigned" "history page"
# select the error line: Home goes to the first line, then Down as far as it is in the history
mapfile -t hist < <(ikg a show log)
idx=-1
for i in "${!hist[@]}"; do
  if grep -qF "no ph1 preferences assigned" <<<"${hist[i]}"; then idx=$i; fi
done
[ "$idx" -ge 0 ] || fail "no error line in show log"
op_keys Home
for (( i = 0; i < idx; i++ )); do op_keys Down; done
sel_ok() { op_pane_highlighted | grep -qF "no ph1 preferences assigned"; }
wait_for 5 sel_ok || { op_pane_attr | cat -v >&2; fail "the error line is not highlighted after Home + $idx x Down"; }
log "selected: $(op_pane_highlighted | head -n 1)"
op_keys Enter
op_pane_wait 5 '^ *Event Detail *$' 'Event Detail page'
op_pane_wait 5 'solution: ' 'solution line'
assert_contains "$OP_SCREEN" "no ph1 preferences assigned" "detail page"
assert_contains "$OP_SCREEN" "problem:" "detail page"
assert_contains "$OP_SCREEN" "causes:" "detail page"
# the solution text as the catalogue has it (its first words: the page wraps long lines)
assert_contains "$OP_SCREEN" "solution: ${solution:0:60}" "detail page"
log "detail page shows: $(grep -F 'solution:' <<<"$OP_SCREEN" | sed 's/^ *//')"
op_keys Escape
op_pane_wait 5 '-----SCROLL UP-----' 'back in WAN Event History'

# ---- Ctrl-N: the command line, `show ip nat trans` ----
op_keys C-n
op_pane_wait 5 '^ *Command Line *$' 'Command Line page'
op_pane_wait 5 '^#$' 'command prompt'
op_keys -l 'sh ip nat trans'
op_pane_wait 5 '^#sh ip nat trans$' 'typed command'
op_keys Enter
op_pane_wait 10 'Total entries in NAT cache: [0-9]+' 'NAT table output'
nat_total=$(ikg a show ip nat translations --json | json_get "j['total']")
assert_contains "$OP_SCREEN" "#sh ip nat trans" "command line"
assert_contains "$OP_SCREEN" "LAN IP Address" "NAT table on the command line"
[ "$nat_total" -gt 0 ] || fail "the NAT table of a is empty (expected the IKE/ESP flows to $GWB_WAN)"
grep -qE "$GWB_WAN +500 " <<<"$OP_SCREEN" || { printf '%s\n' "$OP_SCREEN" >&2; fail "no UDP 500 translation with $GWB_WAN on the screen"; }
log "command line: $(grep -E 'Total entries in NAT cache' <<<"$OP_SCREEN")"
# an abbreviated daemon command and a usage error, on the same line
op_keys -l 'sh vpn'
op_keys Enter
op_pane_wait 5 '^#sh vpn$' 'second command echoed'
op_pane_wait 5 "^tunnel +$GWB_WAN " 'show vpn output on the command line'
op_keys -l 'sh i sa'
op_keys Enter
op_pane_wait 5 "ambiguous 'i'" 'ambiguity error on the command line'

# ---- leave: Escape back up to the Main Menu, then Exit ----
op_keys Escape
op_pane_wait 5 '-----SCROLL UP-----' 'history after the command line'
op_keys Escape
op_pane_wait 5 '^ *WAN Event History *$' 'Statistics & Logs menu again'
op_keys Escape
op_pane_wait 5 'Main Menu' 'Main Menu again'
op_keys Down Down Down Enter
wait_for 5 test -s "$IKG_TMP/tmux.rc" || { op_pane >&2; fail "the menu did not exit on Exit"; }
rc=$(cat "$IKG_TMP/tmux.rc")
[ "$rc" = 0 ] || fail "ikegate menu exited $rc"

ikgd_stop a; ikgd_stop b
log "PASS"
