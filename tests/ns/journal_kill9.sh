#!/usr/bin/env bash
# Issue 5, acceptance 3: the event journal survives a kill -9 of the daemon and a truncated last
# record.
#
# Two ikegated, tunnel up, then on gateway a: an error event (a ping for profile "nopref", which
# has no IKE profile: "no ph1 preferences assigned"), a refused reload ("config rejected") and a
# good one ("config reloaded", the last event). Then:
#   1. kill -9 a. The journal (STATE_DIR/events.journal) holds exactly the events `show log`
#      showed, record by record (parsed here from the format of src/log/journal.h).
#   2. the last record is cut short by 3 bytes (a torn write); a is started again on the same
#      state directory: `show log` begins with every earlier event, line for line as before,
#      without the torn one; the daemon says "N bytes after the last complete record cut off",
#      restored N-1 events, and says nothing about corruption; the stale control socket is
#      replaced; the tunnel comes up again.
#   3. kill -9 again and restart without damage: everything is restored, nothing cut off.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/operator.sh"

ikg_test_init
ikgd_require
NOPREF_HOST=10.3.3.10

op_pair_up "$(op_ipsec_profile nopref "$GWB_WAN" "$LAN_A" 10.3.3.0/24 -)"
conf=$(ikgd_conf_file a)
state=$(ikgd_dir a)/state
journal=$state/events.journal

ns_ping "$NS_HOSTA" "$NOPREF_HOST" || true
wait_for 10 ikgd_log_has a "no ph1 preferences assigned" || fail "no 'no ph1 preferences assigned' event"
cp "$conf" "$IKG_TMP/a.conf.good"
echo 'bogus-key = 1;' >>"$conf"
ikg a reload >/dev/null 2>&1 && fail "a reload with an unknown key succeeded"
cp "$IKG_TMP/a.conf.good" "$conf"
ikg a reload >/dev/null || fail "good reload refused"

# journal_records FILE: one line per complete record: "OFFSET LENGTH CODE CRC-OK"; a last line
# "TAIL N" with the number of bytes after the last complete record.
journal_records() {
  "$IKGD_PY" - "$1" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
off = 0
while off + 8 <= len(data):
    magic, ver, flags, plen = struct.unpack(">4sBBH", data[off:off + 8])
    end = off + 8 + plen + 4
    if magic != b"IKGJ" or ver != 1 or end > len(data):
        break
    crc, = struct.unpack(">I", data[end - 4:end])
    code, = struct.unpack(">H", data[off + 16:off + 18])
    ok = zlib.crc32(data[off:end - 4]) & 0xffffffff == crc
    print(off, end - off, code, "crc-ok" if ok else "crc-bad")
    if not ok:
        break
    off = end
print("TAIL", len(data) - off)
EOF
}

# the state of a before the crash: the history, the journal's records (events come in through
# the daemon's own reload here, nothing else is pending: wait until both agree)
journal_matches_history() {
  local n_hist n_rec
  n_hist=$(ikg a show log --json | json_get "len(j['events'])")
  n_rec=$(journal_records "$journal" | grep -c crc-ok || true)
  [ "$n_hist" = "$n_rec" ]
}
wait_for 5 journal_matches_history || { journal_records "$journal" >&2; ikg a show log >&2; fail "the journal does not hold every event of show log"; }
ikg a show log >"$IKG_TMP/log.before"
ikg a show log --json | json_get "[e['code'] for e in j['events']]" >"$IKG_TMP/codes.before"
journal_records "$journal" >"$IKG_TMP/records.before"
n_before=$(wc -l <"$IKG_TMP/log.before")
grep -q crc-bad "$IKG_TMP/records.before" && fail "a record with a bad CRC in a healthy journal"
grep -qx 'TAIL 0' "$IKG_TMP/records.before" || fail "bytes after the last record in a healthy journal"
tail -n 1 "$IKG_TMP/log.before" | grep -qF "CFG: config reloaded" || { tail -n 3 "$IKG_TMP/log.before" >&2; fail "the last event is not 'config reloaded'"; }
last_code=$(grep crc-ok "$IKG_TMP/records.before" | tail -n 1 | awk '{print $3}')
[ "$last_code" = 31 ] || fail "the last journal record has code $last_code, expected 31 (config reloaded)"
log "before the crash: $n_before events, journal $(stat -c %s "$journal") bytes"

