#!/usr/bin/env bash
# Issue 9, hostile IKE peers against a real ikegated (gwB), packets crafted with scapy by an
# attacker box on the WAN bridge, most of them spoofing the real peer's address (gwA):
#   1. malformed payload lengths (0, < 4, past the end, header length lies, bad proposal and
#      transform lengths), payload chains longer than allowed (40 payloads, 400 zero-length
#      ones), oversized messages (1.8 kB, 8 kB, 60 kB UDP), unknown payload types with the
#      IKEv2 critical bit, an IKEv2 header;
#   2. replayed IKE: every message of the real main mode and quick mode sent again, both ways;
#   3. unauthenticated DELETE (of the IPsec SA and of the ISAKMP SA) and notify messages with
#      the real cookies, and an "encrypted" informational with garbage inside;
#   4. a flood of new phase-1 requests (main mode message 1; a responder-only profile for any
#      peer makes each a half-open SA), 300 from one spoofed source then 2700 from 99 others,
#      while the tunnel carries pings (counted while the flood is being sent): >= 90 % of the
#      pings get replies, `show vpn` answers, and between 256 and 512 (the half-open limit) of
#      the 3000 requests are answered;
#   5. a flood of 2000 phase-1 requests that match no profile ("no matching phase1 profile").
# After each group: same daemon PID, no sanitizer report, the same IKE SA and IPsec SA (SPIs)
# still up, the tunnel passes traffic. A per-source limit is measured and reported (the
# engine has none: /work/team/bugs.md), not required.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"
. "$here/../lib/hostile.sh"

ikg_test_init
ikgd_require
hostile_require_scapy
require_cmd dumpcap
topo_hostile
hostile_configs
# gwB also has a responder-only profile for any peer (road warriors): then phase-1 requests from
# any address are worth a half-open SA, the worst case for a flood.
conf_b=$(ikgd_conf_file b)
sed -i '$d' "$conf_b"
cat >>"$conf_b" <<'EOF'
  road = { remote-endpoint = "0.0.0.0"; local-members = [ "10.2.3.0/24" ];
           remote-members = [ "10.9.0.0/16" ]; ike-profile = "office"; pfs-group = 14; };
};
EOF
"$IKEGATED" -c "$conf_b" --check >/dev/null || fail "the configuration with 'road' is refused"
ns_capture "$NS_GWB" wan0 "$IKG_TMP/wan.pcapng"
hostile_tunnel_up
pid_b=${IKGD_PID[b]}

ike_state() {  # "icookie rcookie spi_in spi_out n_ipsec_sas" of b's tunnel
  local ike ipsec
  ike=$(ikg b show ike sa --json | json_get "' '.join(s['icookie'] + ' ' + s['rcookie'] for s in j['ike_sas'] if s['profile'] == 'tunnel' and s['established'])")
  ipsec=$(ikg b show ipsec sa --json | json_get "' '.join(['%s %s' % (s['spi_in'], s['spi_out']) for s in j['ipsec_sas'] if s['profile'] == 'tunnel'] + [str(len([s for s in j['ipsec_sas'] if s['profile'] == 'tunnel']))])")
  echo "$ike $ipsec"
}
state0=$(ike_state)
read -r ICOOKIE RCOOKIE SPI_IN SPI_OUT _ <<<"$state0"
log "b's tunnel: IKE SA $ICOOKIE/$RCOOKIE, IPsec SA in $SPI_IN out $SPI_OUT"
[ -n "$SPI_OUT" ] || fail "no established IKE/IPsec SA on b: $state0"

# still_fine WHAT: the daemon, the SAs and the tunnel survived WHAT.
still_fine() {
  assert_same_pid b
  assert_same_pid a
  assert_responsive b 3
  tunnel_pings 3 || fail "the tunnel stopped passing traffic after $1"
  local now; now=$(ike_state)
  [ "$now" = "$state0" ] || fail "the SAs changed after $1: '$now' (was '$state0')"
  log "survived $1"
}

# --- 1. malformed ----------------------------------------------------------------------------
scapy_in "$NS_ATK" "$ICOOKIE" "$RCOOKIE" <<'PY'
ic, rc = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])
def to_b(msg, src=GWA_WAN, port=500):
    if port == 4500:
        msg = bytes(4) + msg
    return IP(src=src, dst=GWB_WAN) / UDP(sport=port, dport=port) / Raw(msg)
