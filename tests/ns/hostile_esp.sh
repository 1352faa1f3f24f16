#!/usr/bin/env bash
# Issue 9, hostile data plane: an attacker on the WAN (a separate box on the WAN bridge, spoofing
# the peer's address) sends replayed and truncated ESP, random garbage as ESP (protocol 50), AH
# (51) and ESP-in-UDP (UDP 4500), an AH packet carrying the ESP SA's SPI, and a mixed flood.
# Every packet is counted under exactly the right Rx discard reason of the profile in
# `ikegate show vpn --discards --json` (exact deltas), nothing reaches the LAN, the tunnel keeps
# working, and the daemon never crashes (same PID at the end, no sanitizer report: run it
# with IKG_BUILD=build-asan to check that under ASan+UBSan).
# IKG_CAPTURE_TO=FILE keeps a pcap of the WAN (IKE + ESP + the attack) for the fuzz corpus.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/hostile.sh"

ikg_test_init
ikgd_require
hostile_require_scapy
topo_hostile
hostile_configs
if [ -n "${IKG_CAPTURE_TO:-}" ]; then
  require_cmd dumpcap
  ns_capture "$NS_GWB" wan0 "$IKG_TMP/wan.pcapng"
fi
hostile_tunnel_up
pid_b=${IKGD_PID[b]}

# --- a few real ESP packets from gwA, captured on gwB's WAN ---------------------------------
scapy_in "$NS_GWB" "$IKG_TMP/esp.pcap" "$IKG_TMP/sniffing" <<'PY' &
pk = sniff(iface="wan0", filter="ip proto 50 and src host %s" % GWA_WAN, count=4, timeout=30,
           started_callback=lambda: open(sys.argv[2], "w").close())
wrpcap(sys.argv[1], pk)
PY
sniffer=$!
wait_for 30 test -e "$IKG_TMP/sniffing" || fail "the ESP sniffer did not start"
for _ in 1 2 3 4 5 6; do
  kill -0 "$sniffer" 2>/dev/null || break
  ns_ping "$NS_HOSTA" "$HOSTB_IP" 1 || true
done
wait "$sniffer" || fail "capturing ESP failed"
spi_hex=$(scapy_in "$NS_ATK" "$IKG_TMP/esp.pcap" <<'PY'
pk = rdpcap(sys.argv[1])
print("%08x %d" % (pk[0][ESP].spi, len(pk)))
PY
)
read -r spi_in n_cap <<<"$spi_hex"
[ "${n_cap:-0}" -ge 3 ] || fail "captured only ${n_cap:-0} ESP packets"
[ "$(ikgd_ipsec_sa b tunnel spi_in | tr A-F a-f | sed 's/^0x//')" = "$spi_in" ] \
  || fail "captured SPI $spi_in is not b's inbound SPI $(ikgd_ipsec_sa b tunnel spi_in)"
log "captured $n_cap ESP packets, SPI 0x$spi_in"

before=$(hostile_discards b)
rx0=$(ikgd_vpn b tunnel rx_packets)
log "before: $before rx=$rx0"

# --- the attack ------------------------------------------------------------------------------
# counts: replay N, truncated 3, garbage ESP 20, garbage AH 10 + 2 short, UDP-4500 ESP 10,
# AH with the ESP SA's SPI 1, non-ESP-marker garbage 5 and keepalives 3 (IKE: not discards)
scapy_in "$NS_ATK" "$IKG_TMP/esp.pcap" "$spi_in" <<'PY'
pk = rdpcap(sys.argv[1])
spi_in = int(sys.argv[2], 16)
random.seed(9)
def esp_bytes(p):
    return bytes(p[IP].payload)
out = []
# 1. replays of packets gwB already accepted
for p in pk:
    out.append(IP(src=GWA_WAN, dst=GWB_WAN, proto=50) / Raw(esp_bytes(p)))
# 2. truncated: SPI only + 2 bytes, SPI + seq (no IV, no ICV), the ICV cut by one byte
e = esp_bytes(pk[0])
for n in (6, 8, len(e) - 1):
    out.append(IP(src=GWA_WAN, dst=GWB_WAN, proto=50) / Raw(e[:n]))
# 3. garbage ESP with unknown SPIs
for i in range(20):
    spi = 0xdead0000 + i
    out.append(IP(src=GWA_WAN, dst=GWB_WAN, proto=50) / Raw(struct.pack(">II", spi, i + 1) + os.urandom(random.randint(16, 300))))
# 4. garbage AH: well formed headers with unknown SPIs, and two too short to be AH
for i in range(10):
    body = os.urandom(random.randint(40, 200))
    out.append(IP(src=GWA_WAN, dst=GWB_WAN, proto=51) / Raw(bytes([4, 4, 0, 0]) + struct.pack(">II", 0xbeef0000 + i, 1) + body))
for n in (3, 7):
    out.append(IP(src=GWA_WAN, dst=GWB_WAN, proto=51) / Raw(os.urandom(n)))
# 5. ESP-in-UDP garbage with unknown SPIs
for i in range(10):
    out.append(IP(src=GWA_WAN, dst=GWB_WAN) / UDP(sport=4500, dport=4500) / Raw(struct.pack(">II", 0xcafe0000 + i, 1) + os.urandom(64)))
