#!/usr/bin/env bash
# Issue 5, acceptance 4 at the command line: `ikegate check-config FILE`.
#  * a clean configuration: no warning, "FILE: OK", exit 0;
#  * each lint problem gives a warning "FILE:LINE: warning: ..." followed by "  fix: ...", and
#    exit 0: non-routable WAN address (10/8, 172.16/12, 192.168/16, 100.64/10), no IKE profile
#    assigned, remote-endpoint 0.0.0.0 with initiate-only, AH (does not cross NAT), weak
#    algorithms (IKE des/3des, md5, dh-group 1 = modp768 and 2 = modp1024; IPsec des, md5, PFS
#    group 1/2), a secret file other users can read (0644), overlapping member ranges (local vs
#    remote, and two profiles);
#  * an error (unknown key, wrong type, unreadable secret file) gives "FILE:LINE: error: ..." and
#    the fix, and exit 1; no FILE is a usage error, exit 2.
# LINE is checked: the line of the setting, or of the section (profile) that holds it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"

ikg_test_init
IKG_BUILD=${IKG_BUILD:-$IKG_TOP/build}
IKEGATE=${IKEGATE:-$IKG_BUILD/src/cli/ikegate}
[ -x "$IKEGATE" ] || skip "no $IKEGATE (build first)"

dir=$IKG_TMP/cc
mkdir -p "$dir"
printf 'check config secret\n' >"$dir/office.psk"
chmod 600 "$dir/office.psk"

# base_conf: a clean configuration (secret in a 0600 file next to it); stdin is added at the end
# (more ipsec profiles go through EXTRA_IPSEC, more settings through sed on the result).
base_conf() {
  cat <<EOF
gateway = {
  wan-address = "${WAN:-192.0.2.1}";
  control     = "$dir/ikegate.sock";
  state-dir   = "$dir/state";
  tun         = "ikg0";
};
ike-profiles = {
  office = {
    mode        = "main";
    encryption  = "aes128";
    hash        = "sha256";
    dh-group    = 14;
    lifetime    = 28800;
    secret-file = "office.psk";
    negotiation = "both";
  };
};
ipsec-profiles = {
  branch = {
    remote-endpoint = "192.0.2.2";
    local-members   = [ "10.1.1.0/24" ];
    remote-members  = [ "10.2.2.0/24" ];
    ike-profile     = "office";
    protocol        = "esp";
    encryption      = "aes128gcm16";
    pfs-group       = 14;
    lifetime        = 3600;
    enabled         = true;
  };
${EXTRA_IPSEC:-}
};
EOF
}

# check NAME WANT-EXIT [SED-SCRIPT]: writes $dir/NAME.conf (base_conf through sed), runs
# check-config on it; output in $OUT, file in $F.
check() {
  local name=$1 want=$2 script=${3:-}
  F=$dir/$name.conf
  if [ -n "$script" ]; then base_conf | sed -E "$script" >"$F"; else base_conf >"$F"; fi
  local rc=0
  OUT=$("$IKEGATE" check-config "$F" 2>&1) || rc=$?
  printf '%s\n' "$OUT" | sed "s|^|  [$name] |" >&2
  [ "$rc" -eq "$want" ] || fail "$name: check-config exited $rc, expected $want"
}

# lines_of REGEX: the numbers of the lines of $F matching REGEX (extended), space separated
lines_of() { grep -nE -- "$1" "$F" | cut -d: -f1 | tr '\n' ' '; }