sa = ike_sa_payload()
out = []
for k in range(2):
    c = os.urandom(8)
    # payload length 0 (a naive parser loops forever), 1, 3: shorter than the generic header
    for plen in (0, 1, 3):
        out.append(to_b(ike_hdr(c, body=bytes([0, 0]) + struct.pack(">H", plen) + sa[4:])))
    # payload length past the end of the message, and the header length lying both ways
    out.append(to_b(ike_hdr(c, body=sa[:2] + struct.pack(">H", len(sa) + 200) + sa[4:])))
    out.append(to_b(ike_hdr(c, body=sa, length=28 + len(sa) + 100)))
    out.append(to_b(ike_hdr(c, body=sa, length=20)))
    out.append(to_b(ike_hdr(c, body=sa, length=0xffffffff)))
    # proposal and transform lengths inconsistent with the SA payload
    bad = bytearray(sa); bad[14] = 0xff; bad[15] = 0xff          # proposal length
    out.append(to_b(ike_hdr(c, body=bytes(bad))))
    bad = bytearray(sa); bad[22] = 0; bad[23] = 2                # transform length 2
    out.append(to_b(ike_hdr(c, body=bytes(bad))))
    bad = bytearray(sa); bad[19] = 200                           # 200 transforms announced
    out.append(to_b(ike_hdr(c, body=bytes(bad))))
    # a truncated header, an empty datagram, one byte
    out += [to_b(ike_hdr(c, body=sa)[:20]), to_b(b""), to_b(b"\x00")]
    # chains: 40 vendor-ID payloads (more than the 32 allowed), 400 empty ones
    vid = b"".join(struct.pack(">BBH", 13 if i < 39 else 0, 0, 12) + os.urandom(8) for i in range(40))
    out.append(to_b(ike_hdr(c, np=1, body=bytes([13]) + sa[1:] + vid)))
    out.append(to_b(ike_hdr(c, np=13, body=b"".join(struct.pack(">BBH", 13 if i < 399 else 0, 0, 4) for i in range(400)))))
    # unknown payload types (private 200, reserved 60) with the IKEv2 critical bit, after the SA
    for t in (200, 60):
        unk = struct.pack(">BBH", 0, 0x80, 12) + os.urandom(8)
        out.append(to_b(ike_hdr(c, body=bytes([t]) + sa[1:] + unk)))
        out.append(to_b(ike_hdr(c, np=t, body=unk + sa)))
    # an IKEv2 IKE_SA_INIT header (major version 2), and IKEv1 with an unknown exchange type
    out.append(to_b(c + bytes(8) + bytes([33, 0x20, 34, 0x08]) + struct.pack(">II", 0, 28 + len(sa)) + sa))
    out.append(to_b(ike_hdr(c, exch=77, body=sa)))
    # the real cookies with every exchange type, unencrypted, garbage bodies
    for exch in (2, 4, 5, 32, 6, 0):
        out.append(to_b(ike_hdr(ic, rc, np=8, exch=exch, msgid=random.getrandbits(32), body=struct.pack(">BBH", 0, 0, 24) + os.urandom(20))))
    # the same over UDP 4500 (non-ESP marker) and from the attacker's own address
    out += [to_b(bytes(p[Raw].load), port=4500) for p in out[:10]]
    out += [to_b(bytes(p[Raw].load), src=ATK_IP) for p in out[:10]]
# oversized: 1.8 kB, 8 kB (more than the daemon's receive buffer), 60 kB (IP fragments)
for size in (1800, 8000, 60000):
    out.append(to_b(ike_hdr(os.urandom(8), np=13, body=struct.pack(">BBH", 0, 0, size) + os.urandom(size - 4))))
send(out, inter=0.003)
print("malformed: %d datagrams" % len(out))
PY
sleep 1
still_fine "malformed IKE messages"

# --- 2. replayed IKE: every captured datagram of the negotiation again, both directions -----
scapy_in "$NS_ATK" "$IKG_TMP/wan.pcapng" "$ICOOKIE" <<'PY'
ic = bytes.fromhex(sys.argv[2])
pk = [p for p in rdpcap(sys.argv[1]) if IP in p and UDP in p and p[UDP].dport in (500, 4500)
      and bytes(p[UDP].payload)[:8] == ic]
