#!/usr/bin/env bash
# The daemon's control socket: created 0660 in a 0750 directory; root is served; a user that is
# neither root nor in group 'ikegate' is refused, by the file permissions and, when those are
# opened up, by the SO_PEERCRED check; the wire protocol refuses abbreviations; a bad reload is
# refused and journaled; SIGTERM removes the socket; the journal survives a restart (a torn
# tail is cut off); a missing daemon is exit code 3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"

ikg_test_init
require_cmd setpriv /usr/bin/python3
IKEGATED=${IKEGATED:-$IKG_TOP/build/src/daemon/ikegated}
IKEGATE=${IKEGATE:-$IKG_TOP/build/src/cli/ikegate}
[ -x "$IKEGATED" ] || skip "no $IKEGATED (build first)"
[ -x "$IKEGATE" ] || skip "no $IKEGATE (build first)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

ns_add gw NS_GW
ns_add peer NS_PEER
ns_link "$NS_GW" wan0 192.0.2.1/24 "$NS_PEER" wan0 192.0.2.2/24

run=$IKG_TMP/run
sock=$run/ikegate.sock
conf=$IKG_TMP/gw.conf
write_conf() {  # write_conf EXTRA-IKE-SETTING
  cat >"$conf" <<EOF
gateway = {
  wan-address = "192.0.2.1";
  control     = "$sock";
  state-dir   = "$IKG_TMP/state";
  tun         = "ikgt0";
};
ike-profiles = {
  office = { mode = "main"; encryption = "aes128"; hash = "sha256"; dh-group = 14;
             secret = "control test"; $1 };
};
ipsec-profiles = {
  branch = { remote-endpoint = "192.0.2.2"; local-members = [ "10.1.1.0/24" ];
             remote-members = [ "10.2.2.0/24" ]; ike-profile = "office"; pfs-group = 14; };
};
EOF
}

start_daemon() {
  ns_bg "$NS_GW" "$IKG_TMP/ikegated.log" "$IKEGATED" -c "$conf" -f
  DAEMON_PID=$IKG_LAST_PID
  wait_for 10 test -S "$sock" || { cat "$IKG_TMP/ikegated.log" >&2; fail "no control socket"; }
}

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# cli EXPECTED-EXIT ARGS...: runs ikegate, checks its exit code, output in $OUT
cli() {
  local want=$1 rc=0; shift
  OUT=$("$@" 2>&1) || rc=$?
  [ "$rc" -eq "$want" ] || { printf '%s\n' "$OUT" >&2; fail "'$*' exited $rc, expected $want"; }
}

write_conf ""
"$IKEGATED" -c "$conf" --check >/dev/null || fail "--check refuses a good configuration"
start_daemon

# --- permissions of what the daemon created ---
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock"), expected 660"
[ "$(stat -c %a "$run")" = 750 ] || fail "directory mode $(stat -c %a "$run"), expected 750"
want_group=root
getent group ikegate >/dev/null && want_group=ikegate
[ "$(stat -c %G "$sock")" = "$want_group" ] || fail "socket group $(stat -c %G "$sock"), expected $want_group"

# --- root is served, with abbreviations ---
cli 0 "$IKEGATE" -s "$sock" sh vpn
assert_contains "$OUT" branch "show vpn"
cli 0 "$IKEGATE" -s "$sock" sh log
assert_contains "$OUT" ">>WAN:" "show log"
cli 2 "$IKEGATE" -s "$sock" sh i sa
assert_contains "$OUT" "ambiguous 'i': could be 'ip', 'ike', 'ipsec'"
cli 1 "$IKEGATE" -s "$sock" initiate nosuch
assert_contains "$OUT" "no such profile 'nosuch'"

# --- nobody: stopped by the directory permissions ---
nobody_can_run IKEGATE
as_nobody test -x "$IKEGATE" || fail "uid 65534 cannot execute $IKEGATE"
cli 3 as_nobody "$IKEGATE" -s "$sock" show vpn
assert_contains "$OUT" "cannot reach the daemon at $sock"

# --- nobody with the permissions opened up: stopped by SO_PEERCRED ---
chmod 0755 "$run"
chmod 0666 "$sock"
cli 1 as_nobody "$IKEGATE" -s "$sock" show vpn
assert_contains "$OUT" "permission denied: uid 65534"
assert_not_contains "$OUT" branch
cli 1 as_nobody "$IKEGATE" -s "$sock" profile disable branch
cli 0 "$IKEGATE" -s "$sock" show vpn   # root still served

# --- the wire: full words only, framing ---
raw() {  # raw REQUEST-LINE -> response on stdout
  /usr/bin/python3 - "$sock" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, _, body = data.partition(b"\n")
parts = head.split(b" ")
ok = len(parts) == 3 and parts[2].isdigit() and int(parts[2]) == len(body)
sys.stdout.write(head.decode() + ("\nlength-ok\n" if ok else "\nlength-bad\n") + body.decode())
EOF
}
resp=$(raw "IKG1 sh vpn")
assert_contains "$resp" "IKG1 2 " "abbreviated request"
resp=$(raw "HELLO")
assert_contains "$resp" "IKG1 2 " "malformed request"
resp=$(raw "IKG1 show vpn")
assert_contains "$resp" "IKG1 0 " "show vpn on the wire"
assert_contains "$resp" "length-ok" "show vpn on the wire"
assert_contains "$resp" branch "show vpn on the wire"

# --- a bad reload is refused and journaled, the daemon keeps serving ---
cp "$conf" "$conf.good"
write_conf "bogus-key = 1;"
cli 1 "$IKEGATE" -s "$sock" reload
assert_contains "$OUT" "error: unknown key 'bogus-key'"
assert_contains "$OUT" "previous one stays in force"
cli 0 "$IKEGATE" -s "$sock" show log --detail
assert_contains "$OUT" "config rejected"
cp "$conf.good" "$conf"
kill -HUP "$DAEMON_PID"
wait_for 5 sh -c "'$IKEGATE' -s '$sock' show log | grep -q 'config reloaded'" || fail "SIGHUP did not reload"

# --- SIGTERM: clean exit, socket removed; the journal brings the history back ---
kill -TERM "$DAEMON_PID"
for i in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$DAEMON_PID" 2>/dev/null && fail "ikegated did not exit on SIGTERM"
rc=0; wait "$DAEMON_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "ikegated exited $rc on SIGTERM"
[ ! -e "$sock" ] || fail "socket left behind"
cli 3 "$IKEGATE" -s "$sock" show vpn
assert_contains "$OUT" "cannot reach the daemon at $sock"

# a crash in the middle of a journal write leaves a torn record: cut off at the next start
printf 'IKGJ\001\000\377' >>"$IKG_TMP/state/events.journal"
start_daemon
assert_file_contains "$IKG_TMP/ikegated.log" "events.journal: 7 bytes after the last complete record cut off"
cli 0 "$IKEGATE" -s "$sock" show log
assert_contains "$OUT" "config rejected" "history after restart"
cli 0 "$IKEGATE" -s "$sock" clear log
cli 0 "$IKEGATE" -s "$sock" show log
assert_not_contains "$OUT" "config rejected" "history after clear log"

log "PASS"
