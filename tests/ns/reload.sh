#!/usr/bin/env bash
# Issue 7, acceptance 2: a reload with a broken configuration is refused with file and line and
# the tunnels stay up; a good reload adds a profile without dropping the existing tunnel.
#
# Two ikegated in namespaces, tunnel "tunnel" up. A ping runs from hostA to hostB every 0.1 s
# for the whole test. On gateway a, in order:
#   1. `ikegate reload` of a file with an unknown key    -> exit 1, a.conf:LINE: error + fix
#   2. SIGHUP with a syntax error ("= = 14;")            -> "config rejected", error=a.conf:LINE
#   3. `ikegate reload` of a changed gateway section     -> refused (restart needed)
#   4. `ikegate reload` adding profile "second"          -> exit 0, in show vpn, its route
#   5. SIGHUP adding profile "third"                     -> "config reloaded", in show vpn
# After each step the IPsec SAs of "tunnel" (SPIs from `show ipsec sa --json`, on both
# gateways) and the IKE SA (cookies) are the ones from before, phase 2 is up and the daemon is
# the same process; at the end the ping lost at most one packet.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/operator.sh"

ikg_test_init
ikgd_require

op_pair_up
conf=$(ikgd_conf_file a)
cp "$conf" "$IKG_TMP/a.conf.orig"
spis_a=$(op_sa_spis a tunnel); spis_b=$(op_sa_spis b tunnel)
[ -n "$spis_a" ] && [ -n "$spis_b" ] || fail "no IPsec SA for 'tunnel'"
ike_a=$(ikg a show ike sa --json | json_get "sorted(s['icookie'] + ':' + s['rcookie'] for s in j['ike_sas'] if s['established'])")
log "tunnel SAs: a $spis_a, b $spis_b; IKE SA $ike_a"
pid_a=${IKGD_PID[a]}

# the continuous ping (SIGINT makes ping print its summary)
ns_bg "$NS_HOSTA" "$IKG_TMP/ping.log" ping -n -i 0.1 -W 1 "$HOSTB_IP"
ping_pid=$IKG_LAST_PID
wait_for 5 grep -q 'icmp_seq=' "$IKG_TMP/ping.log" || fail "the continuous ping gets no reply"

# tunnel_intact WHAT: the SAs are the same, phase 2 is up, the daemon did not restart, and
# packets still cross the tunnel (the ping's reply count grows).
replies() { grep -c 'bytes from' "$IKG_TMP/ping.log" || true; }
replies_above() { [ "$(replies)" -gt "$1" ]; }
tunnel_intact() {
  local what=$1 now_a now_b ike n0
  now_a=$(op_sa_spis a tunnel); now_b=$(op_sa_spis b tunnel)
  [ "$now_a" = "$spis_a" ] || fail "$what: a's SAs of 'tunnel' changed: $spis_a -> $now_a"
  [ "$now_b" = "$spis_b" ] || fail "$what: b's SAs of 'tunnel' changed: $spis_b -> $now_b"
  ike=$(ikg a show ike sa --json | json_get "sorted(s['icookie'] + ':' + s['rcookie'] for s in j['ike_sas'] if s['established'])")
  [ "$ike" = "$ike_a" ] || fail "$what: a's IKE SA changed: $ike_a -> $ike"
  [ "$(ikgd_vpn a tunnel phase2)" = up ] || fail "$what: phase 2 of 'tunnel' not up on a"
  kill -0 "$pid_a" 2>/dev/null || fail "$what: ikegated a is gone"
  n0=$(replies)
  wait_for 5 replies_above "$((n0 + 2))" \
    || fail "$what: the ping through the tunnel stopped getting replies"
  log "$what: tunnel intact (SAs $now_a, $(replies) replies so far)"
}

# line_of REGEX FILE: the number of the first line matching REGEX
line_of() { grep -nE -- "$1" "$2" | head -n 1 | cut -d: -f1; }

# ---- 1. ikegate reload of a file with an unknown key: refused with file:line and the fix ----
sed -E 's/^( *)encryption( *)= "aes128gcm16";/&\n\1bogus-key = 1;/' "$IKG_TMP/a.conf.orig" >"$conf"
bad_line=$(line_of 'bogus-key' "$conf")
[ -n "$bad_line" ] || fail "could not plant the bad key"
rc=0; out=$(ikg a reload 2>&1) || rc=$?
printf '%s\n' "$out" | sed 's/^/  reload: /' >&2
[ "$rc" -eq 1 ] || fail "reload of a broken file exited $rc, expected 1"
assert_contains "$out" "$conf:$bad_line: error: unknown key 'bogus-key'" "reload output"
assert_contains "$out" "fix: " "reload output"
assert_contains "$out" "previous one stays in force" "reload output"
detail=$(ikg a show log --detail)
assert_contains "$detail" "CFG: config rejected" "show log --detail"
assert_contains "$detail" "error=$conf:$bad_line: " "show log --detail (evidence)"
assert_contains "$(ikg a show vpn)" "tunnel" "show vpn after a refused reload"
tunnel_intact "refused reload (unknown key)"

