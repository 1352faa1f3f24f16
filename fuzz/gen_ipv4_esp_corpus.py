#!/usr/bin/python3
"""Writes the seed corpus of fuzz_ipv4_esp (fuzz/corpus/ipv4_esp/) with scapy, an encoder
independent of ours: IPv4/UDP 500 IKE, UDP 4500 non-ESP-marker IKE, ESP-in-UDP, NAT-T
keepalive, raw ESP, AH, TCP, ICMP echo, an IPv4 header with options, a fragment.
Usage: /usr/bin/python3 fuzz/gen_ipv4_esp_corpus.py [OUTDIR]"""
import os
import sys

from scapy.all import AH, ESP, ICMP, IP, TCP, UDP, Raw

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "ipv4_esp")
os.makedirs(out, exist_ok=True)
ike = bytes(range(8)) + bytes(8) + bytes([1, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 28])
a, b = "192.0.2.1", "198.51.100.2"
pkts = {
    "udp500_ike": IP(src=a, dst=b) / UDP(sport=500, dport=500) / Raw(ike),
    "udp4500_ike": IP(src=a, dst=b) / UDP(sport=4500, dport=4500) / Raw(bytes(4) + ike),
    "udp4500_esp": IP(src=a, dst=b) / UDP(sport=4500, dport=4500, chksum=0)
    / ESP(spi=0xC0FFEE01, seq=1, data=bytes(range(48))),
    "udp4500_keepalive": IP(src=a, dst=b) / UDP(sport=4500, dport=4500) / Raw(b"\xff"),
    "esp": IP(src=a, dst=b, proto=50) / ESP(spi=0x1234, seq=7, data=bytes(range(40))),
    "ah": IP(src=a, dst=b) / AH(spi=0x4321, seq=3, nh=4, payloadlen=4, icv=bytes(12)) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(),
    "tcp": IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=12345, dport=80, flags="S"),
    "icmp_echo": IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping"),
    "ip_options": IP(src=a, dst=b, options=b"\x01\x01\x01\x00") / UDP(sport=1, dport=2) / Raw(b"x"),
    "fragment": IP(src=a, dst=b, flags="MF", frag=0, id=9) / UDP(sport=500, dport=500) / Raw(ike),
}
for name, p in pkts.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(bytes(p))
print(f"wrote {len(pkts)} seeds to {out}")