# kill9 NAME: SIGKILL the daemon, reap it, forget it
kill9() {
  local pid=${IKGD_PID[$1]}
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  unset 'IKGD_PID[$1]'
  ikgd_sanitizer_clean "$1" || fail "sanitizer report in $1's log"
}
# restart NAME: start the daemon again on its state directory (ikgd_start would wipe it); its
# stderr goes to a fresh ikegated.log (the old one is appended to ikegated.old.log)
restart() {
  local name=$1 d i
  d=$(ikgd_dir "$name")
  cat "$d/ikegated.log" >>"$d/ikegated.old.log"
  ns_bg "${IKGD_NS[$name]}" "$d/ikegated.log" "$IKEGATED" -c "$(ikgd_conf_file "$name")" -f
  IKGD_PID[$name]=$IKG_LAST_PID
  for (( i = 0; i < 100; i++ )); do
    if ikg "$name" show vpn >/dev/null 2>&1; then return 0; fi
    kill -0 "${IKGD_PID[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$d/ikegated.log" >&2
  fail "ikegated $name did not come back after kill -9"
}

# ---- 1. kill -9 ----
kill9 a
[ -S "$(ikgd_sock a)" ] || fail "test bug: expected the killed daemon's socket to be left behind"
cmp -s <(journal_records "$journal") "$IKG_TMP/records.before" || fail "the journal changed with the kill -9"

# ---- 2. the last record torn: 3 bytes short ----
read -r last_off last_len _ < <(grep crc-ok "$IKG_TMP/records.before" | tail -n 1)
size=$(stat -c %s "$journal")
[ "$size" -eq $((last_off + last_len)) ] || fail "test bug: journal size $size, records end at $((last_off + last_len))"
truncate -s $((size - 3)) "$journal"
cut=$((last_len - 3))
log "journal cut to $((size - 3)) bytes: the last record ($last_len bytes at $last_off) is torn"
restart a
alog=$(ikgd_log a)
assert_file_contains "$alog" "events\.journal: $cut bytes after the last complete record cut off" "a's log after the restart"
assert_file_contains "$alog" "$((n_before - 1)) journaled event\(s\) restored" "a's log after the restart"
if grep -qiE 'corrupt|crc|bad record|malformed' "$alog"; then grep -iE 'corrupt|crc|bad record|malformed' "$alog" >&2; fail "the daemon reports corruption"; fi
[ "$(stat -c %s "$journal")" -ge $((size - 3 - cut)) ] || fail "the journal lost more than the torn record"
ikg a show log >"$IKG_TMP/log.after"
head -n $((n_before - 1)) "$IKG_TMP/log.before" >"$IKG_TMP/log.expected"
head -n $((n_before - 1)) "$IKG_TMP/log.after" >"$IKG_TMP/log.restored"
diff -u "$IKG_TMP/log.expected" "$IKG_TMP/log.restored" >&2 \
  || fail "the restored history differs from the history before the crash"
sed -n "${n_before}p" "$IKG_TMP/log.after" | grep -qF "CFG: config reloaded" \
  && fail "the torn record ('config reloaded') came back"
for ev in "IKE: phase 1 complete sg $GWB_WAN" "IKE: phase 2 complete sg $GWB_WAN" \
          "IKE: no ph1 preferences assigned" "CFG: config rejected"; do
  grep -qF -- "$ev" "$IKG_TMP/log.restored" || fail "'$ev' not restored"
done
# the restored error event keeps its detail record (evidence from the journal)
ikg a show log --detail | grep -A4 -F "no ph1 preferences assigned" | grep -qE '^ +evidence: .+' \
  || fail "the restored error event lost its evidence"
tail -n +"$n_before" "$IKG_TMP/log.after" | grep -qF ">>WAN:" || fail "no WAN line from the new run after the restored history"
log "restored $((n_before - 1)) events, the torn one cut off"
# the daemon is fully back: traffic brings the tunnel up again
wait_for 30 ns_ping "$NS_HOSTA" "$HOSTB_IP" || { ikg a show log | tail -n 10 >&2; fail "no ping through the tunnel after the restart"; }
wait_for 5 ikgd_phase2_up a tunnel || fail "phase 2 not up after the restart"

# ---- 3. kill -9 again, no damage: everything comes back, nothing is cut ----
ikg a show log >"$IKG_TMP/log.before2"
n2=$(wc -l <"$IKG_TMP/log.before2")
journal_count() { journal_records "$journal" | grep -c crc-ok || true; }
journal_has_n2() { [ "$(journal_count)" = "$n2" ]; }
wait_for 5 journal_has_n2 || fail "journal has $(journal_count) records, show log $n2 events"
kill9 a
restart a
alog=$(ikgd_log a)
assert_file_contains "$alog" "$n2 journaled event\(s\) restored" "a's log after the second restart"
if grep -qE 'after the last complete record' "$alog"; then fail "bytes cut off from an undamaged journal"; fi
ikg a show log | head -n "$n2" | diff -u "$IKG_TMP/log.before2" - >&2 || fail "the history after the second restart differs"

ikgd_stop a; ikgd_stop b
log "PASS"
