#!/usr/bin/env bash
# bench/handshake: full tunnel setups (main mode + quick mode with PFS, MODP-2048, PSK,
# aes128/sha256, ESP AES-128-GCM-16) per second over a veth link, ikegate against strongSwan
# in the same run, then 1,000 tunnels brought up at once against one ikegated.
#
#   gwA (initiators) 192.0.2.1 + 198.18.x.y/32 ===== veth ===== gwB (responder) 192.0.2.2
#
# ikegate: the responder is a real ikegated in gwB (one IPsec profile per remote gateway, one
# IKE profile); the initiators are build/bench/bench-handshake in gwA: one ikegate core per
# tunnel, each with its own WAN address 198.18.x.y and a real UDP socket on it (port 500), so
# every tunnel is a full main mode + quick mode with a new peer. Each setup is timed from the
# initiate call to "phase 2 complete" on the initiator.
# strongSwan: charon (5.9, kernel-libipsec) in gwA and gwB with the same proposals and the
# same addresses; `swanctl --initiate --child` per tunnel, one after the other, each timed by
# the shell (swanctl returns once the CHILD_SA is installed). The cost of one swanctl round trip
# (`swanctl --stats`) is printed too: it is part of strongSwan's figure.
# Then BURST tunnels initiated at once against the one ikegated: all must complete; the time
# is printed.
#
#   bash bench/handshake.sh              # SEQ=30 sequential setups each, BURST=1000
#   bash bench/handshake.sh --smoke      # SEQ=3, BURST=20 (tests/ns/bench_smoke_handshake.sh)
#   SEQ=50 BURST=2000 bash bench/handshake.sh
# Last line: `handshake ratio=R`, R = ikegate setups/s / strongSwan setups/s.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # read by tests/lib/netns.sh
IKG_TEST_NAME=bench-handshake
IKG_PREFIX=${IKG_PREFIX:-ikgph$$}
. "$here/../tests/lib/netns.sh"
. "$here/../tests/lib/ikegated.sh"
. "$here/../tests/lib/strongswan.sh"

SMOKE=0
for a in "$@"; do
  case $a in
    --smoke) SMOKE=1 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench/handshake.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
if [ "$SMOKE" = 1 ]; then SEQ=${SEQ:-3} BURST=${BURST:-20}; else SEQ=${SEQ:-30} BURST=${BURST:-1000}; fi
BENCH_HS=${BENCH_HS:-$IKG_BUILD/bench/bench-handshake}

ikg_test_init
ikgd_require
# ikegated locks its memory (privdrop); where it cannot raise RLIMIT_MEMLOCK itself, a default
# 8 MiB limit would cap the whole daemon: give it room (root may raise the hard limit)
ulimit -l unlimited 2>/dev/null || log "cannot raise RLIMIT_MEMLOCK (ulimit -l is $(ulimit -l))"
[ -x "$BENCH_HS" ] || skip "no $BENCH_HS (build first)"
PSK="bench handshake secret"

ns_add gwA NS_GWA; ns_add gwB NS_GWB
ns_link "$NS_GWA" wan0 192.0.2.1/24 "$NS_GWB" wan0 192.0.2.2/24
ip -n "$NS_GWB" route add 198.18.0.0/15 via 192.0.2.1

wan_of() { local k=$1; printf '198.18.%d.%d' $(( k / 250 + 1 )) $(( k % 250 + 1 )); }
member_of() { local k=$1; printf '10.100.%d.%d' $(( (k >> 8) & 255 )) $(( k & 255 )); }

# every initiator address on gwA's WAN link (one batch)
TOTAL=$(( 2 * SEQ + BURST ))
for (( k = 0; k < TOTAL; k++ )); do echo "address add $(wan_of $k)/32 dev wan0"; done >"$IKG_TMP/addrs.batch"
ip -n "$NS_GWA" -batch "$IKG_TMP/addrs.batch"

# ---- ikegate -------------------------------------------------------------------------------
# responder: tunnels 0 .. SEQ-1 (sequential) and SEQ .. SEQ+BURST-1 (burst)
responder_config() {
  local d; d=$(ikgd_dir b); mkdir -p "$d"
  {
    echo "gateway = { wan-address = \"192.0.2.2\"; control = \"$d/run/ikegate.sock\";"
    echo "  state-dir = \"$d/state\"; tun = \"ikg0\"; };"
    echo "ike-profiles = { hub = { mode = \"main\"; encryption = \"aes128\"; hash = \"sha256\";"
    echo "  dh-group = 14; lifetime = 28800; secret = \"$PSK\"; dpd = 0; negotiation = \"respond-only\"; }; };"
    echo "ipsec-profiles = {"
    local k
    for (( k = 0; k < SEQ + BURST; k++ )); do
      echo "  t$k = { remote-endpoint = \"$(wan_of $k)\"; local-members = [\"10.2.2.0/24\"];"
      echo "    remote-members = [\"$(member_of $k)/32\"]; ike-profile = \"hub\"; protocol = \"esp\";"
      echo "    encryption = \"aes128gcm16\"; pfs-group = 14; lifetime = 3600; };"
    done
    echo "};"
  } >"$(ikgd_conf_file b)"
}
responder_config
ikgd_start "$NS_GWB" b
log "ikegated responder up with $(( SEQ + BURST )) profiles; $SEQ sequential setups, then $BURST at once"
ns_exec "$NS_GWA" "$BENCH_HS" --peer 192.0.2.2 --first 0 --seq "$SEQ" --burst "$BURST" \
  >"$IKG_TMP/ikegate.out" 2>&1 || { cat "$IKG_TMP/ikegate.out" >&2; tail -n 20 "$(ikgd_log b)" >&2; fail "ikegate handshakes failed"; }
