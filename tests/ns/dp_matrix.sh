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

# wire_table PCAP: one line per packet, tab-separated (one tshark run; lists are comma-separated,
# outer header first):
#   1 frame  2 ip.src  3 ip.dst  4 ip.proto  5 udp.srcport  6 udp.dstport  7 esp.spi  8 ah.spi
#   9 icmp.type  10 _ws.malformed  11 _ws.expert.severity
wire_table() {
  tshark -r "$1" -T fields -E occurrence=a -E separator=/t -e frame.number -e ip.src -e ip.dst \
    -e ip.proto -e udp.srcport -e udp.dstport -e esp.spi -e ah.spi -e icmp.type \
    -e _ws.malformed -e _ws.expert.severity 2>/dev/null
}

# rows TABLE AWK-CONDITION: number of packets of TABLE the condition holds for. The outer header
# of a packet: o(2) o(3) o(4) (first element of the list).
rows() {
  awk -F'\t' 'function o(i) { split($i, v, ","); return v[1] }
              { if ('"$2"') n++ } END { print n + 0 }' "$1"
}

# expect_rows TABLE AWK-CONDITION N WHAT
expect_rows() {
  local n
  n=$(rows "$1" "$2")
  if [ "$n" -ne "$3" ]; then
    log "---- wire table $1 (frame src dst proto sport dport esp-spi ah-spi icmp malformed expert) ----"
    tail -n 30 "$1" >&2
    fail "$4: $n packets, expected $3"
  fi
}

# check_counters NAME CASE: tx 5, rx 5, no discards, in NAME's Quick View
check_counters() {
  local name=$1 case=$2 tx rx disc queued dropped
  read -r tx rx disc queued dropped <<<"$(ikgd_vpn "$name" tunnel tx_packets rx_packets rx_discards tx_queued tx_dropped)"
  log "$case: gw$name Quick View: tx_packets $tx rx_packets $rx rx_discards $disc (tx_queued $queued tx_dropped $dropped)"
  if [ "$tx" != 5 ] || [ "$rx" != 5 ] || [ "$disc" != 0 ]; then
    ikg "$name" show vpn --discards >&2 || true
    fail "$case: gw$name Quick View tx_packets $tx rx_packets $rx rx_discards $disc, expected 5 5 0"
  fi
}

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