# ---- 2. SIGHUP with a syntax error: refused, journaled with file:line ----
n_rej=$(ikg a show log | grep -c 'config rejected' || true)
sed -E 's/^( *)pfs-group( *)= 14;/\1pfs-group = = 14;/' "$IKG_TMP/a.conf.orig" >"$conf"
syn_line=$(line_of '= = 14;' "$conf")
[ -n "$syn_line" ] || fail "could not plant the syntax error"
kill -HUP "$pid_a"
rejected_twice() { [ "$(ikg a show log | grep -c 'config rejected')" -gt "$n_rej" ]; }
wait_for 5 rejected_twice || fail "SIGHUP with a syntax error: no second 'config rejected'"
ev=$(ikg a show log --json | json_get "[e for e in j['events'] if e['slug'] == 'config-rejected'][-1]['evidence']")
log "SIGHUP rejected: $ev"
grep -qE "error=$conf:[0-9]+: " <<<"$ev" || fail "the rejection evidence has no file:line: $ev"
assert_contains "$ev" "error=$conf:$syn_line: syntax error" "the rejection evidence"
assert_file_contains "$(ikgd_log a)" "configuration rejected, the previous one stays in force: $conf:$syn_line: syntax error" "a's stderr"
tunnel_intact "refused SIGHUP (syntax error)"

# ---- 3. a change the daemon cannot apply without a restart: refused ----
sed -E 's/^( *)tun( *)= "ikg0";/\1tun = "ikg9";/' "$IKG_TMP/a.conf.orig" >"$conf"
rc=0; out=$(ikg a reload 2>&1) || rc=$?
[ "$rc" -eq 1 ] || { printf '%s\n' "$out" >&2; fail "reload changing tun exited $rc, expected 1"; }
assert_contains "$out" "gateway tun changed: restart ikegated to apply it" "reload output"
tunnel_intact "refused reload (tun changed)"

# ---- 4. a good reload through ikegate adds profile "second" ----
SECOND_NET=10.4.4.0/24 THIRD_NET=10.5.5.0/24
op_conf_a "$(op_ipsec_profile second "$GWB_WAN" "$LAN_A" "$SECOND_NET")"
rc=0; out=$(ikg a reload 2>&1) || rc=$?
[ "$rc" -eq 0 ] || { printf '%s\n' "$out" >&2; fail "good reload exited $rc"; }
assert_contains "$out" "configuration reloaded from $conf" "reload output"
vpn=$(ikg a show vpn)
grep -qE "^second +$GWB_WAN " <<<"$vpn" || { printf '%s\n' "$vpn" >&2; fail "profile 'second' not in show vpn after the reload"; }
grep -qE "^tunnel +$GWB_WAN +$GWB_WAN +up +up " <<<"$vpn" || { printf '%s\n' "$vpn" >&2; fail "'tunnel' not up in show vpn after the reload"; }
assert_contains "$(ikg a show log)" "CFG: config reloaded" "show log"
wait_for 5 sh -c "ip -n '$NS_GWA' route show '$SECOND_NET' | grep -q 'dev ikg0'" \
  || { ip -n "$NS_GWA" route >&2; fail "no route for $SECOND_NET into ikg0 after the reload"; }
tunnel_intact "good reload (profile 'second' added)"

# ---- 5. a good reload through SIGHUP adds profile "third" ----
op_conf_a "$(op_ipsec_profile second "$GWB_WAN" "$LAN_A" "$SECOND_NET")
$(op_ipsec_profile third "$GWB_WAN" "$LAN_A" "$THIRD_NET")"
kill -HUP "$pid_a"
has_third() { ikg a show vpn | grep -qE "^third +$GWB_WAN "; }
wait_for 5 has_third || { ikg a show vpn >&2; fail "SIGHUP: profile 'third' not in show vpn"; }
[ "$(ikg a show log | grep -c 'config reloaded')" -ge 2 ] || fail "SIGHUP: no second 'config reloaded'"
grep -qE "^second +$GWB_WAN " <<<"$(ikg a show vpn)" || fail "profile 'second' gone after the SIGHUP reload"
tunnel_intact "good SIGHUP reload (profile 'third' added)"

# ---- the ping never stopped ----
kill -INT "$ping_pid" 2>/dev/null || true
wait_for 5 grep -q 'packets transmitted' "$IKG_TMP/ping.log" || fail "ping printed no summary"
summary=$(grep 'packets transmitted' "$IKG_TMP/ping.log")
read -r sent _ _ received _ <<<"$summary"
log "continuous ping: $summary"
[ "$sent" -ge 30 ] || fail "the ping sent only $sent packets"
[ $((sent - received)) -le 1 ] || { grep -vE 'bytes from' "$IKG_TMP/ping.log" | tail -n 20 >&2; fail "the ping lost $((sent - received)) of $sent packets across the reloads"; }
ikgd_stop a; ikgd_stop b
log "PASS"
