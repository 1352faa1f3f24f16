#!/usr/bin/python3
"""Checks ESP/AH packets built by ikegate's core against independent implementations.

usage: esp_kat_check.py hmac|tshark GENERATOR

  hmac    Python's hashlib/hmac recompute the ICV of every ESP-NULL and AH packet (AH with the
          mutable IPv4 fields zeroed), and check the ESP trailer (padding 1,2,3.., next
          header 4) and the inner packet.
  tshark  wireshark's ESP dissector, given the keys through its esp_sa table, must decrypt
          every encrypted ESP packet (AES-GCM, AES-CBC, 3DES, DES; plain and in UDP 4500),
          find the ICV correct, and show the inner ICMP echo request with our payload.
          Exit 77 (skip) when tshark is not installed.
"""
import hashlib
import hmac
import os
import shutil
import subprocess
import sys
import tempfile

ICV_LEN = {"md5": 12, "sha1": 12, "sha256": 16, "sha512": 32}
HASH = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256,
        "sha512": hashlib.sha512}
GW_A, GW_B = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def ip_csum_ok(hdr):
    s = sum(int.from_bytes(hdr[i:i + 2], "big") for i in range(0, len(hdr), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def load(outdir):
    rows = []
    with open(os.path.join(outdir, "packets.txt")) as f:
        for line in f:
            kind, spi, integ, key, pkt, inner, enc = line.split()
            rows.append(dict(kind=kind, spi=int(spi, 16), integ=integ,
                             key=b"" if key == "-" else bytes.fromhex(key),
                             pkt=bytes.fromhex(pkt), inner=bytes.fromhex(inner), enc=enc))
    return rows


def outer(r):
    p = r["pkt"]
    ihl = (p[0] & 0x0f) * 4
    total = int.from_bytes(p[2:4], "big")
    name = "%s %08x" % (r["kind"], r["spi"])
    if p[0] >> 4 != 4 or total != len(p) or not ip_csum_ok(p[:ihl]):
        fail(name + ": bad outer IPv4 header")
    if p[12:16] != GW_A or p[16:20] != GW_B:
        fail(name + ": outer addresses")
    return p, ihl


def check_esp_null(r, seq):
    p, ihl = outer(r)
    name = "esp %08x #%d" % (r["spi"], seq)
    if p[9] != 50:
        fail(name + ": protocol %d" % p[9])
        return
    esp = p[ihl:]
    n = ICV_LEN[r["integ"]]
    want = hmac.new(r["key"], esp[:-n], HASH[r["integ"]]).digest()[:n]
    if want != esp[-n:]:
        fail(name + ": ICV %s, hmac says %s" % (esp[-n:].hex(), want.hex()))
    if int.from_bytes(esp[0:4], "big") != r["spi"] or int.from_bytes(esp[4:8], "big") != seq:
        fail(name + ": SPI/sequence")
    body = esp[8:-n]
    pad_len, next_hdr = body[-2], body[-1]
    if next_hdr != 4:
        fail(name + ": next header %d" % next_hdr)
    if body[-2 - pad_len:-2] != bytes(range(1, pad_len + 1)) or len(body) % 4 or pad_len > 3:
        fail(name + ": padding")
    if body[:-2 - pad_len] != r["inner"]:
        fail(name + ": inner packet differs")


def check_ah(r, seq):
    p, ihl = outer(r)
    name = "ah %08x #%d" % (r["spi"], seq)
    if p[9] != 51:
        fail(name + ": protocol %d" % p[9])
        return
    hdr = bytearray(p[:ihl])
    for i in (1, 6, 7, 8, 10, 11):            # TOS, flags/offset, TTL, checksum
        hdr[i] = 0
    ah = p[ihl:]
    ah_len = (ah[1] + 2) * 4
    n = ICV_LEN[r["integ"]]
    if ah_len != 12 + n or ah[0] != 4:
        fail(name + ": AH length %d / next header %d" % (ah_len, ah[0]))
        return
    if int.from_bytes(ah[4:8], "big") != r["spi"] or int.from_bytes(ah[8:12], "big") != seq:
        fail(name + ": SPI/sequence")
    data = bytes(hdr) + ah[:12] + bytes(n) + ah[ah_len:]
    want = hmac.new(r["key"], data, HASH[r["integ"]]).digest()[:n]
    if want != ah[12:ah_len]:
        fail(name + ": ICV %s, hmac says %s" % (ah[12:ah_len].hex(), want.hex()))
    if ah[ah_len:] != r["inner"]:
        fail(name + ": inner packet differs")


def run_hmac(rows):
    checked = 0
    seqs = {}
    for r in rows:
        seq = seqs[r["spi"]] = seqs.get(r["spi"], 0) + 1
        if r["kind"] == "ah":
            check_ah(r, seq)
            checked += 1
        elif r["enc"] == "null":
            check_esp_null(r, seq)
            checked += 1
    if checked != 16:
        fail("expected 16 ESP-NULL/AH packets, checked %d" % checked)
    return checked


def run_tshark(rows, outdir):
    tshark = shutil.which("tshark") or "/usr/bin/tshark"
    if not os.access(tshark, os.X_OK):
        print("SKIP: tshark not installed")
        sys.exit(77)
    home = tempfile.mkdtemp(prefix="ikg-ipsec-ws-")
    try:
        conf = os.path.join(home, ".config", "wireshark")
        os.makedirs(conf)
        shutil.copy(os.path.join(outdir, "esp_sa"), os.path.join(conf, "esp_sa"))
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
        cmd = [tshark, "-n", "-r", os.path.join(outdir, "esp.pcap"),
               "-o", "esp.enable_encryption_decode:TRUE",
               "-o", "esp.enable_authentication_check:TRUE",
               "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "esp.spi",
               "-e", "esp.sequence", "-e", "esp.icv_good", "-e", "esp.protocol",
               "-e", "icmp.type", "-e", "ip.src", "-e", "ip.dst", "-e", "data.data"]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if res.returncode != 0:
        fail("tshark exited %d: %s" % (res.returncode, res.stderr))
        return 0
    if "Error" in res.stderr:
        fail("tshark: " + res.stderr.strip())
    lines = res.stdout.strip().split("\n")
    if len(lines) != len(rows):
        fail("tshark shows %d frames, wrote %d" % (len(lines), len(rows)))
        return 0
    decrypted = 0
    seqs = {}
    for r, line in zip(rows, lines):
        seq = seqs[r["spi"]] = seqs.get(r["spi"], 0) + 1
        if r["kind"] == "ah":
            continue
        num, spi, sn, good, nh, icmp_type, src, dst, data = line.split("|")
        name = "%s %08x #%d (%s, %s)" % (r["kind"], r["spi"], seq, r["enc"], r["integ"])
        payload = r["inner"][28:].hex()
        if int(spi, 16) != r["spi"] or int(sn) != seq:
            fail(name + ": tshark reads SPI %s seq %s" % (spi, sn))
        elif good != "1":
            fail(name + ": tshark says the ICV is not good (%r)" % good)
        elif icmp_type != "8" or src.split(",")[-1] != "10.1.1.5" or dst.split(",")[-1] != "10.2.2.7":
            fail(name + ": tshark did not find the inner ICMP echo (%s)" % line)
        elif data != payload:
            fail(name + ": decrypted data differs: %s" % data)
        else:
            decrypted += 1
    if decrypted != 26:
        fail("expected 26 ESP packets decrypted by tshark, got %d" % decrypted)
    return decrypted


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("hmac", "tshark"):
        print(__doc__)
        return 2
    outdir = tempfile.mkdtemp(prefix="ikg-ipsec-kat-")
    try:
        gen = subprocess.run([sys.argv[2], outdir], capture_output=True, text=True)
        if gen.returncode != 0:
            print("FAIL: generator:", gen.stderr)
            return 1
        rows = load(outdir)
        if sys.argv[1] == "hmac":
            n = run_hmac(rows)
            what = "ICVs verified by hashlib/hmac"
        else:
            n = run_tshark(rows, outdir)
            what = "packets decrypted and authenticated by tshark"
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    if failures:
        return 1
    print("OK: %d %s" % (n, what))
    return 0


if __name__ == "__main__":
    sys.exit(main())
