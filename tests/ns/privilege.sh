#!/usr/bin/env bash
# Issue 9, least privilege (src/daemon/privdrop.c, docs/security.md): a running ikegated
#   gwA: with a dedicated system user (created for the test, IKEGATED_USER=it): /proc/PID/status
#        shows that uid in all four Uid fields, CapEff = CapPrm = CapBnd = net_admin net_raw
#        (+ net_bind_service until setup is done), CapInh = CapAmb = net_admin (the nft child of
#        diagnose), NoNewPrivs 1; it is not dumpable (its /proc files
#        belong to root: the user itself cannot read /proc/PID/environ or mem); its state
#        directory and journal belong to it;
#   gwB: without an `ikegate` user: uid 0 kept, the same capabilities, not dumpable;
# and after the drop the tunnel works, a reload that adds a remote member installs its route
# (CAP_NET_ADMIN), profile disable/enable removes and restores the routes, SIGTERM exits 0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/hostile.sh"

ikg_test_init
ikgd_require
require_cmd useradd userdel setpriv
getent passwd ikegate >/dev/null && log "note: an 'ikegate' user exists: gwB runs as it"

# capability bits (linux/capability.h): net_bind_service 10, net_admin 12, net_raw 13
CAPS_SETUP=0000000000003400    # before privdrop_after_setup is wired into daemon_run
CAPS_FINAL=0000000000003000    # net_admin + net_raw only

user=ikgt$$u
useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$user" \
  || skip "cannot create a system user"
on_cleanup "userdel $user"
uid=$(id -u "$user")
log "test user $user (uid $uid)"

topo_two_gateways
ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B"
ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A"
export IKEGATED_USER=$user
ikgd_start "$NS_GWA" a
unset IKEGATED_USER
ikgd_start "$NS_GWB" b
pid_a=${IKGD_PID[a]} pid_b=${IKGD_PID[b]}
# ns_bg's PID is `ip netns exec`, which execs the daemon: the same process
[ "$(cat /proc/$pid_a/comm)" = ikegated ] || fail "pid $pid_a is $(cat /proc/$pid_a/comm), not ikegated"

status_field() { awk -v k="$2:" '$1 == k {$1 = ""; sub(/^ /, ""); print}' "/proc/$1/status"; }

check_caps() {  # check_caps NAME PID
  local eff prm bnd inh
  eff=$(status_field "$2" CapEff) prm=$(status_field "$2" CapPrm)
  bnd=$(status_field "$2" CapBnd) inh=$(status_field "$2" CapInh)
  log "$1: CapEff $eff CapPrm $prm CapBnd $bnd CapInh $inh NoNewPrivs $(status_field "$2" NoNewPrivs)"
  [ "$eff" = "$CAPS_SETUP" ] || [ "$eff" = "$CAPS_FINAL" ] || fail "$1: CapEff $eff, expected net_admin net_raw [net_bind_service] ($CAPS_FINAL/$CAPS_SETUP)"
  [ "$prm" = "$eff" ] || fail "$1: CapPrm $prm differs from CapEff $eff"
  [ "$bnd" = "$CAPS_SETUP" ] || [ "$bnd" = "$CAPS_FINAL" ] || fail "$1: CapBnd $bnd: other capabilities are still in the bounding set"
  # only CAP_NET_ADMIN may pass to a child (nft list ruleset, for diagnose), as ambient
  amb=$(status_field "$2" CapAmb)
  [ "$inh" = 0000000000001000 ] || fail "$1: CapInh $inh, expected net_admin only (0000000000001000)"
  [ "$amb" = 0000000000001000 ] || fail "$1: CapAmb $amb, expected net_admin only (0000000000001000)"
  [ "$(status_field "$2" NoNewPrivs)" = 1 ] || fail "$1: no_new_privs is not set"
}

