# shellcheck shell=bash
# ikegated (the real daemon) inside network namespaces, for tests/ns/*.sh. Source after netns.sh:
#
#   . "$here/../lib/netns.sh"
#   . "$here/../lib/ikegated.sh"
#   ikg_test_init; ikgd_require           # skips (77) without binaries or /dev/net/tun
#   topo_two_gateways
#   ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" ipsec.encryption=3des ipsec.integrity=sha1
#   ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" ipsec.encryption=3des ipsec.integrity=sha1
#   ikgd_start "$NS_GWA" a; ikgd_start "$NS_GWB" b     # returns when the control socket answers
#   ikg a show vpn --json | json_get 'j["profiles"][0]["tx_packets"]'
#   read -r tx rx <<<"$(ikgd_vpn a tunnel tx_packets rx_packets)"   # fields of one profile
#   ikgd_ipsec_sa a tunnel spi_out                       # `show ipsec sa --json` fields
#   ikgd_stop a                                          # SIGTERM, exit status checked
#
# NAME is the gateway's name in the test (a, b, ...). Everything of gateway NAME lives in
# $IKG_TMP/ikgd-NAME: NAME.conf, run/ikegate.sock, state/, ikegated.log (the daemon's stderr;
# it runs with -f, so every WAN Event History line is in it).
#
# Binaries: $IKEGATED / $IKEGATE if set, else from $IKG_BUILD (default $IKG_TOP/build), so
# IKG_BUILD=$PWD/build-asan runs a test against the sanitizer build. ikgd_stop and the cleanup
# hook fail the test when a daemon's log has an AddressSanitizer/UBSan/LeakSanitizer report.