# expect SEVERITY MESSAGE-REGEX LINE-REGEX...: $OUT has "F:N: SEVERITY: ..." matching MESSAGE
# with N the line of one of the LINE-REGEXes of $F, and the next output line is "  fix: ...".
expect() {
  local sev=$1 msg=$2; shift 2
  local lines='' re n
  for re in "$@"; do lines+=$(lines_of "$re"); done
  [ -n "$lines" ] || fail "test bug: no line of $F matches $*"
  local hit
  hit=$(grep -nE -- "^$F:[0-9]+: $sev: .*$msg" <<<"$OUT" | head -n 1) \
    || { grep -E -- "$msg" <<<"$OUT" >&2 || true; fail "$(basename "$F"): no '$F:LINE: $sev: ...$msg' (with a line number) in the output"; }
  n=$(sed -E "s|^[0-9]+:$F:([0-9]+):.*|\1|" <<<"$hit")
  grep -qw -- "$n" <<<"$lines" || fail "$(basename "$F"): '$msg' reported at line $n, expected one of: $lines"
  local at=${hit%%:*}
  sed -n "$((at + 1))p" <<<"$OUT" | grep -qE '^  fix: .+' \
    || fail "$(basename "$F"): '$msg' is not followed by a '  fix: ...' line"
}

count_warnings() { grep -cE -- "^$F(:[0-9]+)?: warning: " <<<"$OUT" || true; }

# ---- clean ----
check clean 0
[ "$OUT" = "$F: OK" ] || fail "clean configuration: expected exactly '$F: OK'"
assert_not_contains "$OUT" "warning" "clean check-config"

# ---- non-routable WAN addresses ----
for wan in 10.0.0.1 172.16.5.1 192.168.1.1 100.64.0.1 100.127.255.254; do
  WAN=$wan check "wan-$wan" 0
  expect warning "wan-address $wan is a non-routable address" '^gateway = \{' '^ *wan-address ='
  [ "$(count_warnings)" -eq 1 ] || fail "wan $wan: expected exactly one warning"
done
WAN=100.128.0.1 check wan-100.128 0     # just outside 100.64.0.0/10
assert_not_contains "$OUT" "warning" "100.128.0.1 (routable)"

# ---- no IKE profile assigned ----
check no-ike 0 '/^ *ike-profile *= "office";/d'
expect warning "ipsec-profiles.branch has no ike-profile.*no ph1 preferences assigned" '^  branch = \{'

# ---- remote-endpoint 0.0.0.0 with initiate-only ----
check rte0-initiate-only 0 's/"192.0.2.2"/"0.0.0.0"/; s/negotiation = "both"/negotiation = "initiate-only"/'
expect warning "ipsec-profiles.branch has remote-endpoint 0.0.0.0 with negotiation initiate-only" '^  branch = \{' '^ *remote-endpoint ='

# ---- AH: does not cross NAT ----
check ah 0 's/protocol        = "esp";/protocol = "ah"; integrity = "sha256";/; /encryption      = "aes128gcm16";/d'
expect warning "ipsec-profiles.branch uses protocol ah, which does not work through NAT" '^  branch = \{' '^ *protocol = "ah"'

# ---- weak algorithms ----
check weak-ike 0 's/encryption  = "aes128";/encryption = "des";/; s/hash        = "sha256";/hash = "md5";/; s/dh-group    = 14;/dh-group = 1;/'
expect warning "ike-profiles.office uses encryption des, which is weak" '^  office = \{' '^ *encryption = "des"'
expect warning "ike-profiles.office uses hash md5, which is weak" '^  office = \{' '^ *hash = "md5"'
expect warning "ike-profiles.office uses dh-group 1 \(modp768\), which is weak" '^  office = \{' '^ *dh-group = 1;'
check weak-ike-3des 0 's/encryption  = "aes128";/encryption = "3des";/; s/dh-group    = 14;/dh-group = 2;/'
expect warning "ike-profiles.office uses encryption 3des, which is weak" '^  office = \{' '^ *encryption = "3des"'
expect warning "ike-profiles.office uses dh-group 2 \(modp1024\), which is weak" '^  office = \{' '^ *dh-group = 2;'
check weak-ipsec 0 's/encryption      = "aes128gcm16";/encryption = "des"; integrity = "md5";/; s/pfs-group       = 14;/pfs-group = 2;/'
expect warning "ipsec-profiles.branch uses encryption des, which is weak" '^  branch = \{' '^ *encryption = "des"'
expect warning "ipsec-profiles.branch uses integrity md5, which is weak" '^  branch = \{' '^ *encryption = "des"'
expect warning "ipsec-profiles.branch uses pfs-group 2 \(modp1024\), which is weak" '^  branch = \{' '^ *pfs-group = 2;'

