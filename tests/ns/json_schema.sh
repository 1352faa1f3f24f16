#!/usr/bin/env bash
# Issue 7, acceptance 5: every --json output parses and matches its documented schema.
#
# The schemas are docs/json-schema/NAME.json (documented in docs/json-schema.md), checked by
# tests/tools/jsonschema_check.py (standard library only; undocumented fields are errors too:
# every object schema has additionalProperties false).
#
# Two ikegated with tunnel "tunnel" up and carrying traffic; gateway a also has failures and
# odd states: "nopref" (no IKE profile: "no ph1 preferences assigned"), "silent" (a peer that
# never answers: an IKE SA stuck negotiating, then "phase1 resend timeout"), "off" (disabled),
# "anyone" (remote-endpoint 0.0.0.0: no peer), a filter set with hits, a refused reload
# ("config rejected"). Every `show ... --json` (with
# and without --discards/--detail) and `diagnose [PROFILE] --json` of both gateways, and the
# empty outputs of a gateway with no SA yet, are validated. Then the validator itself is proven
# to fail: a missing field, a wrong type, an undocumented field, a bad enum value.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/operator.sh"

ikg_test_init
ikgd_require
check=$IKG_TOP/tests/tools/jsonschema_check.py
schemas=$IKG_TOP/docs/json-schema
[ -f "$check" ] || fail "no $check"
[ -d "$schemas" ] || fail "no $schemas"
SILENT_PEER=192.0.2.99

# the schemas themselves use only what the validator implements
"$IKGD_PY" "$check" --check-schema "$schemas"/*.json || fail "a schema in $schemas is not valid"

# schema_of COMMAND-WORDS: the schema file documenting a command
schema_of() {
  case "$*" in
    "show vpn"*) echo "$schemas/show-vpn.json" ;;
    "show log"*) echo "$schemas/show-log.json" ;;
    "show ip nat translations"*) echo "$schemas/show-ip-nat-translations.json" ;;
    "show ike sa"*) echo "$schemas/show-ike-sa.json" ;;
    "show ipsec sa"*) echo "$schemas/show-ipsec-sa.json" ;;
    "show filter"*) echo "$schemas/show-filter.json" ;;
    "diagnose"*) echo "$schemas/diagnose.json" ;;
    *) fail "test bug: no schema for '$*'" ;;
  esac
}

# every command of the grammar that takes --json must be covered here
json_commands() {
  "$IKEGATE" help 2>&1 | grep -F -- '--json' | sed -E 's/^ *//; s/ *\[--json\].*//; s/ \[[^]]*\]//g; s/ PROFILE//' | sort -u
}

N_VALID=0
# validate NAME COMMAND-WORDS...: run `ikegate COMMAND --json` against gateway NAME, save it,
# check exit 0, exact framing, schema.
validate() {
  local name=$1; shift
  local tag out schema
  tag=$(printf '%s' "$name-$*" | tr -c 'A-Za-z0-9-' '_')
  out=$IKG_TMP/json/$tag.json
  mkdir -p "$IKG_TMP/json"
  ikg "$name" "$@" --json >"$out" 2>"$out.err" || { cat "$out.err" >&2; fail "ikegate $* --json on $name failed"; }
  schema=$(schema_of "$@")
  "$IKGD_PY" "$check" "$schema" "$out" --exact-output --label "$name: $* --json" >&2 \
    || { head -c 2000 "$out" >&2; echo >&2; fail "$name: '$* --json' does not match $(basename "$schema")"; }
  N_VALID=$((N_VALID + 1))
}

# validate_all NAME: every JSON command on gateway NAME (and diagnose of each profile)
validate_all() {
  local name=$1 p
  validate "$name" show vpn
  validate "$name" show vpn --discards
  validate "$name" show log
  validate "$name" show log --detail
  validate "$name" show ip nat translations
  validate "$name" show ike sa
  validate "$name" show ipsec sa
  validate "$name" show filter
  validate "$name" diagnose
  for p in $(ikg "$name" show vpn --json | json_get "' '.join(p['name'] for p in j['profiles'])"); do
    validate "$name" diagnose "$p"
  done
}

# ---- gateway a with failures, b plain ----
# short IKE retransmissions (when the daemon has the option) so "silent" times out quickly
real_ikegated=$IKEGATED
if "$real_ikegated" --help 2>&1 | grep -q -- '--ike-retransmit'; then
  IKEGATED=$IKG_TMP/ikegated-fast
  printf '#!/bin/sh\nexec "%s" --ike-retransmit 500,2 "$@"\n' "$real_ikegated" >"$IKEGATED"
  chmod 755 "$IKEGATED"
fi