IKG_BUILD=${IKG_BUILD:-$IKG_TOP/build}
case $IKG_BUILD in /*) ;; *) IKG_BUILD=$IKG_TOP/$IKG_BUILD ;; esac
IKEGATED=${IKEGATED:-$IKG_BUILD/src/daemon/ikegated}
IKEGATE=${IKEGATE:-$IKG_BUILD/src/cli/ikegate}
IKGD_PY=${IKGD_PY:-/usr/bin/python3}
# sanitizer builds: report, do not abort the daemon silently; leaks checked at exit
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
declare -gA IKGD_PID=() IKGD_NS=()
IKGD_SAN_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer'

# ikgd_require: skip the test when the daemon cannot run here.
ikgd_require() {
  [ -x "$IKEGATED" ] || skip "no $IKEGATED (build first: bash scripts/setup.sh)"
  [ -x "$IKEGATE" ] || skip "no $IKEGATE (build first)"
  [ -c /dev/net/tun ] || skip "no /dev/net/tun (the daemon's LAN side is a TUN device)"
  [ -x "$IKGD_PY" ] || IKGD_PY=$(command -v python3) || skip "no python3"
  on_cleanup ikgd_cleanup_check
  log "ikegated: $IKEGATED"
}

ikgd_dir() { printf '%s/ikgd-%s\n' "$IKG_TMP" "$1"; }
ikgd_sock() { printf '%s/ikgd-%s/run/ikegate.sock\n' "$IKG_TMP" "$1"; }
ikgd_log() { printf '%s/ikgd-%s/ikegated.log\n' "$IKG_TMP" "$1"; }
ikgd_conf_file() { printf '%s/ikgd-%s/%s.conf\n' "$IKG_TMP" "$1" "$1"; }

# _ikgd_val VALUE: VALUE as libconfig text: integers and true/false bare, [a,b] a list of
# strings, anything else a quoted string.
_ikgd_val() {
  local x=$1
  if [[ $x =~ ^-?[0-9]+$ || $x == true || $x == false ]]; then
    printf '%s' "$x"
  elif [[ $x == \[*\] ]]; then
    local inner=${x#[} out='' m
    inner=${inner%]}
    local IFS=,
    for m in $inner; do out+="${out:+, }\"$m\""; done
    printf '[ %s ]' "$out"
  else
    printf '"%s"' "$x"
  fi
}

# ikgd_config NAME WAN PEER LOCAL-MEMBERS REMOTE-MEMBERS [section.key=value ...]
# Writes the configuration of gateway NAME: one IKE profile "office" and one IPsec profile
# "tunnel" (remote-endpoint PEER, members as given; several members comma-separated).
# Defaults: main mode aes128/sha256/group 14, ESP aes128gcm16, PFS 14.
# Overrides: ike.KEY=VALUE and ipsec.KEY=VALUE set (or add) a key; VALUE "-" removes it
# (ipsec.ike-profile=- gives a profile without an IKE profile). Strings are quoted for you;
# numbers and true/false are written as they are. gateway.KEY=VALUE for the gateway section;
# profile=NAME renames the IPsec profile.
ikgd_config() {
  local name=$1 wan=$2 peer=$3 local_m=$4 remote_m=$5; shift 5
  local d; d=$(ikgd_dir "$name")
  mkdir -p "$d"
  local prof=tunnel
  local -a gk=(wan-address control state-dir tun) ik=() pk=()
  local -A gv=([wan-address]=$wan [control]=$d/run/ikegate.sock [state-dir]=$d/state [tun]=ikg0)
  local -A iv=() pv=()
  ik=(mode encryption hash dh-group lifetime secret negotiation)
  iv=([mode]=main [encryption]=aes128 [hash]=sha256 [dh-group]=14 [lifetime]=28800
      [negotiation]=both)
  # both gateways of a pair must share the secret: derive it from the sorted address pair
  if [[ $wan < $peer ]]; then iv[secret]="ikegate test secret $wan $peer"; else iv[secret]="ikegate test secret $peer $wan"; fi
  pk=(remote-endpoint local-members remote-members ike-profile protocol encryption pfs-group lifetime enabled)
  pv=([remote-endpoint]=$peer [local-members]="[$local_m]" [remote-members]="[$remote_m]"
      [ike-profile]=office [protocol]=esp [encryption]=aes128gcm16 [pfs-group]=14
      [lifetime]=3600 [enabled]=true)
  local kv k v sect
  for kv in "$@"; do
    k=${kv%%=*} v=${kv#*=}
    if [ "$k" = profile ]; then prof=$v; continue; fi
    sect=${k%%.*} k=${k#*.}
    case $sect in
      gateway) [ -n "${gv[$k]+x}" ] || gk+=("$k"); gv[$k]=$v ;;
      ike)     [ -n "${iv[$k]+x}" ] || ik+=("$k"); iv[$k]=$v ;;
      ipsec)   [ -n "${pv[$k]+x}" ] || pk+=("$k"); pv[$k]=$v ;;
      *) fail "ikgd_config: bad override '$kv' (gateway.K=V, ike.K=V, ipsec.K=V or profile=N)" ;;
    esac
  done
  {
    echo "# generated by tests/lib/ikegated.sh: gateway $name"
    echo "gateway = {"
    for k in "${gk[@]}"; do [ "${gv[$k]}" = - ] || echo "  $k = $(_ikgd_val "${gv[$k]}");"; done
    echo "};"
    echo "ike-profiles = {"
    echo "  office = {"
    for k in "${ik[@]}"; do [ "${iv[$k]}" = - ] || echo "    $k = $(_ikgd_val "${iv[$k]}");"; done
    echo "  };"
    echo "};"
    echo "ipsec-profiles = {"
    echo "  $prof = {"
    for k in "${pk[@]}"; do [ "${pv[$k]}" = - ] || echo "    $k = $(_ikgd_val "${pv[$k]}");"; done
    echo "  };"
    echo "};"
  } >"$(ikgd_conf_file "$name")"
  "$IKEGATED" -c "$(ikgd_conf_file "$name")" --check >"$d/check.out" 2>&1 \
    || { cat "$(ikgd_conf_file "$name")" "$d/check.out" >&2; fail "ikgd_config $name: ikegated --check refuses the generated configuration"; }
}

# ikg NAME COMMAND...: the ikegate CLI against gateway NAME's control socket. NAME may also be
# the namespace the gateway runs in (ikg "$NS_GWA" show vpn --json).
ikg() {
  local name=$1 n; shift
  if [ ! -d "$(ikgd_dir "$name")" ]; then
    for n in "${!IKGD_NS[@]}"; do [ "${IKGD_NS[$n]}" = "$name" ] && name=$n; done
  fi
  "$IKEGATE" -s "$(ikgd_sock "$name")" "$@"
}

# ikgd_start NS NAME: start ikegated -f with NAME's configuration in namespace NS (a fresh
# state directory: no history, counters from zero); returns when `show vpn` answers. The PID
# is ${IKGD_PID[NAME]}; cleanup stops it.
ikgd_start() {
  local ns=$1 name=$2 d
  d=$(ikgd_dir "$name")
  [ -f "$(ikgd_conf_file "$name")" ] || fail "ikgd_start $name: no configuration (ikgd_config first)"
  [ -z "${IKGD_PID[$name]:-}" ] || fail "ikgd_start $name: already running (pid ${IKGD_PID[$name]})"
  rm -rf "$d/state"
  # keep the log of an earlier run of the same gateway
  [ -f "$d/ikegated.log" ] && cat "$d/ikegated.log" >>"$d/ikegated.old.log"
  ns_bg "$ns" "$d/ikegated.log" "$IKEGATED" -c "$(ikgd_conf_file "$name")" -f
  # shellcheck disable=SC2034  # IKGD_NS: NAME's namespace, for tests that restart a daemon
  IKGD_PID[$name]=$IKG_LAST_PID IKGD_NS[$name]=$ns
  local i
  for (( i = 0; i < 100; i++ )); do
    if ikg "$name" show vpn >/dev/null 2>&1; then return 0; fi
    kill -0 "${IKGD_PID[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  log "---- $d/ikegated.log ----"; cat "$d/ikegated.log" >&2
  fail "ikegated $name did not answer on $(ikgd_sock "$name")"
}

# ikgd_sanitizer_clean NAME: 1 (and the report on stderr) when NAME's log has a sanitizer report.
ikgd_sanitizer_clean() {
  local f; f=$(ikgd_log "$1")
  if grep -qE "$IKGD_SAN_RE" "$f" 2>/dev/null; then
    log "---- sanitizer report in $f ----"
    grep -E -A30 "$IKGD_SAN_RE" "$f" | head -n 60 >&2
    return 1
  fi
  return 0
}

# ikgd_stop NAME: SIGTERM, wait up to 10 s; fails the test when the daemon does not exit 0 or
# its log has a sanitizer report.
ikgd_stop() {
  local name=$1 pid rc=0 i
  pid=${IKGD_PID[$name]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for (( i = 0; i < 100; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    unset 'IKGD_PID[$name]'
    fail "ikegated $name did not exit within 10 s of SIGTERM"
  fi
  wait "$pid" 2>/dev/null || rc=$?
  unset 'IKGD_PID[$name]'
  ikgd_sanitizer_clean "$name" || fail "ikegated $name: sanitizer report (see above)"
  [ "$rc" -eq 0 ] || { tail -n 20 "$(ikgd_log "$name")" >&2; fail "ikegated $name exited $rc on SIGTERM"; }
  return 0
}

# ikgd_stop_all: ikgd_stop every running gateway.
ikgd_stop_all() { local n; for n in "${!IKGD_PID[@]}"; do ikgd_stop "$n"; done; }

# cleanup hook: stop what is still running; a sanitizer report turns a pass into a failure.
ikgd_cleanup_check() {
  local n pid i bad=0
  for n in "${!IKGD_PID[@]}"; do
    pid=${IKGD_PID[$n]}
    kill -TERM "$pid" 2>/dev/null
    for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  for n in "$IKG_TMP"/ikgd-*/ikegated.log; do
    [ -f "$n" ] || continue
    n=${n%/ikegated.log}; n=${n##*/ikgd-}
    ikgd_sanitizer_clean "$n" >&2 || bad=1
  done
  if [ "$bad" = 1 ]; then log "FAIL: sanitizer report in a daemon log"; exit 1; fi
}