# ---- a secret file other users can read ----
chmod 644 "$dir/office.psk"
check secret-0644 0
chmod 600 "$dir/office.psk"
expect warning "secret file .*office.psk is readable by others \(mode 0644\)" '^  office = \{' '^ *secret-file ='

# ---- overlapping member ranges ----
check overlap-self 0 's|remote-members  = \[ "10.2.2.0/24" \];|remote-members = [ "10.1.0.0/16" ];|'
expect warning "ipsec-profiles.branch: local member 10.1.1.0/24 overlaps remote member 10.1.0.0/16" '^  branch = \{' '^ *remote-members = '
EXTRA_IPSEC='  branch2 = {
    remote-endpoint = "192.0.2.3";
    local-members   = [ "10.1.1.0/25" ];
    remote-members  = [ "10.2.0.0/16" ];
    ike-profile     = "office";
    pfs-group       = 14;
  };' check overlap-profiles 0
expect warning "remote members of ipsec-profiles.branch2 \(10.2.0.0/16\) overlap those of ipsec-profiles.branch \(10.2.2.0/24\)" '^  branch2 = \{' '^  branch = \{'

# ---- all of them at once: each still reported ----
chmod 644 "$dir/office.psk"
WAN=100.64.1.1 check everything 0 's/"192.0.2.2"/"0.0.0.0"/; s/negotiation = "both"/negotiation = "initiate-only"/; /^ *ike-profile *= "office";/d; s/hash        = "sha256";/hash = "md5";/'
chmod 600 "$dir/office.psk"
[ "$(count_warnings)" -ge 4 ] || fail "everything: expected at least 4 warnings, got $(count_warnings)"
assert_contains "$OUT" "non-routable" "everything"
assert_contains "$OUT" "no ike-profile" "everything"
assert_contains "$OUT" "hash md5" "everything"
assert_contains "$OUT" "readable by others" "everything"
assert_contains "$OUT" "$F: OK with $(count_warnings) warning(s)" "everything (summary)"

# ---- errors: exit 1, FILE:LINE: error + fix ----
check unknown-key 1 's/^( *)mode        = "main";/&\n\1bogus-key = 1;/'
expect error "unknown key 'bogus-key' in ike-profiles.office" '^ *bogus-key = 1;'
assert_contains "$OUT" "$F: 1 error(s)" "unknown key (summary)"
check wrong-type 1 's/dh-group    = 14;/dh-group = "fourteen";/'
expect error "'dh-group' must be a number" '^ *dh-group = "fourteen";'
check missing-secret 1 's/office.psk/no-such.psk/'
expect error "cannot read secret-file .*no-such.psk" '^  office = \{' '^ *secret-file ='
check syntax 1 's/dh-group    = 14;/dh-group = = 14;/'
expect error "syntax error" '^ *dh-group = = 14;'
rc=0; OUT=$("$IKEGATE" check-config "$dir/does-not-exist.conf" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "a missing file: exit $rc, expected 1"
assert_contains "$OUT" "$dir/does-not-exist.conf: error: cannot read the configuration: No such file or directory" "missing file"
rc=0; OUT=$("$IKEGATE" check-config 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "check-config without FILE: exit $rc, expected 2"
# abbreviated, as every command
rc=0; OUT=$("$IKEGATE" check "$dir/clean.conf" 2>&1) || rc=$?
[ "$rc" -eq 0 ] && [ "$OUT" = "$dir/clean.conf: OK" ] || fail "'ikegate check FILE' (abbreviated): exit $rc: $OUT"

log "PASS"
