#!/usr/bin/env python3
"""Independent RFC 2409 (IKEv1, pre-shared key) reference, using only hashlib/hmac.

Usage: rfc2409_ref.py PATH/TO/keys_dump
Runs keys_dump (src/ike/keys.c) for many hash x cipher cases and compares every value it prints
with the values computed here. Exit status 0 only when every value of every case matches.
"""
import hashlib
import hmac
import subprocess
import sys

HASH_LEN = {"md5": 16, "sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}
CIPHER = {  # name: (key length, block length)
    "des": (8, 8), "3des": (24, 8), "aes128": (16, 16), "aes192": (24, 16), "aes256": (32, 16),
}


def prf(h, key, *parts):
    return hmac.new(key, b"".join(parts), h).digest()


def digest(h, *parts):
    return hashlib.new(h, b"".join(parts)).digest()


def derive(h, cipher, v):
    """RFC 2409 section 5 / 5.5 / 5.7 and appendix B."""
    key_len, block_len = CIPHER[cipher]
    out = {}
    skeyid = prf(h, v["psk"], v["ni"], v["nr"])
    base = v["gxy"] + v["ckyi"] + v["ckyr"]
    skeyid_d = prf(h, skeyid, base, b"\x00")
    skeyid_a = prf(h, skeyid, skeyid_d, base, b"\x01")
    skeyid_e = prf(h, skeyid, skeyid_a, base, b"\x02")
    out.update(skeyid=skeyid, skeyid_d=skeyid_d, skeyid_a=skeyid_a, skeyid_e=skeyid_e)

    if len(skeyid_e) >= key_len:
        enc = skeyid_e[:key_len]
    else:  # appendix B: Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1)
        ka, kn = b"", b"\x00"
        while len(ka) < key_len:
            kn = prf(h, skeyid_e, kn)
            ka += kn
        enc = ka[:key_len]
    out["enc_key"] = enc
    out["iv"] = digest(h, v["gxi"], v["gxr"])[:block_len]

    out["hash_i"] = prf(h, skeyid, v["gxi"], v["gxr"], v["ckyi"], v["ckyr"], v["sai"], v["idii"])
    out["hash_r"] = prf(h, skeyid, v["gxr"], v["gxi"], v["ckyr"], v["ckyi"], v["sai"], v["idir"])
    out["iv_msgid"] = digest(h, v["p1last"], v["msgid"])[:block_len]

    out["qm_hash1"] = prf(h, skeyid_a, v["msgid"], v["qmrest"])
    out["qm_hash2"] = prf(h, skeyid_a, v["msgid"], v["qni"], v["qmrest"])
    out["qm_hash3"] = prf(h, skeyid_a, b"\x00", v["msgid"], v["qni"], v["qnr"])

    def keymat(g):
        seed = g + bytes([v["proto"]]) + v["spi"] + v["qni"] + v["qnr"]
        km, kn = b"", b""
        while len(km) < v["keymatlen"]:
            kn = prf(h, skeyid_d, kn, seed)
            km += kn
        return km[: v["keymatlen"]]

    out["keymat"] = keymat(b"")
    out["keymat_pfs"] = keymat(v["gqm"])
    return out


class Stream:
    """Deterministic test bytes (SHA-256 in counter mode)."""

    def __init__(self, seed):
        self.seed, self.ctr = seed.encode(), 0

    def take(self, n):
        out = b""
        while len(out) < n:
            out += hashlib.sha256(self.seed + self.ctr.to_bytes(4, "big")).digest()
            self.ctr += 1
        return out[:n]


def make_inputs(case_no, h, cipher):
    s = Stream(f"case-{case_no}-{h}-{cipher}")
    gsize = [96, 128, 192, 256, 64, 96, 512][case_no % 7]
    block = CIPHER[cipher][1]
    psk_len = [0, 1, 6, 20, 64, 65, 140][case_no % 7]
    return {
        "psk": s.take(psk_len),
        "ni": s.take(8 + case_no % 57), "nr": s.take(16 + case_no % 41),
        "gxy": s.take(gsize // 2 if gsize in (64, 96) and case_no % 2 else gsize),
        "gxi": s.take(gsize), "gxr": s.take(gsize),
        "ckyi": s.take(8), "ckyr": s.take(8),
        "sai": s.take(40 + case_no * 3), "idii": s.take(8), "idir": s.take(4 + case_no % 12),
        "p1last": s.take(block), "msgid": s.take(4),
        "qmrest": s.take(100 + case_no), "qni": s.take(16 + case_no % 17),
        "qnr": s.take(20 + case_no % 13), "gqm": s.take(gsize),
        "spi": s.take(4), "proto": [3, 2][case_no % 2],
        "keymatlen": [16, 20, 36, 40, 64, 72, 100, 160][case_no % 8],
    }


def run_case(tool, h, cipher, v):
    args = [tool, f"prf={h}", f"cipher={cipher}", f"proto={v['proto']}",
            f"keymatlen={v['keymatlen']}"]
    args += [f"{k}={v[k].hex()}" for k in v if isinstance(v[k], bytes)]
    res = subprocess.run(args, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        print(f"FAIL {h}/{cipher}: keys_dump exited {res.returncode}: {res.stderr.strip()}")
        return False, 0
    got = dict(line.split("=", 1) for line in res.stdout.split())
    want = derive(h, cipher, v)
    ok = True
    for name, value in want.items():
        if got.get(name) != value.hex():
            print(f"FAIL {h}/{cipher} {name}: C {got.get(name)} != ref {value.hex()}")
            ok = False
    if set(got) != set(want):
        print(f"FAIL {h}/{cipher}: printed {sorted(got)} expected {sorted(want)}")
        ok = False
    return ok, len(want)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    tool = sys.argv[1]
    cases = [(h, c) for h in HASH_LEN for c in CIPHER]
    needs_expansion = {(h, c) for h, c in cases if HASH_LEN[h] < CIPHER[c][0]}
    for must in (("md5", "3des"), ("sha1", "aes256"), ("md5", "aes256"), ("sha1", "3des")):
        assert must in needs_expansion, must
    passed = values = 0
    for i, (h, c) in enumerate(cases):
        ok, n = run_case(tool, h, c, make_inputs(i, h, c))
        passed += ok
        values += n
    # A second pass with other input sizes for the expansion cases.
    extra = sorted(needs_expansion)
    for j, (h, c) in enumerate(extra):
        ok, n = run_case(tool, h, c, make_inputs(100 + j, h, c))
        passed += ok
        values += n
    total = len(cases) + len(extra)
    print(f"rfc2409_ref: {passed}/{total} cases passed ({values} values compared, "
          f"{len(needs_expansion)} hash/cipher pairs need appendix-B key expansion)")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
