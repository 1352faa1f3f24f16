#!/usr/bin/env bash
# Packet level against strongSwan 5.9.8 (issue 3, acceptance 1 for strongSwan): a LAN host behind
# each gateway; ikegated (gwA) <-> charon with kernel-libipsec (gwB, userspace ESP in UDP 4500).
# For ESP AES128-GCM-16, AES128-CBC+HMAC-SHA1 and 3DES-CBC+HMAC-SHA1: pings both ways, a
# 3-second iperf3 TCP run and a sha256-verified 2 MiB TCP file copy across the tunnel;
# `ikegate show vpn --json` counters grow by exactly the pings (and agree with strongSwan's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/strongswan.sh"
. "$here/../lib/interop.sh"

ikg_test_init
ix_init
require_cmd iperf3
topo_two_gateways
PSK="interop dataplane psk 0123456789"
sw_start "$NS_GWB" sw
ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK"
ix_start "$NS_GWA" ikg

# sw_child_packets NAME CHILD: "IN_PACKETS OUT_PACKETS" of the child (swanctl --list-sas).
sw_child_packets() {
  sw_list_sas "$1" 2>/dev/null | awk -v c="$2" '
    $1 == c":" && /INSTALLED/ { inchild = 1; next }
    inchild && $1 == "in"  { for (i = 1; i <= NF; i++) if ($(i) ~ /^packets/) ip = $(i-1) }
    inchild && $1 == "out" { for (i = 1; i <= NF; i++) if ($(i) ~ /^packets/) op = $(i-1); print ip, op; exit }'
}

# TCP file copy hostA -> hostB, verified by sha256 on both ends.
file_copy() {
  local f=$IKG_TMP/payload.bin port=5599
  head -c 2097152 /dev/urandom >"$f"
  local want; want=$(sha256sum "$f" | cut -d' ' -f1)
  ns_bg "$NS_HOSTB" "$IKG_TMP/recv.out" /usr/bin/python3 -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest())' "$port"
  local rpid=$IKG_LAST_PID
  wait_for 5 sh -c "ip netns exec '$NS_HOSTB' ss -ltn | grep -q ':$port '" || fail "receiver not listening"
  ns_exec "$NS_HOSTA" /usr/bin/python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
with open(sys.argv[3], "rb") as f: c.sendall(f.read())
c.close()' "$HOSTB_IP" "$port" "$f" || fail "file copy: sender failed"
  wait "$rpid" 2>/dev/null || true
  local got; got=$(cat "$IKG_TMP/recv.out")
  [ "$got" = "2097152 $want" ] || fail "file copy: received '$got', sent '2097152 $want'"
  log "file copy: 2 MiB, sha256 $want verified"
}

iperf_run() {
  ns_bg "$NS_HOSTB" "$IKG_TMP/iperf-s.out" iperf3 -s -1 -p 5201
  local spid=$IKG_LAST_PID
  wait_for 5 sh -c "ip netns exec '$NS_HOSTB' ss -ltn | grep -q ':5201 '" || fail "iperf3 server not listening"
  local out
  out=$(ns_exec "$NS_HOSTA" iperf3 -c "$HOSTB_IP" -p 5201 -t 3 -f m 2>&1) || { printf '%s\n' "$out" >&2; fail "iperf3 failed"; }
  wait "$spid" 2>/dev/null || true
  local rx; rx=$(awk '/receiver/ { print $(NF-2), $(NF-1) }' <<<"$out")
  [ -n "$rx" ] || { printf '%s\n' "$out" >&2; fail "iperf3: no receiver line"; }
  log "iperf3 TCP 3 s: $rx (receiver)"
}