declare -a RESULTS=() KNOWN_BUGS=()

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
  if [ "$rc" -ne 0 ] || ! grep -q ' 5 received' <<<"$out"; then
    fail "$case: 5 pings did not get 5 replies (design: the triggering packet is queued and sent when the tunnel is up)"
  fi
  ikgd_phase2_up a tunnel || fail "$case: gwA phase 2 not up after the pings"
  ikgd_phase2_up b tunnel || fail "$case: gwB phase 2 not up after the pings"
  # the replies were seen by ping, so every counter has been bumped already
  check_counters a "$case"
  check_counters b "$case"

  # the SAs as the daemons show them
  local sa_a sa_b spi_a spi_b in_a in_b want_encap=false
  [ "$wire" = udp ] && want_encap=true
  sa_a=$(ikgd_ipsec_sa a tunnel spi_out spi_in protocol encryption integrity udp_encap)
  sa_b=$(ikgd_ipsec_sa b tunnel spi_out spi_in protocol encryption integrity udp_encap)
  read -r spi_a in_a _ <<<"$sa_a"; read -r spi_b in_b _ <<<"$sa_b"
  [ "$in_b" = "$spi_a" ] || fail "$case: gwB spi_in $in_b != gwA spi_out $spi_a"
  [ "$in_a" = "$spi_b" ] || fail "$case: gwA spi_in $in_a != gwB spi_out $spi_b"
  [ "${sa_a#* * }" = "$want_proto $want_enc $want_integ $want_encap" ] \
    || fail "$case: gwA show ipsec sa: protocol/encryption/integrity/udp_encap '${sa_a#* * }', expected '$want_proto $want_enc $want_integ $want_encap'"
  [ "${sa_b#* * }" = "$want_proto $want_enc $want_integ $want_encap" ] \
    || fail "$case: gwB show ipsec sa: protocol/encryption/integrity/udp_encap '${sa_b#* * }', expected '$want_proto $want_enc $want_integ $want_encap'"
  log "$case: show ipsec sa: $want_proto $want_enc $want_integ udp_encap=$want_encap, SPIs gwA->gwB 0x$spi_a, gwB->gwA 0x$spi_b"

  # 2. the wire (gwA's wan0 during the pings): let dumpcap write the last packets first
  sleep 1
  kill_pid "$cap_pid"
  local tab=$IKG_TMP/$case.tsv
  wire_table "$cap" >"$tab"
  local a2b="o(2)==\"$GWA_WAN\" && o(3)==\"$GWB_WAN\"" b2a="o(2)==\"$GWB_WAN\" && o(3)==\"$GWA_WAN\""
  local ipsec='(o(4)==50 || o(4)==51 || $5==4500 || $6==4500) && $7$8!=""'
  local lan_clear='$2 ~ /(^|,)10\./ || $3 ~ /(^|,)10\./'
  case $wire in
    esp)
      expect_rows "$tab" "$a2b && o(4)==50 && \$7==\"0x$spi_a\"" 5 "$case: raw ESP (proto 50) gwA->gwB with SPI 0x$spi_a"
      expect_rows "$tab" "$b2a && o(4)==50 && \$7==\"0x$spi_b\"" 5 "$case: raw ESP (proto 50) gwB->gwA with SPI 0x$spi_b"
      expect_rows "$tab" "$ipsec" 10 "$case: IPsec packets of any kind on the WAN"
      expect_rows "$tab" "$lan_clear" 0 "$case: LAN addresses in clear on the WAN"
      ;;
    udp)
      expect_rows "$tab" "$a2b && o(4)==17 && \$6==4500 && \$7==\"0x$spi_a\"" 5 "$case: ESP-in-UDP to port 4500 gwA->gwB with SPI 0x$spi_a"
      expect_rows "$tab" "$b2a && o(4)==17 && \$5==4500 && \$7==\"0x$spi_b\"" 5 "$case: ESP-in-UDP from port 4500 gwB->gwA with SPI 0x$spi_b"
      expect_rows "$tab" "o(4)==50 || o(4)==51" 0 "$case: raw ESP/AH although encapsulation is udp"
      expect_rows "$tab" "$ipsec" 10 "$case: IPsec packets of any kind on the WAN"
      expect_rows "$tab" "$lan_clear" 0 "$case: LAN addresses in clear on the WAN"
      log "$case: IKE ports on the wire (packets sport dport): $(awk -F'\t' '($5==500 || $5==4500) && $7=="" {print $5, $6}' "$tab" | sort | uniq -c | tr -s ' \n' ' ')"
      ;;
    ah)
      expect_rows "$tab" "$a2b && o(4)==51 && \$8==\"0x$spi_a\"" 5 "$case: AH (proto 51) gwA->gwB with SPI 0x$spi_a"
      expect_rows "$tab" "$b2a && o(4)==51 && \$8==\"0x$spi_b\"" 5 "$case: AH (proto 51) gwB->gwA with SPI 0x$spi_b"
      expect_rows "$tab" "$ipsec" 10 "$case: IPsec packets of any kind on the WAN"
      # AH authenticates, does not encrypt: tshark decodes the tunnelled IP packet
      expect_rows "$tab" "$a2b && \$8!=\"\" && \$2 ~ /,$HOSTA_IP\$/ && \$3 ~ /,$HOSTB_IP\$/ && \$9==8" 5 "$case: echo requests hostA->hostB inside AH"
      expect_rows "$tab" "$b2a && \$8!=\"\" && \$2 ~ /,$HOSTB_IP\$/ && \$3 ~ /,$HOSTA_IP\$/ && \$9==0" 5 "$case: echo replies hostB->hostA inside AH"
      ;;
  esac
  expect_rows "$tab" '$10!="" || $11 >= 6291456' 0 "$case: packets tshark calls malformed or flags with an expert warning/error"

  # 3. TCP through the tunnel
  local js sum bytes mbits err
  js=$(ns_exec "$NS_HOSTA" iperf3 -c "$HOSTB_IP" -t 3 -J 2>&1) || true
  read -r bytes mbits err <<<"$(iperf_summary <<<"$js")"
  [ "$err" = - ] || { printf '%s\n' "$js" | tail -n 20 >&2; fail "$case: iperf3 error: $err"; }
  [ "$bytes" -gt 0 ] || fail "$case: iperf3 received 0 bytes"
  log "$case: iperf3 TCP hostA->hostB 3 s: $mbits Mbit/s ($bytes bytes)"
  local t1 ms
  t1=$(date +%s%N)
  fetch "http://$HOSTB_IP:8080/blob" "$IKG_TMP/$case.got" || fail "$case: HTTP fetch of the 5 MB file failed"
  ms=$(( ($(date +%s%N) - t1) / 1000000 ))
  sum=$(sha256sum <"$IKG_TMP/$case.got" | cut -d' ' -f1)
  [ "$sum" = "$want_sum" ] || fail "$case: 5 MB file arrived with sha256 $sum, sent $want_sum"
  rm -f "$IKG_TMP/$case.got"
  log "$case: 5 MB file over HTTP in $ms ms, sha256 matches"
  local tx_a rx_a disc_a err_a tx_b rx_b disc_b err_b
  read -r tx_a rx_a disc_a err_a <<<"$(ikgd_vpn a tunnel tx_packets rx_packets rx_discards "discards']['esp-ah-error")"
  read -r tx_b rx_b disc_b err_b <<<"$(ikgd_vpn b tunnel tx_packets rx_packets rx_discards "discards']['esp-ah-error")"
  log "$case: after TCP: gwA tx/rx/discards $tx_a/$rx_a/$disc_a, gwB tx/rx/discards $tx_b/$rx_b/$disc_b"
  if [ "$disc_a" != 0 ] || [ "$disc_b" != 0 ]; then
    # bugs.md "AH: outer IPv4 identification 0 every 65536 packets": AH puts the low 16 bits of
    # the sequence number in the outer IP id; every 65536th packet has id 0, which the kernel
    # (raw socket, IP_HDRINCL) replaces by a random id after the ICV was computed over 0, so
    # the peer drops it as an ESP/AH error. At most one such discard per 65536 packets sent.
    if [ "$wire" = ah ] && [ "$disc_a" = "$err_a" ] && [ "$disc_b" = "$err_b" ] \
       && [ "$err_b" -le $(( tx_a / 65536 )) ] && [ "$err_a" -le $(( tx_b / 65536 )) ]; then
      log "$case: KNOWN BUG (bugs.md, AH outer IP id 0): $err_b esp-ah-error discard(s) at gwB after gwA sent $tx_a AH packets, $err_a at gwA after gwB sent $tx_b"
      KNOWN_BUGS+=("AH outer IPv4 id 0 every 65536 packets (bugs.md): $case case saw $((err_a + err_b)) esp-ah-error discard(s)")
    else
      ikg a show vpn --discards >&2 || true; ikg b show vpn --discards >&2 || true
      fail "$case: Rx discards during the TCP transfers (gwA $disc_a, gwB $disc_b)"
    fi
  fi

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
if [ "${#KNOWN_BUGS[@]}" -gt 0 ]; then
  for r in "${KNOWN_BUGS[@]}"; do log "known bug: $r"; done
  skip "every check passed except known bug(s): ${KNOWN_BUGS[*]}"
fi
log "PASS"
