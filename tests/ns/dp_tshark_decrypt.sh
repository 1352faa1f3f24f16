#!/usr/bin/env bash
# An independent reading of ikegated's packets by Wireshark's dissectors (issue 2, acceptance 3).
#
# Two ikegated, a capture on the WAN link of a whole exchange: main mode (6 messages), quick
# mode (3), ESP (pings), and the delete notifications sent when gwA stops. ikegated never
# prints keys (hard rule) and no debug key export is added, so nothing is decrypted here; what
# can be checked without keys is (approach (b) of the issue):
#  * `tshark -V` reports no malformed packet and no expert warning or error;
#  * main mode 1-4 decode with all fields: SA (DOI, situation, ISAKMP proposal, KEY_IKE
#    transform whose attributes are the configured aes256/sha1/group 14/PSK/28800 s, the same
#    in the answer), vendor IDs (RFC 3947 NAT-T, DPD), KE (256 bytes for group 14), nonce, and
#    two NAT-D payloads whose hashes tshark shows and this test recomputes from the cookies,
#    addresses and ports (SHA-1, RFC 3947);
#  * main mode 5-6, quick mode 1-3 and the informational deletes carry the encryption flag, the
#    right exchange type (2, 32, 5), one message ID per quick mode, and a body that is a whole
#    number of AES blocks; every packet uses the cookies of `show ike sa --json`;
#  * ESP: the SPI of packets from gwA is gwA's spi_out (= gwB's spi_in) of `show ipsec sa
#    --json` and vice versa, sequence numbers 1, 2, 3 ... in each direction, sizes that fit
#    AES-CBC + HMAC-SHA256-128 (8 + 16 IV + n*16 + 16 ICV), no LAN address in clear.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/ikegated.sh"

ikg_test_init
ikgd_require
require_cmd tshark dumpcap

topo_two_gateways
conf=(ike.encryption=aes256 ike.hash=sha1 ike.dh-group=14 ike.lifetime=28800
      ipsec.encryption=aes128 ipsec.integrity=sha256 ipsec.pfs-group=14)
ikgd_config a "$GWA_WAN" "$GWB_WAN" "$LAN_A" "$LAN_B" "${conf[@]}"
ikgd_config b "$GWB_WAN" "$GWA_WAN" "$LAN_B" "$LAN_A" "${conf[@]}"

cap=$IKG_TMP/wan.pcapng
ns_capture "$NS_GWA" wan0 "$cap"
cap_pid=$IKG_LAST_PID
ikgd_start "$NS_GWA" a
ikgd_start "$NS_GWB" b

ns_exec "$NS_HOSTA" ping -n -c 3 -i 0.2 -W 3 "$HOSTB_IP" >/dev/null || fail "no ping replies through the tunnel"
read -r icookie rcookie <<<"$(ikgd_ike_sa a tunnel icookie rcookie)"
read -r spi_a spi_a_in <<<"$(ikgd_ipsec_sa a tunnel spi_out spi_in)"
read -r spi_b spi_b_in <<<"$(ikgd_ipsec_sa b tunnel spi_out spi_in)"
read -r b_icookie b_rcookie <<<"$(ikgd_ike_sa b tunnel icookie rcookie)"
[ "$b_icookie $b_rcookie" = "$icookie $rcookie" ] || fail "cookies differ: gwA $icookie $rcookie, gwB $b_icookie $b_rcookie"
{ [ "$spi_b_in" = "$spi_a" ] && [ "$spi_a_in" = "$spi_b" ]; } || fail "SPIs do not mirror: gwA out/in $spi_a/$spi_a_in, gwB out/in $spi_b/$spi_b_in"
log "show ike sa: cookies $icookie/$rcookie; show ipsec sa: gwA->gwB 0x$spi_a, gwB->gwA 0x$spi_b"

# gwA stops: it deletes its SAs (informational exchanges) before it exits
ikgd_stop a
wait_for 5 sh -c "tshark -r '$cap' -Y 'isakmp.exchangetype == 5' 2>/dev/null | grep -q ." || log "no informational exchange seen after gwA stopped"
sleep 0.3
kill_pid "$cap_pid"
ikgd_stop b
cp "$cap" "$IKG_TMP/keep-wan.pcapng"