cat "$IKG_TMP/ikegate.out"
OURS=$(sed -n 's/^ikegate sequential_per_s=//p' "$IKG_TMP/ikegate.out")
BURST_LINE=$(grep '^ikegate burst:' "$IKG_TMP/ikegate.out" || true)
up=$(ikg b show vpn --json | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["profiles"] if p.get("phase2") == "up"))')
log "responder ikegated reports $up tunnels with phase 2 up"
[ "$up" -eq $(( SEQ + BURST )) ] || fail "the responder has $up tunnels up, expected $(( SEQ + BURST ))"
ikgd_stop b

# ---- strongSwan ----------------------------------------------------------------------------
if ! command -v swanctl >/dev/null || [ ! -x "$SW_CHARON" ]; then
  log "strongSwan not installed: no baseline"; exit 77
fi
BASE=$(( SEQ + BURST ))   # fresh addresses: nothing left from the ikegate run
# kernel-libipsec installs a route per child with a source address inside the local traffic
# selector (as ikegated routes each remote member into its TUN device): give it those addresses
for (( i = 0; i < SEQ; i++ )); do echo "address add $(member_of $(( BASE + i )))/32 dev lo"; done >"$IKG_TMP/members.batch"
ip -n "$NS_GWA" -batch "$IKG_TMP/members.batch"
ip -n "$NS_GWB" address add 10.2.2.1/24 dev lo
sw_start "$NS_GWA" left
sw_start "$NS_GWB" right
for (( i = 0; i < SEQ; i++ )); do
  k=$(( BASE + i ))
  sw_conn left "c$k" local="$(wan_of $k)" remote=192.0.2.2 lts="$(member_of $k)/32" rts=10.2.2.0/24 \
    ike=aes128-sha256-modp2048 esp=aes128gcm16 pfs=modp2048 psk="$PSK"
  sw_conn right "c$k" local=192.0.2.2 remote="$(wan_of $k)" lts=10.2.2.0/24 rts="$(member_of $k)/32" \
    ike=aes128-sha256-modp2048 esp=aes128gcm16 pfs=modp2048 psk="$PSK"
done
sw_load left; sw_load right
ovh=()
for i in 1 2 3 4 5; do
  t0=$(date +%s%N); sw_swanctl left --stats >/dev/null; ovh+=($(( ($(date +%s%N) - t0) / 1000 )))
done
OVH_US=$(printf '%s\n' "${ovh[@]}" | sort -n | sed -n 3p)
total_us=0 lats=()
for (( i = 0; i < SEQ; i++ )); do
  k=$(( BASE + i ))
  t0=$(date +%s%N)
  sw_initiate left "c$k" 30 >"$IKG_TMP/sw-init.out" 2>&1 || { cat "$IKG_TMP/sw-init.out" >&2; fail "strongSwan initiate c$k"; }
  dt=$(( ($(date +%s%N) - t0) / 1000 ))
  total_us=$(( total_us + dt )); lats+=("$dt")
done
n_inst=$(sw_list_sas left | grep -cE "INSTALLED" || true)
[ "$n_inst" -ge "$SEQ" ] || fail "strongSwan: only $n_inst children installed"
med_ms=$(printf '%s\n' "${lats[@]}" | sort -n | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR+1)/2)]/1000}')
SW=$(python3 -c "print('%.2f' % ($SEQ / ($total_us / 1e6)))")
echo "strongswan sequential: $SEQ of $SEQ tunnels up, $(python3 -c "print('%.3f' % ($total_us / 1e6))") s in total, median setup $med_ms ms (swanctl --initiate; one swanctl round trip: $(python3 -c "print('%.1f' % ($OVH_US / 1e3))") ms)"
echo "strongswan sequential_per_s=$SW"
# what strongSwan would reach if each setup did not also pay one swanctl process + VICI round
# trip (an upper bound for it; ikegate's figure has no control-channel cost either)
SW_NET=$(python3 -c "t = $total_us - $SEQ * $OVH_US; print('%.2f' % ($SEQ / (t / 1e6)) if t > 0 else '0')")
echo "strongswan sequential_per_s_without_swanctl=$SW_NET"
sw_stop left; sw_stop right

echo
echo "handshake sequential setups/s: ikegate $OURS, strongSwan $SW -> ratio $(python3 -c "print('%.2f' % ($OURS / $SW))") (target 5)"
[ "$SW_NET" != 0 ] && echo "handshake against strongSwan less its swanctl round trips ($SW_NET/s): ratio $(python3 -c "print('%.2f' % ($OURS / $SW_NET))")"
[ -n "$BURST_LINE" ] && echo "handshake $BURST_LINE"
echo "handshake ratio=$(python3 -c "print('%.2f' % ($OURS / $SW))")"