if len(pk) < 9:
    sys.exit("only %d IKE datagrams captured" % len(pk))
out = []
for rep in range(2):
    for p in pk:
        ip = p[IP]
        out.append(IP(src=ip.src, dst=ip.dst) / UDP(sport=ip[UDP].sport, dport=ip[UDP].dport) / Raw(bytes(ip[UDP].payload)))
send(out, inter=0.05)
print("replayed: %d datagrams (%d captured)" % (len(out), len(pk)))
PY
sleep 1
still_fine "replayed IKE messages"

# --- 3. unauthenticated delete / notify --------------------------------------------------------
scapy_in "$NS_ATK" "$ICOOKIE" "$RCOOKIE" "$SPI_IN" "$SPI_OUT" <<'PY'
ic, rc = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])
spis = [bytes.fromhex(s.replace("0x", "").rjust(8, "0")) for s in sys.argv[3:5]]
def delete(proto, spi):
    body = struct.pack(">IBBH", 1, proto, len(spi), 1) + spi
    return struct.pack(">BBH", 0, 0, 4 + len(body)) + body
def notify(ntype, proto=1, spi=b""):
    body = struct.pack(">IBBH", 1, proto, len(spi), ntype) + spi
    return struct.pack(">BBH", 0, 0, 4 + len(body)) + body
msgs = []
for spi in spis:
    msgs.append(ike_hdr(ic, rc, np=12, exch=5, msgid=random.getrandbits(32), body=delete(3, spi)))
msgs.append(ike_hdr(ic, rc, np=12, exch=5, msgid=random.getrandbits(32), body=delete(1, ic + rc)))
for nt in (11, 24576, 36136, 14):         # INVALID-SPI, INITIAL-CONTACT, R-U-THERE, NO-PROPOSAL
    msgs.append(ike_hdr(ic, rc, np=11, exch=5, msgid=random.getrandbits(32), body=notify(nt, 3, spis[0])))
msgs.append(ike_hdr(ic, bytes(8), np=11, exch=5, body=notify(24578)))     # INITIAL-CONTACT, new
# "encrypted" informational with the real cookies: garbage that cannot decrypt/verify
for n in range(6):
    msgs.append(ike_hdr(ic, rc, np=8, exch=5, flags=1, msgid=random.getrandbits(32), body=os.urandom(16 * (n + 1))))
out = [IP(src=GWA_WAN, dst=GWB_WAN) / UDP(sport=500, dport=500) / Raw(m) for m in msgs]
send(out, inter=0.02)
print("informational: %d datagrams" % len(out))
PY
sleep 1
still_fine "unauthenticated delete and notify messages"
grep -q "authenticated=no; action=ignored" <<<"$(ikg b show log --detail)" \
  || fail "the ignored unauthenticated informational is not in b's log evidence"

# --- 4. a flood of phase-1 requests from 100 spoofed sources, the tunnel under traffic --------
scapy_in "$NS_ATK" "$IKG_TMP/replies.txt" "$IKG_TMP/sniffing" "$IKG_TMP/flood-done" <<'PY' &
# count b's answers (main-mode message 2) per source while the flood runs
seen = {}
def note(p):
    if UDP in p and p[IP].src == GWB_WAN and p[UDP].sport == 500 and len(p[UDP].payload) >= 28:
        seen.setdefault(p[IP].dst, set()).add(bytes(p[UDP].payload)[:8])
t = AsyncSniffer(iface="eth0", filter="udp and src host %s and src port 500" % GWB_WAN, prn=note,
                store=False, started_callback=lambda: open(sys.argv[2], "w").close())
t.start()
deadline = time.time() + 120
while not os.path.exists(sys.argv[3]) and time.time() < deadline:
    time.sleep(0.2)
time.sleep(2)           # the last answers
t.stop()
with open(sys.argv[1], "w") as f:
    for src, c in seen.items():
        f.write("%s %d\n" % (src, len(c)))