# ---- 1. tshark -V: nothing malformed, no expert warning or error ----
verbose=$(tshark -r "$cap" -V 2>/dev/null)
if grep -qE 'Malformed|Expert Info \((Warning|Error)' <<<"$verbose"; then
  grep -nE 'Malformed|Expert Info \((Warning|Error)|^Frame ' <<<"$verbose" | grep -B1 -E 'Malformed|Expert' | head -n 20 >&2
  fail "tshark -V reports malformed packets or expert warnings/errors"
fi
n_isakmp=$(tshark -r "$cap" -Y isakmp 2>/dev/null | wc -l)
log "tshark -V: $(tshark -r "$cap" 2>/dev/null | wc -l) packets, $n_isakmp ISAKMP, no Malformed, no expert warning/error"

# ---- 2. field by field ----
fields=(frame.number ip.src ip.dst ip.len udp.srcport udp.dstport
        isakmp.ispi isakmp.rspi isakmp.version isakmp.exchangetype isakmp.flag_e isakmp.messageid
        isakmp.length isakmp.typepayload isakmp.sa.doi isakmp.sa.situation isakmp.prop.protoid
        isakmp.prop.transforms isakmp.trans.id isakmp.ike.attr.encryption_algorithm
        isakmp.ike.attr.key_length isakmp.ike.attr.hash_algorithm
        isakmp.ike.attr.authentication_method isakmp.ike.attr.group_description
        isakmp.ike.attr.life_type isakmp.ike.attr.life_duration isakmp.vid_bytes
        isakmp.key_exchange.data isakmp.nonce isakmp.ike.nat_hash esp.spi esp.sequence
        _ws.malformed _ws.expert.severity)
targs=()
for f in "${fields[@]}"; do targs+=(-e "$f"); done
tshark -r "$cap" -Y "isakmp || esp || ip.proto == 50" -T fields -E occurrence=a -E aggregator='|' \
  -E separator=/t "${targs[@]}" 2>/dev/null >"$IKG_TMP/fields.tsv"

"$IKGD_PY" - "$IKG_TMP/fields.tsv" "$GWA_WAN" "$GWB_WAN" "$icookie" "$rcookie" "$spi_a" "$spi_b" "${fields[@]}" <<'EOF' || fail "the capture does not read as expected (above)"
import hashlib, ipaddress, struct, sys
path, A, B, icky, rcky, spi_a, spi_b = sys.argv[1:8]
names = sys.argv[8:]
rows = []
for line in open(path):
    v = line.rstrip("\n").split("\t")
    rows.append(dict(zip(names, v + [""] * (len(names) - len(v)))))
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond
def say(msg, since=None):
    """print a summary line, unless checks failed since the error count `since`"""
    if since is None or len(errors) == since:
        sys.stderr.write("  " + msg + "\n")

ike = [r for r in rows if r["isakmp.exchangetype"]]
esp = [r for r in rows if r["esp.spi"]]
for r in rows:
    check(not r["_ws.malformed"] and not any(int(s or 0) >= 0x600000 for s in r["_ws.expert.severity"].split("|")),
          "frame %s: malformed or expert warning" % r["frame.number"])

# every ISAKMP packet: our cookies, version 1.0
for r in ike:
    check(r["isakmp.ispi"] == icky, "frame %s: initiator cookie %s, show ike sa says %s" % (r["frame.number"], r["isakmp.ispi"], icky))
    check(r["isakmp.version"] == "0x10", "frame %s: version %s" % (r["frame.number"], r["isakmp.version"]))

mm = [r for r in ike if r["isakmp.exchangetype"] == "2"]
qm = [r for r in ike if r["isakmp.exchangetype"] == "32"]
info = [r for r in ike if r["isakmp.exchangetype"] == "5"]
check(len(mm) == 6, "main mode: %d messages, expected 6" % len(mm))
check(len(qm) == 3, "quick mode: %d messages, expected 3" % len(qm))
check(len(ike) >= 9 and [r["isakmp.exchangetype"] for r in ike[:9]] == ["2"] * 6 + ["32"] * 3,
      "exchange types in order: %s" % [r["isakmp.exchangetype"] for r in ike])
