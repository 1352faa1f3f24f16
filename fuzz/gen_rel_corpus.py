#!/usr/bin/python3
"""Writes the seed corpora of the reliability fuzz targets:

  fuzz/corpus/ipsec_input/  fuzz_ipsec_input: ESP/AH packets encrypted by scapy (an encoder
                            independent of ours) with the target's SA keys (mode 0), records of
                            the encapsulate/tamper/replay mode (1), forged plaintexts with valid
                            trailers (2), split packets (3)
  fuzz/corpus/config/       fuzz_config: the unit-test configurations and every gateway block
                            of the shipped lab scenarios
  fuzz/corpus/scenario/     fuzz_scenario: the shipped lab scenarios
  fuzz/corpus/gw_wan/       fuzz_gw_wan: one record of each kind, and the packets of a real
                            capture (fuzz/captures/*.pcap: two ikegated in namespaces, main
                            mode, quick mode, ESP, DPD, deletes; written by
                            tests/ns/hostile_esp.sh with IKG_CAPTURE_TO=...)

Usage: /usr/bin/python3 fuzz/gen_rel_corpus.py [ROOT]   (ROOT: the source tree, default ..)
"""
import glob
import os
import re
import struct
import sys

from scapy.all import AH, ESP, ICMP, IP, UDP, Raw, SecurityAssociation, rdpcap

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
corpus = os.path.join(root, "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_ipsec_input ------------------------------------------------------------------------
# The SAs of fuzz/fuzz_ipsec_input.c (index: protocol, enc, integ, spi, udp); keymat[i][k] =
# 0x11 * (i + 1) + 7 k (mod 256): the encryption key (with the GCM salt) then the integrity key.
GW_A, GW_B = "192.0.2.1", "192.0.2.2"
SAS = [
    ("esp", "AES-CBC", 16, "HMAC-SHA1-96", 20, 0x1001, False),
    ("esp", "AES-GCM", 20, None, 0, 0x1002, False),
    ("esp", "NULL", 0, "SHA2-256-128", 32, 0x1003, False),
    ("ah", None, 0, "HMAC-SHA1-96", 20, 0x2001, False),
    ("esp", "AES-CBC", 32, "SHA2-512-256", 64, 0x1004, False),
    ("esp", "AES-CBC", 16, "HMAC-SHA1-96", 20, 0x1005, True),
    ("ah", None, 0, "SHA2-512-256", 64, 0x2002, False),
    ("esp", "AES-GCM", 36, None, 0, 0x1006, False),
]


def keymat(i):
    return bytes((0x11 * (i + 1) + 7 * k) & 0xFF for k in range(100))


def inner_packet(n=0):
    return IP(src="10.1.1.5", dst="10.2.2.7", id=n) / ICMP(type=8, id=0x42, seq=n) / Raw(b"ikegate seed %d" % n)


def scapy_sa(i):
    proto, enc, elen, integ, ilen, spi, udp = SAS[i]
    km = keymat(i)
    kw = dict(spi=spi, tunnel_header=IP(src=GW_A, dst=GW_B))
    if udp:
        kw["nat_t_header"] = UDP(sport=4500, dport=4500)
    if proto == "ah":
        return SecurityAssociation(AH, auth_algo=integ, auth_key=km[:ilen], **kw)
    kw["crypt_algo"] = enc
    kw["crypt_key"] = km[:elen] if elen else None
    if integ:
        kw["auth_algo"] = integ
        kw["auth_key"] = km[elen:elen + ilen]
    return SecurityAssociation(ESP, **kw)


def ipsec_seeds():
    for i in range(len(SAS)):
        sa = scapy_sa(i)
        for seq in (1, 2, 200):
            p = sa.encrypt(inner_packet(seq), seq_num=seq)
            if UDP in p:       # scapy 2.5 leaves the NAT-T header's length at 8: fix it
                p[UDP].len = 8 + len(p[UDP].payload)
                p[UDP].chksum = 0
                p = IP(bytes(p))
            write("ipsec_input", "m0_sa%d_seq%d.bin" % (i, seq), b"\x00" + bytes(p))
    # an unknown SPI, IPComp, a fragment, a bare header
    write("ipsec_input", "m0_unknown_spi.bin", b"\x00" + bytes(IP(src=GW_A, dst=GW_B, proto=50) / Raw(struct.pack(">II", 0xDEAD, 1) + bytes(48))))
    write("ipsec_input", "m0_ipcomp.bin", b"\x00" + bytes(IP(src=GW_A, dst=GW_B, proto=108) / Raw(bytes(20))))
    write("ipsec_input", "m0_fragment.bin", b"\x04" + bytes(IP(src=GW_A, dst=GW_B, proto=50, flags="MF") / Raw(struct.pack(">II", 0x1001, 1) + bytes(48))))
    # mode 1: [flags][sa][len][payload] records: intact, tampered, truncated, replayed
    icmp = bytes(ICMP(type=8, id=1, seq=1) / Raw(b"x" * 24))
    for i in range(len(SAS)):
        rec = lambda flags, pos=0: bytes([flags, i, len(icmp), pos]) + icmp
        write("ipsec_input", "m1_sa%d.bin" % i, b"\x01" + rec(1 << 2) + rec((1 << 2) | 3) + rec((1 << 2) | 1, 30) + rec((17 << 2) | 2, 40))
    # mode 2: [forgeable index][seq][len][plaintext]: inner packet + padding 1,2,.. + pad len + 4
    for k, i in enumerate((0, 1, 2, 4, 5, 7)):
        enc = SAS[i][1]
        inner = bytes(inner_packet(k))
        block = 16 if enc == "AES-CBC" else 4
        pad = (block - (len(inner) + 2) % block) % block
        pt = inner + bytes(range(1, pad + 1)) + bytes([pad, 4])
        recs = b""
        for seq in (1, 1, 300, 2, 0xFFFFFFFF):
            recs += bytes([k]) + struct.pack(">I", seq) + bytes([len(pt)]) + pt
        write("ipsec_input", "m2_sa%d.bin" % i, b"\x02" + recs)
    # mode 3: a valid packet then garbage, as separate records
    p = bytes(scapy_sa(0).encrypt(inner_packet(9), seq_num=9))
    write("ipsec_input", "m3_split.bin", b"\x03" + struct.pack(">H", len(p)) + p + struct.pack(">H", 3) + b"abc")


# ---- fuzz_config / fuzz_scenario -------------------------------------------------------------
def config_seeds():
    for f in sorted(glob.glob(os.path.join(root, "tests", "unit", "config", "data", "*.conf"))):
        write("config", "unit_" + os.path.basename(f), open(f, "rb").read())
    for f in sorted(glob.glob(os.path.join(root, "lab", "scenarios", "*.lab"))):
        text = open(f, encoding="utf-8", errors="replace").read()
        for n, m in enumerate(re.finditer(r"^gateway \S+ <<(\S+)\n(.*?)^\1$", text, re.S | re.M)):
            write("config", "lab_%s_%d.conf" % (os.path.basename(f)[:-4], n), m.group(2).encode())


def scenario_seeds():
    for f in sorted(glob.glob(os.path.join(root, "lab", "scenarios", "*.lab"))):
        write("scenario", os.path.basename(f), open(f, "rb").read())


# ---- fuzz_gw_wan -----------------------------------------------------------------------------
def rec(kind, data):
    return bytes([kind]) + struct.pack(">H", len(data)) + data


def gw_seeds():
    ike_hdr = bytes(range(1, 9)) + bytes(8) + bytes([1, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 28])
    esp = struct.pack(">II", 0x12345678, 1) + bytes(range(48))
    ah = bytes([4, 4, 0, 0]) + struct.pack(">II", 0x2222, 1) + bytes(12) + bytes(inner_packet(1))
    raw = bytes(IP(src=GW_A, dst=GW_B) / UDP(sport=500, dport=500) / Raw(ike_hdr))
    seeds = {
        "k0_raw_ike": rec(0, raw),
        "k1_esp_unknown_spi": rec(1, esp),
        "k2_ah": rec(2, ah),
        "k3_ipcomp": rec(3, bytes(16)),
        "k4_ike_mm1": rec(4, ike_hdr),
        "k5_natt_keepalive": rec(5, b"\xff") + rec(5, bytes(4) + ike_hdr) + rec(5, esp),
        "k6_real_esp": rec(6, b"\x00\x00hello through the tunnel") + rec(6, b"\x30\x01tampered"),
        "k7_info_enc": rec(7, bytes([8, 0]) + b"\x11\x22\x33\x44" + bytes(32)),
        "k7_quick_enc": rec(7, bytes([8, 1]) + b"\x55\x66\x77\x88" + bytes(64)),
        "k8_lan_out": rec(8, b"\x01\x11lan payload") + rec(8, b"\x02\x01icmp"),
        "k9_time": rec(9, b"\x05") + rec(6, b"\x00\x00after dpd") + rec(9, b"\x20") + rec(6, b"\x00\x00after rekey"),
    }
    for name, data in seeds.items():
        write("gw_wan", name + ".bin", data)
    # real captures: every packet of each capture as one kind-0 record list (first 60 packets),
    # and each IKE datagram alone as a kind-4 record
    for f in sorted(glob.glob(os.path.join(root, "fuzz", "captures", "*.pcap*"))):
        base = os.path.basename(f).split(".")[0]
        pkts = [bytes(p[IP]) for p in rdpcap(f) if IP in p]
        write("gw_wan", "cap_%s_all.bin" % base, b"".join(rec(0, p) for p in pkts[:60]))
        for n, p in enumerate(pkts[:40]):
            ip = IP(p)
            if UDP in ip and ip[UDP].dport in (500, 4500):
                write("gw_wan", "cap_%s_%02d_udp%d.bin" % (base, n, ip[UDP].dport),
                      rec(4 if ip[UDP].dport == 500 else 5, bytes(ip[UDP].payload)))
            elif ip.proto in (50, 51):
                write("gw_wan", "cap_%s_%02d_p%d.bin" % (base, n, ip.proto), rec(0, p))


ipsec_seeds()
config_seeds()
scenario_seeds()
gw_seeds()
for t in ("ipsec_input", "config", "scenario", "gw_wan"):
    print("%s: %d seeds" % (t, len(os.listdir(os.path.join(corpus, t)))))