# json_get EXPR: evaluate a Python expression over the JSON on stdin (bound to j); prints str
# values raw, others as JSON. Exit 1 when the expression fails.
json_get() {
  "$IKGD_PY" -c '
import json, sys
j = json.load(sys.stdin)
try:
    v = eval(sys.argv[1], {"j": j})
except Exception as e:
    sys.stderr.write("json_get %s: %r\n" % (sys.argv[1], e)); sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# json_vals EXPR...: like json_get, several expressions in one python run, values on one line
# separated by single spaces (so `read -r a b c <<<"$(... | json_vals E1 E2 E3)"` works).
json_vals() {
  "$IKGD_PY" -c '
import json, sys
j = json.load(sys.stdin)
out = []
for e in sys.argv[1:]:
    try:
        v = eval(e, {"j": j})
    except Exception as x:
        sys.stderr.write("json_vals %s: %r\n" % (e, x)); sys.exit(1)
    out.append(v if isinstance(v, str) else json.dumps(v))
print(" ".join(out))' "$@"
}

# ikgd_vpn NAME PROFILE FIELD...: fields of PROFILE's row in `show vpn --json` (tx_packets,
# rx_packets, rx_discards, tx_queued, tx_dropped, phase1, phase2, nat_t, ...), on one line.
ikgd_vpn() {
  local name=$1 prof=$2 f; shift 2
  local -a ex=()
  for f in "$@"; do ex+=("[p for p in j['profiles'] if p['name'] == '$prof'][0]['$f']"); done
  ikg "$name" show vpn --json | json_vals "${ex[@]}"
}

# ikgd_ipsec_sa NAME PROFILE FIELD...: fields of PROFILE's first IPsec SA in
# `show ipsec sa --json` (spi_in, spi_out, protocol, encryption, integrity, udp_encap, ...).
ikgd_ipsec_sa() {
  local name=$1 prof=$2 f; shift 2
  local -a ex=()
  for f in "$@"; do ex+=("[s for s in j['ipsec_sas'] if s['profile'] == '$prof'][0]['$f']"); done
  ikg "$name" show ipsec sa --json | json_vals "${ex[@]}"
}

# ikgd_ike_sa NAME PROFILE FIELD...: the same for `show ike sa --json` (icookie, rcookie,
# established, initiator, mode, nat_t, peer_port, ...).
ikgd_ike_sa() {
  local name=$1 prof=$2 f; shift 2
  local -a ex=()
  for f in "$@"; do ex+=("[s for s in j['ike_sas'] if s['profile'] == '$prof'][0]['$f']"); done
  ikg "$name" show ike sa --json | json_vals "${ex[@]}"
}

# ikgd_phase2_up NAME PROFILE: succeeds when PROFILE's phase 2 is up (for wait_for).
ikgd_phase2_up() { [ "$(ikgd_vpn "$1" "$2" phase2 2>/dev/null)" = up ]; }

# ikgd_log_has NAME FIXED-STRING: succeeds when `show log` of NAME contains the string.
ikgd_log_has() { ikg "$1" show log 2>/dev/null | grep -qF -- "$2"; }