topo_two_gateways
extra_a="$(op_ipsec_profile nopref "$GWB_WAN" "$LAN_A" 10.3.3.0/24 -)
$(op_ipsec_profile silent "$SILENT_PEER" "$LAN_A" 10.6.6.0/24)
$(op_ipsec_profile off "$GWB_WAN" "$LAN_A" 10.7.7.0/24 | sed 's/enabled         = true;/enabled = false;/')
$(op_ipsec_profile anyone 0.0.0.0 "$LAN_A" 10.8.8.0/24)"
op_conf a "$GWA_WAN" <<EOF
ike-profiles = {
$(op_ike_office)
};
ipsec-profiles = {
$(op_ipsec_profile tunnel "$GWB_WAN" "$LAN_A" "$LAN_B")
$extra_a
};
filter-sets = {
  wan-in = {
    apply = "wan-in";
    rules = ( { action = "deny"; protocol = "udp"; dst-port = 9; },
              { action = "permit"; protocol = "icmp"; },
              { action = "permit"; } );
  };
};
EOF
op_conf_b

# before anything happened: empty lists must match too
ikgd_start "$NS_GWA" a
validate a show ike sa
validate a show ipsec sa
validate a show ip nat translations
validate a diagnose
empty=$(ikg a show ipsec sa --json | json_get "len(j['ipsec_sas'])")
[ "$empty" = 0 ] || fail "fresh gateway has $empty IPsec SAs"

ikgd_start "$NS_GWB" b
op_tunnel_up
ns_exec "$NS_HOSTA" ping -q -n -c 3 -i 0.2 -W 1 "$HOSTB_IP" >/dev/null || fail "ping loss through the tunnel"
ns_ping "$NS_HOSTA" 10.3.3.10 || true                       # no ph1 preferences assigned
ikg a initiate silent >/dev/null || fail "initiate silent"   # IKE SA negotiating, never answered
ns_exec "$NS_GWA" ping -q -n -c 1 -W 1 "$GWB_WAN" >/dev/null || true
ns_exec "$NS_GWB" ping -q -n -c 2 -W 1 "$GWA_WAN" >/dev/null || true   # hits of the ICMP rule
cp "$(ikgd_conf_file a)" "$IKG_TMP/a.conf.good"
echo 'bogus-key = 1;' >>"$(ikgd_conf_file a)"
ikg a reload >/dev/null 2>&1 && fail "a reload with an unknown key succeeded"
cp "$IKG_TMP/a.conf.good" "$(ikgd_conf_file a)"
wait_for 10 ikgd_log_has a "no ph1 preferences assigned" || fail "no 'no ph1 preferences assigned'"
negotiating() { ikg a show ike sa --json | json_get "[s for s in j['ike_sas'] if s['profile'] == 'silent' and not s['established']][0]['peer']" >/dev/null; }
wait_for 5 negotiating || { ikg a show ike sa >&2; fail "no negotiating IKE SA for 'silent'"; }
j=$IKG_TMP/json
validate a show ike sa            # now, before the short retransmissions give up
cp "$j/a-show_ike_sa.json" "$j/a-show_ike_sa-negotiating.json"
grep -q '"established":false' "$j/a-show_ike_sa-negotiating.json" || fail "no negotiating IKE SA in a's show ike sa"

# ---- now: tunnel up, one phase 1 negotiating, errors in the history ----
validate_all a
validate_all b
# the states we meant to cover are really in the documents
grep -q '"established":true' "$j/a-show_ike_sa.json" || fail "no established IKE SA in a's show ike sa"
grep -q '"error":true' "$j/a-show_log.json" || fail "no error event in a's show log"
grep -q '"solution":' "$j/a-show_log.json" || fail "no detail fields in a's show log"
grep -q '"enabled":false' "$j/a-show_vpn.json" || fail "no disabled profile in a's show vpn"
grep -q '"peer":null' "$j/a-show_vpn.json" || fail "no profile without a peer in a's show vpn"
grep -q '"profile":null' "$j/a-diagnose.json" || log "note: no gateway-wide finding in a's diagnose"
grep -qE '"hits":[1-9]' "$j/a-show_filter.json" || fail "no filter rule with hits in a's show filter"
grep -qE '"total":[1-9]' "$j/a-show_ip_nat_translations.json" || fail "empty NAT table on a"

# ---- after the silent peer's phase 1 timed out (if the daemon's timers are short) ----
if [ "$IKEGATED" != "$real_ikegated" ]; then
  wait_for 15 ikgd_log_has a "phase1 resend timeout" || fail "no 'phase1 resend timeout' for 'silent'"
  validate a show log
  validate a show ike sa
  validate a diagnose silent
  grep -q '"slug":"phase1-resend-timeout"' "$j/a-show_log.json" || fail "phase1-resend-timeout not in show log --json"
fi

# ---- every JSON command of the grammar was covered ----
covered="show vpn
show log
show ip nat translations
show ike sa
show ipsec sa
show filter
diagnose"
while read -r c; do
  [ -z "$c" ] && continue
  grep -qxF -- "$c" <<<"$covered" || fail "'$c --json' (from ikegate help) has no schema check in this test"
