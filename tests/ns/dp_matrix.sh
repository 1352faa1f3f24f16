#!/usr/bin/env bash
# The userspace data plane with two real ikegated, one case per transform (issue 3, acceptance
# 1, 2 and 4):
#
#   hostA 10.1.1.10 -- [gwA 192.0.2.1] ==== WAN ==== [192.0.2.2 gwB] -- hostB 10.2.2.10
#
#   gcm128   ESP aes128gcm16                      raw ESP (ip proto 50)
#   cbc      ESP aes128 + hmac-sha1               raw ESP
#   3des     ESP 3des + hmac-sha1                 raw ESP
#   gcm256u  ESP aes256gcm16, encapsulation "udp" ESP-in-UDP on port 4500 (forced, no NAT)
#   ah       AH hmac-sha256                       ip proto 51
#
# For each case, with both daemons started fresh (counters from zero, no tunnel):
#  1. hostA pings hostB 5 times. Nobody runs `ikegate initiate`: the first ping brings the
#     tunnel up, and is queued and sent once the tunnel is up (design.md §2). So: 5 replies, and
#     both Quick Views (`show vpn --json`) say exactly tx_packets 5, rx_packets 5, no discards.
#  2. The WAN capture (gwA's wan0, during the pings) has exactly 5 packets each way with the
#     SPIs of `show ipsec sa --json`, on the expected wire (proto 50 / UDP 4500 / proto 51), no
#     other IPsec wire, and no LAN address in clear (ESP); for AH, tshark decodes the 5 echo
#     requests inside the AH packets (AH authenticates, does not encrypt).
#  3. TCP: iperf3 hostA -> hostB for 3 s (> 0 bytes, no error; the throughput is logged), and
#     a 5 MB random file fetched over HTTP from hostB arrives with the same sha256.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"

ikg_test_init
ikgd_require
require_cmd iperf3 tshark dumpcap sha256sum

topo_two_gateways
ns_ping "$NS_HOSTA" "$HOSTB_IP" && fail "hostB reachable with no tunnel: the topology leaks"

# ---- servers in hostB, up for all cases ----
www=$IKG_TMP/www
mkdir -p "$www"
head -c $(( 5 * 1024 * 1024 )) /dev/urandom >"$www/blob"
want_sum=$(sha256sum <"$www/blob" | cut -d' ' -f1)
ns_bg "$NS_HOSTB" "$IKG_TMP/http.log" "$IKGD_PY" -m http.server 8080 --bind "$HOSTB_IP" --directory "$www"
ns_bg "$NS_HOSTB" "$IKG_TMP/iperf3-server.log" iperf3 -s -B "$HOSTB_IP"
listening() { ip netns exec "$NS_HOSTB" ss -ltnH "sport = :$1" | grep -q LISTEN; }
wait_for 10 listening 8080 || fail "http server in hostB did not start"
wait_for 10 listening 5201 || fail "iperf3 server in hostB did not start"

# count FILE FILTER: packets of FILE matching the display filter
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }

# expect_count FILE FILTER N WHAT
expect_count() {
  local n
  n=$(count "$1" "$2")
  if [ "$n" -ne "$3" ]; then
    log "---- capture $1 ----"; tshark -r "$1" 2>/dev/null | tail -n 40 >&2
    fail "$4: $n packets match '$2', expected $3"
  fi
}

# check_counters NAME: tx 5, rx 5, no discards, in NAME's Quick View
check_counters() {
  local name=$1 case=$2 vpn tx rx disc
  vpn=$(ikg "$name" show vpn --json)
  tx=$(json_get "j['profiles'][0]['tx_packets']" <<<"$vpn")
  rx=$(json_get "j['profiles'][0]['rx_packets']" <<<"$vpn")
  disc=$(json_get "j['profiles'][0]['rx_discards']" <<<"$vpn")
  log "$case: gw$name Quick View: tx_packets $tx rx_packets $rx rx_discards $disc tx_queued $(json_get "j['profiles'][0]['tx_queued']" <<<"$vpn") tx_dropped $(json_get "j['profiles'][0]['tx_dropped']" <<<"$vpn")"
  if [ "$tx" != 5 ] || [ "$rx" != 5 ] || [ "$disc" != 0 ]; then
    ikg "$name" show vpn --discards >&2 || true
    fail "$case: gw$name Quick View tx_packets $tx rx_packets $rx rx_discards $disc, expected 5 5 0"
  fi
}

# sa_field NAME FIELD
sa_field() { ikgd_ipsec_sa "$1" tunnel "$2"; }

