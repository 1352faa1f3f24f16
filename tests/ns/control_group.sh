#!/usr/bin/env bash
# Issue 7, acceptance 3 ("a user not in the allowed group cannot use the control socket"), the
# other half of tests/ns/daemon_control.sh: with group `ikegate` present when the daemon starts,
# the socket and its directory belong to that group, and a user IN the group can use every
# command (by supplementary group, by primary group, and as a real account whose membership comes
# from /etc/group), while the same user without the group cannot (exit 3: the directory; with the
# directory opened up, exit 1: SO_PEERCRED "permission denied").
#
# When the group does not exist the test creates it (and a temporary user) and removes both on
# every exit path; an existing group is used and left alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"

ikg_test_init
ikgd_require
require_cmd setpriv getent groupadd groupdel useradd userdel

# ---- the group (and a user in it) ----
if getent group ikegate >/dev/null; then
  log "group ikegate exists: using it"
else
  groupadd --system ikegate || fail "groupadd ikegate"
  on_cleanup 'groupdel ikegate'
  log "created group ikegate (removed at exit)"
fi
gid=$(getent group ikegate | cut -d: -f3)
user=ikgop$$
userdel "$user" >/dev/null 2>&1 || true
useradd --system --no-create-home --shell /usr/sbin/nologin --user-group -G ikegate "$user" \
  || fail "useradd $user"
on_cleanup "userdel $user"     # a supplementary member does not stop groupdel
uid=$(id -u "$user")
log "user $user uid $uid, group ikegate gid $gid"

as_member_supp() { setpriv --reuid=65534 --regid=65534 --groups="$gid" "$@"; }
as_member_primary() { setpriv --reuid=65534 --regid="$gid" --clear-groups "$@"; }
as_user() { setpriv --reuid="$uid" --regid="$(id -g "$user")" --init-groups "$@"; }
as_outsider() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nobody_can_run IKEGATE
as_outsider test -x "$IKEGATE" || fail "uid 65534 cannot execute $IKEGATE"

# cli EXPECTED-EXIT WHO ARGS...: run ikegate as WHO, check the exit code; output in $OUT
cli() {
  local want=$1 who=$2 rc=0; shift 2
  OUT=$("$who" "$IKEGATE" -s "$sock" "$@" 2>&1) || rc=$?
  [ "$rc" -eq "$want" ] || { printf '%s\n' "$OUT" >&2; fail "$who: 'ikegate $*' exited $rc, expected $want"; }
}

# ---- a daemon started now that the group exists ----
ns_add gw NS_GW
ns_add peer NS_PEER
ns_link "$NS_GW" wan0 192.0.2.1/24 "$NS_PEER" wan0 192.0.2.2/24
ikgd_config a 192.0.2.1 192.0.2.2 10.1.1.0/24 10.2.2.0/24
ikgd_start "$NS_GW" a
sock=$(ikgd_sock a)
run=$(dirname "$sock")
[ "$(stat -c %G "$sock")" = ikegate ] || fail "socket group $(stat -c %G "$sock"), expected ikegate"
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock"), expected 660"
[ "$(stat -c %G "$run")" = ikegate ] || fail "directory group $(stat -c %G "$run"), expected ikegate"
[ "$(stat -c %a "$run")" = 750 ] || fail "directory mode $(stat -c %a "$run"), expected 750"

# ---- members are served ----
for who in as_member_supp as_member_primary as_user; do
  cli 0 "$who" show vpn
  assert_contains "$OUT" "tunnel" "$who show vpn"
  cli 0 "$who" sh log --json
  assert_contains "$OUT" '"events":[' "$who show log --json"
  cli 0 "$who" diagnose tunnel
  cli 0 "$who" profile disable tunnel
  assert_contains "$OUT" "profile 'tunnel' disabled" "$who profile disable"
  cli 0 "$who" profile enable tunnel
  assert_contains "$OUT" "profile 'tunnel' enabled" "$who profile enable"
  log "$who: served"
done
[ "$(ikgd_vpn a tunnel enabled)" = true ] || fail "tunnel not enabled again"

# ---- the same uid without the group is not ----
cli 3 as_outsider show vpn
assert_contains "$OUT" "cannot reach the daemon at $sock" "outsider"
chmod 0755 "$run"; chmod 0666 "$sock"
cli 1 as_outsider show vpn
assert_contains "$OUT" "permission denied: uid 65534 is neither root nor in group 'ikegate'" "outsider, socket opened up"
assert_not_contains "$OUT" "tunnel" "outsider, socket opened up"
cli 1 as_outsider profile disable tunnel
[ "$(ikgd_vpn a tunnel enabled)" = true ] || fail "an outsider disabled the profile"
# ... while a member still is, through the opened-up socket too
cli 0 as_member_supp show vpn
chmod 0750 "$run"; chmod 0660 "$sock"

ikgd_stop a
log "PASS"