if errors:
    for e in errors: say(e)
    sys.exit(1)

for i, r in enumerate(mm):
    want_src, want_dst = (A, B) if i % 2 == 0 else (B, A)
    check((r["ip.src"], r["ip.dst"]) == (want_src, want_dst), "main mode %d: %s -> %s" % (i + 1, r["ip.src"], r["ip.dst"]))
    check(r["isakmp.rspi"] == ("0000000000000000" if i == 0 else rcky), "main mode %d: responder cookie %s" % (i + 1, r["isakmp.rspi"]))
    check(r["isakmp.messageid"] == "0x00000000", "main mode %d: message id %s" % (i + 1, r["isakmp.messageid"]))
    check(r["isakmp.flag_e"] == ("1" if i >= 4 else "0"), "main mode %d: encryption flag %s" % (i + 1, r["isakmp.flag_e"]))

# messages 1 and 2: SA with the configured transform, vendor IDs
RFC3947 = "4a131c81070358455c5728f20e95452f"
DPD = "afcad71368a1f1c96b8696fc77570100"
want_attrs = {"isakmp.ike.attr.encryption_algorithm": "7", "isakmp.ike.attr.key_length": "256",
              "isakmp.ike.attr.hash_algorithm": "2", "isakmp.ike.attr.authentication_method": "1",
              "isakmp.ike.attr.group_description": "14", "isakmp.ike.attr.life_type": "1",
              "isakmp.ike.attr.life_duration": "28800"}
e0 = len(errors)
for i in (0, 1):
    r = mm[i]
    pl = r["isakmp.typepayload"].split("|")
    check(pl[:3] == ["1", "2", "3"], "main mode %d: payloads %s, expected SA/proposal/transform first" % (i + 1, pl))
    check(r["isakmp.sa.doi"] == "1" and r["isakmp.sa.situation"] == "00000001", "main mode %d: DOI %s situation %s" % (i + 1, r["isakmp.sa.doi"], r["isakmp.sa.situation"]))
    check(r["isakmp.prop.protoid"] == "1" and r["isakmp.trans.id"].split("|")[0] == "1", "main mode %d: proposal protocol %s transform %s (want ISAKMP/KEY_IKE)" % (i + 1, r["isakmp.prop.protoid"], r["isakmp.trans.id"]))
    for f, w in want_attrs.items():
        got = r[f].split("|")[0]
        check(got == w, "main mode %d: %s = %s, configured %s" % (i + 1, f, got or "(absent)", w))
    vids = r["isakmp.vid_bytes"].split("|")
    check(RFC3947 in vids, "main mode %d: no RFC 3947 NAT-T vendor ID (%s)" % (i + 1, vids))
    check(DPD in vids, "main mode %d: no RFC 3706 DPD vendor ID (%s)" % (i + 1, vids))
if check(mm[1]["isakmp.prop.transforms"] == "1", "main mode 2: %s transforms, a responder chooses exactly 1" % mm[1]["isakmp.prop.transforms"]):
    say("main mode 1/2: SA DOI 1, situation identity-only, KEY_IKE aes256/sha1/PSK/group 14/28800 s; vendor IDs %s" % mm[0]["isakmp.vid_bytes"].replace("|", " "), e0)

# messages 3 and 4: KE (group 14: 256 bytes), nonce, 2 NAT-D = SHA1(CKY-I | CKY-R | IP | port)
e0 = len(errors)
def natd(ip, port):
    return hashlib.sha1(bytes.fromhex(icky) + bytes.fromhex(rcky) + ipaddress.IPv4Address(ip).packed + struct.pack("!H", port)).hexdigest()