# run_case LABEL INITIATOR IKG_ESP_ENC IKG_ESP_INTEG SW_ESP
run_case() {
  local label=$1 who=$2 enc=$3 integ=$4 swesp=$5 t0=$SECONDS
  log "== $label: ESP $swesp, $who initiates"
  ix_conf ikg wan="$GWA_WAN" remote="$GWB_WAN" lts="$LAN_A" rts="$LAN_B" psk="$PSK" \
          enc=aes128 hash=sha256 dh=14 esp_enc="$enc" esp_integ="$integ" pfs=14
  ix_restart "$NS_GWA" ikg
  sw_unconn sw sg 2>/dev/null || true
  sw_conn sw sg local="$GWB_WAN" remote="$GWA_WAN" lts="$LAN_B" rts="$LAN_A" psk="$PSK" \
          ike=aes128-sha256-modp2048 esp="$swesp" pfs=modp2048
  sw_load sw
  if [ "$who" = ikg ]; then ix_cli ikg initiate vpn >/dev/null; else sw_initiate sw sg 15 >/dev/null; fi
  ix_wait_up ikg vpn 15
  wait_for 10 sw_child_installed sw sg || fail "$label: strongSwan child not installed"
  ix_assert_spis_match_sw ikg vpn sw sg
  assert_contains "$(sw_list_sas sw)" "TUNNEL-in-UDP" "swanctl --list-sas"
  [ "$(ix_json ikg "[s for s in d['ipsec_sas'] if s['profile']=='vpn'][0]['udp_encap']" show ipsec sa)" = True ] \
    || fail "$label: ikegate's SA is not UDP-encapsulated"

  # pings: counters grow by exactly the pings (nothing else crosses the tunnel meanwhile)
  local before after n=5
  before=$(ix_counters ikg vpn); read -r tx0 rx0 <<<"$before"
  local p
  p=$(ns_exec "$NS_HOSTA" ping -n -c $n -i 0.2 -W 2 "$HOSTB_IP" 2>&1) || { printf '%s\n' "$p" >&2; ix_dump ikg; fail "$label: ping A->B lost packets"; }
  assert_contains "$p" "$n received, 0% packet loss" "ping A->B"
  p=$(ns_exec "$NS_HOSTB" ping -n -c $n -i 0.2 -W 2 "$HOSTA_IP" 2>&1) || { printf '%s\n' "$p" >&2; ix_dump ikg; fail "$label: ping B->A lost packets"; }
  assert_contains "$p" "$n received, 0% packet loss" "ping B->A"
  after=$(ix_counters ikg vpn); read -r tx1 rx1 <<<"$after"
  [ $((tx1 - tx0)) -eq $((2 * n)) ] && [ $((rx1 - rx0)) -eq $((2 * n)) ] \
    || fail "$label: ikegate counters tx $tx0->$tx1 rx $rx0->$rx1, expected +$((2 * n)) each"
  local swp; swp=$(sw_child_packets sw sg); read -r swin swout <<<"$swp"
  [ "$swin" = "$tx1" ] && [ "$swout" = "$rx1" ] \
    || fail "$label: strongSwan in/out packets $swin/$swout, ikegate tx/rx $tx1/$rx1"
  log "$label: counters ikegate tx $tx1 rx $rx1 = strongSwan in $swin out $swout ($((2 * n)) pings)"

  iperf_run
  file_copy
  local disc; disc=$(ix_profile_field ikg vpn rx_discards)
  [ "$disc" = 0 ] || { ix_cli ikg show vpn --discards >&2; fail "$label: $disc Rx discards"; }
  log "$label: ikegate $(ix_counters ikg vpn | awk '{print "tx " $1 " rx " $2}') packets, 0 discards"
  sw_terminate sw sg >/dev/null 2>&1 || true
  log "== $label: PASS ($((SECONDS - t0)) s)"
}

run_case aes-gcm   ikg aes128gcm16 sha1 aes128gcm16
run_case aes-cbc   sw  aes128      sha1 aes128-sha1
run_case 3des-cbc  ikg 3des        sha1 3des-sha1
ix_finish
log "PASS"