# --- gwA: the dedicated user -------------------------------------------------------------------
read -r ru eu su fu <<<"$(status_field "$pid_a" Uid)"
[ "$ru $eu $su $fu" = "$uid $uid $uid $uid" ] || fail "gwA Uid: $ru $eu $su $fu, expected $uid x4"
want_gid=$(id -g "$user")
ctl_group=$(getent group ikegate | cut -d: -f3 || true)
[ -n "$ctl_group" ] && want_gid=$ctl_group    # the daemon runs with group ikegate when it exists
read -r rg eg sg fg <<<"$(status_field "$pid_a" Gid)"
[ "$rg $eg $sg $fg" = "$want_gid $want_gid $want_gid $want_gid" ] || fail "gwA Gid: $rg $eg $sg $fg, expected $want_gid"
if [ -n "$ctl_group" ]; then
  [ "$(stat -c %G "$(ikgd_sock a)")" = ikegate ] || fail "gwA's control socket group is $(stat -c %G "$(ikgd_sock a)"), not ikegate"
  [ "$(stat -c %G "$(ikgd_sock b)")" = ikegate ] || fail "gwB's control socket group is $(stat -c %G "$(ikgd_sock b)"), not ikegate"
  log "group ikegate exists: both control sockets belong to it"
fi
[ -z "$(status_field "$pid_a" Groups)" ] || [ "$(status_field "$pid_a" Groups)" = "$rg" ] \
  || fail "gwA keeps supplementary groups: $(status_field "$pid_a" Groups)"
[ "$(status_field "$pid_b" Groups)" = "${ctl_group}" ] \
  || fail "gwB's supplementary groups: '$(status_field "$pid_b" Groups)', expected '${ctl_group}' (ikegate only, when it exists)"
check_caps gwA "$pid_a"
[ "$(stat -c %U "/proc/$pid_a/environ")" = root ] || fail "gwA is dumpable (/proc/$pid_a/environ belongs to $(stat -c %U "/proc/$pid_a/environ"))"
if setpriv --reuid="$uid" --regid="$want_gid" --clear-groups cat "/proc/$pid_a/environ" >/dev/null 2>&1; then
  fail "the daemon's own user can read its /proc/PID/environ (dumpable)"
fi
[ "$(stat -c %U "$(ikgd_dir a)/state")" = "$user" ] || fail "gwA's state directory belongs to $(stat -c %U "$(ikgd_dir a)/state")"
[ "$(stat -c %U "$(ikgd_dir a)/state/events.journal")" = "$user" ] || fail "gwA's journal is not the user's"
assert_file_contains "$(ikgd_log a)" "privileges dropped: user $user \\(uid $uid\\)"

# --- gwB: no ikegate user: uid 0 with the reduced set ----------------------------------------
if ! getent passwd ikegate >/dev/null; then
  read -r ru eu su fu <<<"$(status_field "$pid_b" Uid)"
  [ "$ru $eu $su $fu" = "0 0 0 0" ] || fail "gwB Uid $ru $eu $su $fu"
fi
check_caps gwB "$pid_b"
assert_file_contains "$(ikgd_log b)" "privileges dropped: user "

# --- the tunnel works after the drop -----------------------------------------------------------
wait_for 30 ns_ping "$NS_HOSTA" "$HOSTB_IP" || { ikg a show log >&2; fail "no tunnel after the privilege drop"; }
wait_for 10 ns_ping "$NS_HOSTB" "$HOSTA_IP" || fail "no traffic B -> A"
log "tunnel up through two unprivileged daemons"

# --- reload: a new remote member's route is installed (CAP_NET_ADMIN after the drop) ----------
ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B,10.3.3.0/24"
out=$(ikg a reload 2>&1) || fail "reload refused after the drop: $out"
assert_contains "$out" "configuration reloaded"
wait_for 5 sh -c "ip -n '$NS_GWA' route | grep -q '^10.3.3.0/24 dev ikg0'" \
  || { ip -n "$NS_GWA" route >&2; tail -n 5 "$(ikgd_log a)" >&2; fail "the reload did not install the route to 10.3.3.0/24"; }
wait_for 30 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "the tunnel does not work after the reload"
ikg a profile disable tunnel >/dev/null || fail "profile disable refused"
wait_for 5 sh -c "! ip -n '$NS_GWA' route | grep -q 'dev ikg0'" || fail "disable left routes in ikg0"
ikg a profile enable tunnel >/dev/null || fail "profile enable refused"
wait_for 30 ns_ping "$NS_HOSTA" "$HOSTB_IP" || fail "no tunnel after disable/enable"
[ "${IKGD_PID[a]}" = "$pid_a" ] && kill -0 "$pid_a" || fail "gwA's daemon died"
check_caps gwA "$pid_a"
log "reload, route changes, disable/enable: fine after the drop"

sock=$(ikgd_sock a)
ikgd_stop a
[ ! -e "$sock" ] || fail "gwA's control socket left behind at exit (unprivileged unlink)"
ikgd_stop b
log "PASS"