# 6. AH carrying the SPI of the inbound ESP SA: the protocol does not match the SA
out.append(IP(src=GWA_WAN, dst=GWB_WAN, proto=51) / Raw(bytes([4, 4, 0, 0]) + struct.pack(">II", spi_in, 99) + os.urandom(12) + bytes(IP(src=HOSTA_IP, dst=HOSTB_IP) / ICMP())))
# 7. UDP 4500 that is not ESP: IKE behind a non-ESP marker (garbage), NAT-T keepalives
for i in range(5):
    out.append(IP(src=GWA_WAN, dst=GWB_WAN) / UDP(sport=4500, dport=4500) / Raw(bytes(4) + os.urandom(40)))
for i in range(3):
    out.append(IP(src=GWA_WAN, dst=GWB_WAN) / UDP(sport=4500, dport=4500) / Raw(b"\xff"))
send(out, inter=0.002)
print(len(out))
PY
sleep 1
assert_same_pid b
after=$(hostile_discards b)
log "after:  $after"

# exact deltas per reason
delta() {  # delta REASON
  local b a
  b=$(sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$before")
  a=$(sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$after")
  echo $(( a - b ))
}
want_esp_ah=$(( n_cap + 3 + 2 ))
[ "$(delta esp-ah-error)" -eq "$want_esp_ah" ] || fail "esp-ah-error +$(delta esp-ah-error), expected +$want_esp_ah (replays $n_cap, truncated 3, short AH 2)"
[ "$(delta unknown-spi)" -eq 40 ] || fail "unknown-spi +$(delta unknown-spi), expected +40 (ESP 20, AH 10, ESP-in-UDP 10)"
[ "$(delta sa-mismatch)" -eq 1 ] || fail "sa-mismatch +$(delta sa-mismatch), expected +1 (AH with the ESP SA's SPI)"
[ "$(delta unknown-protocol)" -eq 0 ] || fail "unknown-protocol +$(delta unknown-protocol), expected 0"
[ "$(delta bad-source)" -eq 0 ] && [ "$(delta bad-destination)" -eq 0 ] || fail "bad-source/bad-destination moved"
[ "$(delta total)" -eq $(( want_esp_ah + 41 )) ] || fail "rx_discards +$(delta total), expected +$(( want_esp_ah + 41 ))"
rx1=$(ikgd_vpn b tunnel rx_packets)
[ "$rx1" -eq "$rx0" ] || fail "rx_packets moved from $rx0 to $rx1: an attack packet reached the LAN"
log "every attack packet counted under its reason; none reached the LAN"

# --- garbage from a stranger (not the peer) does not touch the profile's counters ----------
before=$(hostile_discards b)
scapy_in "$NS_ATK" <<'PY'
out = [IP(src=ATK_IP, dst=GWB_WAN, proto=50) / Raw(os.urandom(40)) for i in range(20)]
out += [IP(src=ATK_IP, dst=GWB_WAN, proto=51) / Raw(os.urandom(40)) for i in range(20)]
send(out, inter=0.001)
PY
sleep 0.5
[ "$(hostile_discards b)" = "$before" ] || fail "a stranger's garbage was counted against the profile: $(hostile_discards b) (was $before)"

# --- a flood of mixed garbage while the tunnel carries pings ---------------------------------
scapy_in "$NS_ATK" <<'PY' &
random.seed(99)
out = []
for i in range(3000):
    k = i % 4
    src = GWA_WAN if i % 2 else SPOOF_PREFIX + ".%d" % (100 + i % 100)
    b = os.urandom(random.randint(0, 400))
    if k == 0:
        out.append(IP(src=src, dst=GWB_WAN, proto=50) / Raw(b))
    elif k == 1:
        out.append(IP(src=src, dst=GWB_WAN, proto=51) / Raw(b))
    elif k == 2:
        out.append(IP(src=src, dst=GWB_WAN) / UDP(sport=4500, dport=4500) / Raw(b))
    else:
        out.append(IP(src=src, dst=GWB_WAN) / UDP(sport=500, dport=500) / Raw(b))
send(out, inter=0)
PY
flood=$!
ok=0
for _ in 1 2 3 4 5; do ns_ping "$NS_HOSTA" "$HOSTB_IP" 1 && ok=$((ok + 1)); done
assert_responsive b 3
wait "$flood" || fail "the flood script failed"
[ "$ok" -ge 4 ] || fail "only $ok/5 pings answered during the garbage flood"
tunnel_pings 3 || fail "the tunnel does not work after the flood"
assert_same_pid b
assert_same_pid a
[ "${IKGD_PID[b]}" = "$pid_b" ] || fail "gwB's daemon was restarted"
assert_no_secret b
log "after the flood: $(hostile_discards b); pings $ok/5 during it"

if [ -n "${IKG_CAPTURE_TO:-}" ]; then
  sleep 0.5
  ns_exec "$NS_GWB" true
  tshark -r "$IKG_TMP/wan.pcapng" -w "$IKG_CAPTURE_TO" -F pcap -c 200 2>/dev/null \
    || cp "$IKG_TMP/wan.pcapng" "$IKG_CAPTURE_TO"
  log "capture written to $IKG_CAPTURE_TO"
fi
ikgd_stop b
ikgd_stop a
log "PASS"