for i in (2, 3):
    r = mm[i]
    check(r["isakmp.typepayload"] == "4|10|20|20", "main mode %d: payloads %s, expected KE|NONCE|NAT-D|NAT-D" % (i + 1, r["isakmp.typepayload"]))
    check(len(r["isakmp.key_exchange.data"]) == 512, "main mode %d: KE data %d bytes, group 14 needs 256" % (i + 1, len(r["isakmp.key_exchange.data"]) // 2))
    n = len(r["isakmp.nonce"]) // 2
    check(8 <= n <= 256, "main mode %d: nonce of %d bytes" % (i + 1, n))
    hashes = r["isakmp.ike.nat_hash"].split("|")
    sport, dport = int(r["udp.srcport"]), int(r["udp.dstport"])
    want = [natd(r["ip.dst"], dport), natd(r["ip.src"], sport)]
    check(hashes == want, "main mode %d: NAT-D %s, recomputed (dst, src) %s" % (i + 1, hashes, want))
say("main mode 3/4: KE 256 bytes, nonce %d/%d bytes, NAT-D hashes match SHA1(cookies|addr|port) for both directions" % (len(mm[2]["isakmp.nonce"]) // 2, len(mm[3]["isakmp.nonce"]) // 2), e0)

# encrypted messages: flag, whole AES blocks after the 28-byte header
e0 = len(errors)
for name, r in [("main mode 5", mm[4]), ("main mode 6", mm[5])] + [("quick mode %d" % (i + 1), q) for i, q in enumerate(qm)] + [("informational %d" % (i + 1), x) for i, x in enumerate(info)]:
    check(r["isakmp.flag_e"] == "1", "%s: encryption flag not set" % name)
    body = int(r["isakmp.length"]) - 28
    check(body > 0 and body % 16 == 0, "%s: encrypted body of %d bytes is not whole AES blocks" % (name, body))
    check(r["isakmp.rspi"] == rcky, "%s: responder cookie %s" % (name, r["isakmp.rspi"]))
ids = {q["isakmp.messageid"] for q in qm}
check(len(ids) == 1 and "0x00000000" not in ids, "quick mode message ids %s: expected one non-zero id" % ids)
check([(q["ip.src"], q["ip.dst"]) for q in qm] == [(A, B), (B, A), (A, B)], "quick mode directions %s" % [(q["ip.src"], q["ip.dst"]) for q in qm])
say("main mode 5/6, quick mode 1-3 (message id %s): encrypted, exchange types 2 and 32, whole AES blocks" % next(iter(ids)), e0)
info_a = [x for x in info if x["ip.src"] == A]
if check(len(info_a) >= 1, "no informational exchange (delete) from gwA after it stopped"):
    check(all(x["isakmp.messageid"] != "0x00000000" for x in info_a), "informational with message id 0")
    say("%d informational exchange(s) (exchange type 5, encrypted) from gwA when it stopped" % len(info_a))

# ESP: SPIs of show ipsec sa, sequence numbers 1..n, CBC + HMAC-SHA256-128 sizes
for src, dst, spi in ((A, B, spi_a), (B, A, spi_b)):
    e0 = len(errors)
    pk = [r for r in esp if r["ip.src"] == src]
    check(len(pk) >= 3, "ESP %s -> %s: %d packets, expected >= 3" % (src, dst, len(pk)))
    spis = {r["esp.spi"] for r in pk}
    check(spis == {"0x" + spi}, "ESP %s -> %s: SPIs %s, show ipsec sa says 0x%s" % (src, dst, spis, spi))
    seqs = [int(r["esp.sequence"]) for r in pk]
    check(seqs == list(range(1, len(pk) + 1)), "ESP %s -> %s: sequence numbers %s" % (src, dst, seqs))
    for r in pk:
        check(r["ip.dst"] == dst, "ESP frame %s: to %s" % (r["frame.number"], r["ip.dst"]))
        body = int(r["ip.len"]) - 20 - 8 - 16 - 16
        check(body > 0 and body % 16 == 0, "ESP frame %s: IP length %s does not fit SPI/seq + IV + n*16 + ICV 16" % (r["frame.number"], r["ip.len"]))
    say("ESP %s -> %s: %d packets, SPI 0x%s, sequence %s, IP length %s" % (src, dst, len(pk), spi, seqs, sorted({r["ip.len"] for r in pk})), e0)
for r in rows:
    check(not any(a.startswith("10.") for a in (r["ip.src"] + "|" + r["ip.dst"]).split("|")), "frame %s: LAN address in clear" % r["frame.number"])
if errors:
    for e in errors: say("ERROR: " + e)
    sys.exit(1)
EOF
log "PASS"