done < <(json_commands)
log "$N_VALID JSON documents valid"

# ---- failures print no JSON: message on stderr, exit 1 / 2 / 3 (docs/json-schema.md) ----
json_fails() {  # json_fails WANT-EXIT STDERR-NEEDLE ARGS...
  local want=$1 needle=$2 rc=0; shift 2
  "$IKEGATE" "$@" >"$IKG_TMP/fail.out" 2>"$IKG_TMP/fail.err" || rc=$?
  [ "$rc" -eq "$want" ] || { cat "$IKG_TMP/fail.out" "$IKG_TMP/fail.err" >&2; fail "'ikegate $*' exited $rc, expected $want"; }
  [ ! -s "$IKG_TMP/fail.out" ] || { cat "$IKG_TMP/fail.out" >&2; fail "'ikegate $*' failed but printed on stdout"; }
  assert_contains "$(cat "$IKG_TMP/fail.err")" "$needle" "stderr of 'ikegate $*'"
}
json_fails 1 "no such profile 'nosuch'" -s "$(ikgd_sock a)" diagnose nosuch --json
json_fails 2 "--detail" -s "$(ikgd_sock a)" show ipsec sa --detail --json
json_fails 3 "$IKG_TMP/no.sock" -s "$IKG_TMP/no.sock" show vpn --json

# ---- the validator fails when it should ----
mutate() {  # mutate SCHEMA DOC PYTHON-STATEMENT WHAT: applying the statement to j must fail
  local schema=$1 doc=$2 stmt=$3 what=$4 bad=$IKG_TMP/mutated.json rc=0 msg
  "$IKGD_PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
exec(sys.argv[2])
print(json.dumps(j, separators=(",", ":")))' "$doc" "$stmt" >"$bad" || fail "test bug: mutation '$stmt'"
  msg=$("$IKGD_PY" "$check" "$schema" "$bad" --label mutated) || rc=$?
  [ "$rc" -eq 1 ] || fail "the validator accepted a document with $what (exit $rc)"
  log "mutation rejected ($what): $(head -n 1 <<<"$msg")"
}
vpn_doc=$j/a-show_vpn.json
"$IKGD_PY" "$check" "$schemas/show-vpn.json" "$vpn_doc" || fail "test bug: the unmutated document fails"
mutate "$schemas/show-vpn.json" "$vpn_doc" "del j['profiles'][0]['tx_packets']" "a missing field"
mutate "$schemas/show-vpn.json" "$vpn_doc" "j['profiles'][0]['tx_packets'] = str(j['profiles'][0]['tx_packets'])" "a number as a string"
mutate "$schemas/show-vpn.json" "$vpn_doc" "j['profiles'][0]['enabled'] = 1" "an integer for a boolean"
mutate "$schemas/show-vpn.json" "$vpn_doc" "j['profiles'][0]['phase2'] = 'UP'" "a value outside the enum"
mutate "$schemas/show-vpn.json" "$vpn_doc" "j['profiles'][0]['secret'] = 'x'" "an undocumented field"
mutate "$schemas/show-vpn.json" "$vpn_doc" "del j['profiles'][0]['discards']['unknown-spi']" "a missing discard reason"
mutate "$schemas/show-ipsec-sa.json" "$j/a-show_ipsec_sa.json" "j['ipsec_sas'][0]['spi_in'] = int(j['ipsec_sas'][0]['spi_in'], 16)" "an SPI as a number"
mutate "$schemas/show-log.json" "$j/a-show_log.json" "[e.pop('solution') for e in j['events'] if e['error']]" "an error event without its solution"
mutate "$schemas/diagnose.json" "$j/a-diagnose.json" "j['findings'] = []" "no findings"
mutate "$schemas/show-ike-sa.json" "$j/a-show_ike_sa.json" "j['ike_sas'][0]['peer_port'] = 70000" "a port above 65535"
# framing: two objects, or no final newline, are not one JSON object + newline
printf '{"profiles":[]}\n{"profiles":[]}\n' >"$IKG_TMP/two.json"
"$IKGD_PY" "$check" "$schemas/show-vpn.json" "$IKG_TMP/two.json" --exact-output >/dev/null && fail "two objects accepted"
printf '{"profiles":[]}' >"$IKG_TMP/nonl.json"
"$IKGD_PY" "$check" "$schemas/show-vpn.json" "$IKG_TMP/nonl.json" --exact-output >/dev/null && fail "missing newline accepted"
printf '{"profiles":[],"profiles":[]}\n' >"$IKG_TMP/dup.json"
"$IKGD_PY" "$check" "$schemas/show-vpn.json" "$IKG_TMP/dup.json" >/dev/null && fail "duplicate key accepted"

ikgd_stop a; ikgd_stop b
log "PASS"