PY
sniffer=$!
wait_for 30 test -e "$IKG_TMP/sniffing" || fail "the reply sniffer did not start"
scapy_in "$NS_ATK" "$IKG_TMP/flood1-start" <<'PY' &
# first 300 requests from one source (a per-source limit would answer only a few), then 2700
# from 99 others: 3000 in all, six times the half-open limit
one = SPOOF_PREFIX + ".199"
out = [IP(src=one, dst=GWB_WAN) / UDP(sport=500, dport=500) / Raw(ike_mm1(os.urandom(8))) for i in range(300)]
for i in range(2700):
    src = SPOOF_PREFIX + ".%d" % (100 + i % 99)
    out.append(IP(src=src, dst=GWB_WAN) / UDP(sport=500, dport=500) / Raw(ike_mm1(os.urandom(8))))
open(sys.argv[1], "w").close()
t0 = time.time()
send(out, inter=0.002)
print("flood: %d phase-1 requests in %.1f s" % (len(out), time.time() - t0))
PY
flooder=$!
wait_for 60 test -e "$IKG_TMP/flood1-start" || fail "the flood did not start"
answered=0 asked=0
while kill -0 "$flooder" 2>/dev/null; do
  asked=$((asked + 1))
  ns_ping "$NS_HOSTA" "$HOSTB_IP" 1 && answered=$((answered + 1))
  assert_responsive b 3
done
wait "$flooder" || fail "the flood script failed"
touch "$IKG_TMP/flood-done"
log "pings across the tunnel during the flood: $answered/$asked answered"
[ "$asked" -ge 3 ] || fail "the flood was too short to measure ($asked pings)"
[ $(( answered * 10 )) -ge $(( asked * 9 )) ] || fail "only $answered/$asked pings answered during the flood"
wait "$sniffer" || true
total=$(awk '{s += $2} END {print s + 0}' "$IKG_TMP/replies.txt")
per_src=$(awk -v one="$SPOOF_PREFIX.199" '$1 == one {print $2}' "$IKG_TMP/replies.txt")
log "b answered $total distinct phase-1 requests of 3000 (${per_src:-0} of the 300 from $SPOOF_PREFIX.199)"
[ "$total" -gt 0 ] || fail "b answered no phase-1 request at all (the responder profile is broken?)"
[ "$total" -le 512 ] || fail "b answered $total new phase-1 requests: the half-open limit (512) did not engage"
[ "$total" -ge 256 ] || fail "b answered only $total of 3000 requests: expected the half-open limit (512) to be what stops them"
if [ "${per_src:-0}" -gt 16 ]; then
  log "NOTE: no per-source limit: one spoofed source got ${per_src} half-open SAs (reported in /work/team/bugs.md)"
fi
still_fine "a flood of 3000 phase-1 requests from 100 sources"

# --- 5. requests that match no profile, sent to gwA (no wildcard profile there) ---------------
log_before=$(ikg a show log | wc -l)
scapy_in "$NS_ATK" "$IKG_TMP/flood2-start" <<'PY' &
out = [IP(src=SPOOF_PREFIX + ".%d" % (100 + i % 100), dst=GWA_WAN) / UDP(sport=500, dport=500) / Raw(ike_mm1(os.urandom(8))) for i in range(2000)]
open(sys.argv[1], "w").close()
send(out, inter=0.002)
PY
flooder=$!
wait_for 60 test -e "$IKG_TMP/flood2-start" || fail "the second flood did not start"
answered=0 asked=0
while kill -0 "$flooder" 2>/dev/null; do
  asked=$((asked + 1))
  ns_ping "$NS_HOSTB" "$HOSTA_IP" 1 && answered=$((answered + 1))
  assert_responsive a 3
done
wait "$flooder" || fail "the second flood script failed"
n_nomatch=$(ikg a show log | grep -c 'no matching phase1 profile' || true)
log "pings during the no-profile flood: $answered/$asked answered; a's history: $log_before -> $(ikg a show log | wc -l) lines, $n_nomatch 'no matching phase1 profile'"
if ! ikgd_log_has a "phase 2 complete"; then
  log "NOTE: the flood pushed every earlier event out of a's WAN Event History (no rate limit on 'no matching phase1 profile': reported in /work/team/bugs.md)"
fi
[ $(( answered * 10 )) -ge $(( asked * 9 )) ] || fail "only $answered/$asked pings answered during the no-profile flood"
assert_same_pid a
still_fine "a flood of 2000 requests matching no profile"

[ "${IKGD_PID[b]}" = "$pid_b" ] || fail "b's daemon was restarted"
assert_no_secret a
assert_no_secret b
ikgd_stop b
ikgd_stop a
log "PASS"