iperf_summary() {  # JSON on stdin -> "BYTES MBITS ERROR"
  "$IKGD_PY" -c '
import json, sys
try:
    j = json.load(sys.stdin)
except Exception as e:
    print("0 0 unparsable-json"); sys.exit(0)
err = j.get("error", "")
r = j.get("end", {}).get("sum_received", {})
print("%d %.1f %s" % (r.get("bytes", 0), r.get("bits_per_second", 0) / 1e6, (err or "-").replace(" ", "_")))'
}

fetch() {  # fetch URL OUT: HTTP GET with python (no curl needed)
  ns_exec "$NS_HOSTA" timeout 30 "$IKGD_PY" -c '
import sys, urllib.request
urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$1" "$2"
}

declare -a RESULTS=()

# run_case NAME WIRE(esp|udp|ah) PROTOCOL ENCRYPTION INTEGRITY OVERRIDES...
run_case() {
  local case=$1 wire=$2 want_proto=$3 want_enc=$4 want_integ=$5; shift 5
  local t0=$SECONDS
  log "==== case $case: $* ===="
  ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" "$@"
  ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" "$@"
  local cap=$IKG_TMP/$case.pcapng cap_pid
  ns_capture "$NS_GWA" wan0 "$cap"
  cap_pid=$IKG_LAST_PID
  ikgd_start "$NS_GWA" a
  ikgd_start "$NS_GWB" b
  [ "$(ikgd_vpn a tunnel phase2)" != up ] || fail "$case: phase 2 up before any traffic"

  # 1. five pings, the first one brings the tunnel up
  local out rc=0
  out=$(ns_exec "$NS_HOSTA" ping -n -c 5 -i 0.2 -W 3 "$HOSTB_IP" 2>&1) || rc=$?
  printf '%s\n' "$out" | sed "s/^/  $case ping: /" >&2
  if ! grep -q 'icmp_seq=1 ' <<<"$out"; then
    log "$case: the FIRST ping (the one that triggered the tunnel) got no reply: the queued packet was not sent once the tunnel came up"
  fi
  [ "$rc" -eq 0 ] && grep -q ' 5 received' <<<"$out" || fail "$case: 5 pings did not get 5 replies (design: the triggering packet is queued and sent when the tunnel is up)"
  ikgd_phase2_up a tunnel || fail "$case: gwA phase 2 not up after the pings"
  ikgd_phase2_up b tunnel || fail "$case: gwB phase 2 not up after the pings"
  # the replies were seen by ping, so every counter has been bumped already
  check_counters a "$case"
  check_counters b "$case"

  # the SAs as the daemons show them
  local spi_a spi_b
  spi_a=$(sa_field a spi_out); spi_b=$(sa_field b spi_out)
  [ "$(sa_field b spi_in)" = "$spi_a" ] || fail "$case: gwB spi_in $(sa_field b spi_in) != gwA spi_out $spi_a"
  [ "$(sa_field a spi_in)" = "$spi_b" ] || fail "$case: gwA spi_in $(sa_field a spi_in) != gwB spi_out $spi_b"
  local n f want
  for n in a b; do
    for f in protocol encryption integrity udp_encap; do
      case $f in protocol) want=$want_proto ;; encryption) want=$want_enc ;; integrity) want=$want_integ ;;
                 udp_encap) if [ "$wire" = udp ]; then want=true; else want=false; fi ;; esac
      [ "$(sa_field $n $f)" = "$want" ] || fail "$case: gw$n show ipsec sa: $f $(sa_field $n $f), expected $want"
    done
  done
  log "$case: SPIs gwA->gwB 0x$spi_a, gwB->gwA 0x$spi_b"

  # 2. the wire
  kill_pid "$cap_pid"
  local from_a="ip.src==$GWA_WAN && ip.dst==$GWB_WAN" from_b="ip.src==$GWB_WAN && ip.dst==$GWA_WAN"
  case $wire in
    esp)
      expect_count "$cap" "$from_a && ip.proto==50 && esp.spi==0x$spi_a" 5 "$case: raw ESP gwA->gwB"
      expect_count "$cap" "$from_b && ip.proto==50 && esp.spi==0x$spi_b" 5 "$case: raw ESP gwB->gwA"
      expect_count "$cap" "ip.proto==50 || ip.proto==51 || udp.port==4500" 10 "$case: IPsec packets on the WAN"
      expect_count "$cap" "ip.addr==10.0.0.0/8" 0 "$case: LAN addresses in clear on the WAN"
      ;;
    udp)
      expect_count "$cap" "$from_a && udp.dstport==4500 && esp.spi==0x$spi_a" 5 "$case: ESP-in-UDP 4500 gwA->gwB"
      expect_count "$cap" "$from_b && udp.srcport==4500 && esp.spi==0x$spi_b" 5 "$case: ESP-in-UDP 4500 gwB->gwA"
      expect_count "$cap" "ip.proto==50 || ip.proto==51" 0 "$case: raw ESP/AH with forced UDP encapsulation"
      expect_count "$cap" "ip.addr==10.0.0.0/8" 0 "$case: LAN addresses in clear on the WAN"
      log "$case: IKE on the wire: $(tshark -r "$cap" -Y isakmp -T fields -e udp.srcport -e udp.dstport 2>/dev/null | sort | uniq -c | tr -s ' \t\n' ' ')(count sport dport)"
      ;;
    ah)
      expect_count "$cap" "$from_a && ip.proto==51 && ah.spi==0x$spi_a" 5 "$case: AH gwA->gwB"
      expect_count "$cap" "$from_b && ip.proto==51 && ah.spi==0x$spi_b" 5 "$case: AH gwB->gwA"
      expect_count "$cap" "ip.proto==50 || udp.port==4500" 0 "$case: ESP with protocol ah"
      # AH does not encrypt: tshark sees the tunnelled echo requests and replies
      expect_count "$cap" "ah && ip.src==$HOSTA_IP && ip.dst==$HOSTB_IP && icmp.type==8" 5 "$case: echo requests inside AH"
      expect_count "$cap" "ah && ip.src==$HOSTB_IP && ip.dst==$HOSTA_IP && icmp.type==0" 5 "$case: echo replies inside AH"
      ;;
  esac
  local bad
  bad=$(tshark -r "$cap" -Y "_ws.malformed || _ws.expert.severity >= \"Warning\"" 2>/dev/null || true)
  [ -z "$bad" ] || { printf '%s\n' "$bad" >&2; fail "$case: tshark flags packets as malformed or with expert warnings"; }

  # 3. TCP through the tunnel
  local js sum bytes mbits err
  js=$(ns_exec "$NS_HOSTA" iperf3 -c "$HOSTB_IP" -t 3 -J 2>&1) || true
  read -r bytes mbits err <<<"$(iperf_summary <<<"$js")"
  [ "$err" = - ] || { printf '%s\n' "$js" | tail -n 20 >&2; fail "$case: iperf3 error: $err"; }
  [ "$bytes" -gt 0 ] || fail "$case: iperf3 received 0 bytes"
  log "$case: iperf3 TCP hostA->hostB 3 s: $mbits Mbit/s ($bytes bytes)"
  local t1=$(date +%s%N)
  fetch "http://$HOSTB_IP:8080/blob" "$IKG_TMP/$case.got" || fail "$case: HTTP fetch of the 5 MB file failed"
  local ms=$(( ($(date +%s%N) - t1) / 1000000 ))
  sum=$(sha256sum <"$IKG_TMP/$case.got" | cut -d' ' -f1)
  [ "$sum" = "$want_sum" ] || fail "$case: 5 MB file arrived with sha256 $sum, sent $want_sum"
  rm -f "$IKG_TMP/$case.got"
  log "$case: 5 MB file over HTTP in $ms ms, sha256 matches"
  for n in a b; do
    disc=$(ikgd_vpn $n tunnel rx_discards)
    [ "$disc" = 0 ] || { ikg $n show vpn --discards >&2; fail "$case: gw$n counted $disc Rx discards during the TCP transfers"; }
  done
  log "$case: after TCP: gwA tx/rx $(ikgd_vpn a tunnel tx_packets)/$(ikgd_vpn a tunnel rx_packets), gwB tx/rx $(ikgd_vpn b tunnel tx_packets)/$(ikgd_vpn b tunnel rx_packets)"

  ikgd_stop a
  ikgd_stop b
  rm -f "$cap"
  RESULTS+=("$(printf '%-8s %-34s %8s Mbit/s  (%ss)' "$case" "$*" "$mbits" $(( SECONDS - t0 )))")
}

run_case gcm128  esp esp aes128gcm16 none   ipsec.encryption=aes128gcm16
run_case cbc     esp esp aes128      sha1   ipsec.encryption=aes128 ipsec.integrity=sha1
run_case 3des    esp esp 3des        sha1   ipsec.encryption=3des ipsec.integrity=sha1
run_case gcm256u udp esp aes256gcm16 none   ipsec.encryption=aes256gcm16 ipsec.encapsulation=udp
run_case ah      ah  ah  none        sha256 ipsec.protocol=ah ipsec.encryption=- ipsec.integrity=sha256

log "iperf3 throughput through ikegated (userspace data plane, $(basename "$IKG_BUILD")):"
for r in "${RESULTS[@]}"; do log "  $r"; done
log "PASS"
