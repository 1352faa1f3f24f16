#!/usr/bin/env python3
"""Independent Diffie-Hellman reference in pure Python (no OpenSSL).

Usage: dh_ref.py PATH/TO/dh_dump
- MODP primes are rebuilt from their definition (RFC 2409 section 6, RFC 3526):
  p = 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) * pi) + k), checked to be safe primes.
- P-256 / P-384 are implemented with affine arithmetic; the curve constants are checked
  (G on the curve, n*G = infinity) and the RFC 5903 section 8 test vectors are reproduced.
- dh_dump (src/crypto/dh.c) is run per group; its public values must equal pow(2, x, p) (MODP)
  or k*G as x|y (ECP) and its shared secrets must equal pow(y, x, p) / x(k*Y).
"""
import random
import subprocess
import sys

# --- MODP ---------------------------------------------------------------------------------
MODP = {  # group: (bits, k, private exponent bits used by src/crypto/dh.c)
    1: (768, 149686, 256), 2: (1024, 129093, 256), 5: (1536, 741804, 256),
    14: (2048, 124476, 320), 15: (3072, 1690314, 420), 16: (4096, 240904, 480),
}


def arctan_inv(x, one):
    """arctan(1/x) * one in integer arithmetic."""
    total = term = one // x
    x2, k, sign = x * x, 1, -1
    while term:
        term //= x2
        total += sign * (term // (2 * k + 1))
        sign, k = -sign, k + 1
    return total


def pi_floor_scaled(bits):
    """floor(pi * 2^bits), computed with 64 guard bits (Machin's formula)."""
    one = 1 << (bits + 64)
    pi = 16 * arctan_inv(5, one) - 4 * arctan_inv(239, one)
    return pi >> 64


def is_probable_prime(n, rounds):
    if n < 4 or n % 2 == 0:
        return n in (2, 3)
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    rng = random.Random(n)
    for _ in range(rounds):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def modp_prime(group):
    n, k, _ = MODP[group]
    return 2**n - 2**(n - 64) - 1 + 2**64 * (pi_floor_scaled(n - 130) + k)


# --- ECP ----------------------------------------------------------------------------------
CURVES = {  # group: (p, b, Gx, Gy, n); a = -3
    19: (2**256 - 2**224 + 2**192 + 2**96 - 1,
         0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b,
         0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
         0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5,
         0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551),
    20: (2**384 - 2**128 - 2**96 + 2**32 - 1,
         int("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a"
             "c656398d8a2ed19d2a85c8edd3ec2aef", 16),
         int("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38"
             "5502f25dbf55296c3a545e3872760ab7", 16),
         int("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0"
             "0a60b1ce1d7e819d7a431d7c90ea0e5f", 16),
         int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
             "581a0db248b0a77aecec196accc52973", 16)),
}

# RFC 5903 section 8.1 (P-256) and 8.2 (P-384): i, g^i (x, y), r, g^r (x, y), g^ir x.
RFC5903 = {
    19: ("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
         "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
         "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
         "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
         "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
         "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
         "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"),
    20: ("099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
         "E35B538041E649EE3FAEF896783AB194",
         "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
         "DE3AC808ACB4BDB4C88732AEE95F41AA",
         "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
         "EB9FCFF3C2C947DAE69B4C634573A81C",
         "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
         "E0308312916B8ED2960E4BD55A7448FC",
         "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
         "0D1AC43A0336DEF96FDA41D0774A3571",
         "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
         "F83FA40142209DFF5EAAD96DB9E6386C",
         "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
         "D603135569B9E9D09CF5D4A270F59746"),
}


def ec_add(c, P, Q):
    p = c[0]
    if P is None:
        return Q
    if Q is None:
        return P
    if P[0] == Q[0] and (P[1] + Q[1]) % p == 0:
        return None
    if P == Q:
        lam = (3 * P[0] * P[0] - 3) * pow(2 * P[1], -1, p) % p
    else:
        lam = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
    x = (lam * lam - P[0] - Q[0]) % p
    return (x, (lam * (P[0] - x) - P[1]) % p)


def ec_mul(c, k, P):
    R = None
    for bit in bin(k)[2:]:
        R = ec_add(c, R, R)
        if bit == "1":
            R = ec_add(c, R, P)
    return R


def on_curve(c, P):
    p, b = c[0], c[1]
    return (P[1] * P[1] - (P[0] ** 3 - 3 * P[0] + b)) % p == 0


# --- checks -------------------------------------------------------------------------------
class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}")


def cyclic(raw, n, pos):
    out = bytes(raw[(pos + i) % len(raw)] for i in range(n))
    return out, (pos + n) % len(raw)


def modp_private(group, raw):
    bits = MODP[group][2]
    first, _ = cyclic(raw, (bits + 7) // 8, 0)
    return int.from_bytes(first, "big") & ((1 << bits) - 1) | (1 << (bits - 1))


def ecp_private(group, raw):
    n = CURVES[group][4]
    nbytes, pos = (n.bit_length() + 7) // 8, 0
    for _ in range(8):
        chunk, pos = cyclic(raw, nbytes, pos)
        k = int.from_bytes(chunk, "big") % n
        if k:
            return k
    return None


def dump(tool, group, ra, rb):
    res = subprocess.run([tool, str(group), ra.hex(), rb.hex()], capture_output=True,
                         text=True, check=False)
    if res.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in res.stdout.split())


def check_modp(ck, tool, primes):
    for group, p in primes.items():
        plen = MODP[group][0] // 8
        for seed in range(3):
            rng = random.Random(f"modp-{group}-{seed}")
            ra, rb = rng.randbytes(64), rng.randbytes(64)
            got = dump(tool, group, ra, rb)
            ck.check(got is not None, f"dh_dump group {group} ran")
            if got is None:
                continue
            xa, xb = modp_private(group, ra), modp_private(group, rb)
            ya, yb = pow(2, xa, p), pow(2, xb, p)
            s = pow(yb, xa, p)
            ck.check(got["pub_a"] == ya.to_bytes(plen, "big").hex(), f"modp{group} pub_a")
            ck.check(got["pub_b"] == yb.to_bytes(plen, "big").hex(), f"modp{group} pub_b")
            ck.check(got["shared_ab"] == s.to_bytes(plen, "big").hex(), f"modp{group} g^xy ab")
            ck.check(got["shared_ba"] == s.to_bytes(plen, "big").hex(), f"modp{group} g^xy ba")


def check_ecp(ck, tool):
    for group, c in CURVES.items():
        clen = (c[0].bit_length() + 7) // 8
        G = (c[2], c[3])
        ck.check(on_curve(c, G), f"ecp{group} G on curve")
        ck.check(ec_mul(c, c[4], G) is None, f"ecp{group} n*G = infinity")
        i, gix, giy, r, grx, gry, girx = (int(h, 16) for h in RFC5903[group])
        ck.check(ec_mul(c, i, G) == (gix, giy), f"ecp{group} RFC 5903 g^i")
        ck.check(ec_mul(c, r, G) == (grx, gry), f"ecp{group} RFC 5903 g^r")
        ck.check(ec_mul(c, r, (gix, giy))[0] == girx, f"ecp{group} RFC 5903 g^ir")

        vectors = [(i.to_bytes(clen, "big"), r.to_bytes(clen, "big"))]
        for seed in range(2):
            rng = random.Random(f"ecp-{group}-{seed}")
            vectors.append((rng.randbytes(clen), rng.randbytes(clen)))
        vectors.append((b"\xff" * clen, b"\x00" * clen + b"\x07"))  # reduced mod n; redrawn
        for ra, rb in vectors:
            got = dump(tool, group, ra, rb)
            ck.check(got is not None, f"dh_dump group {group} ran")
            if got is None:
                continue
            ka, kb = ecp_private(group, ra), ecp_private(group, rb)
            A, B = ec_mul(c, ka, G), ec_mul(c, kb, G)
            enc = lambda P: (P[0].to_bytes(clen, "big") + P[1].to_bytes(clen, "big")).hex()
            sx = ec_mul(c, ka, B)[0].to_bytes(clen, "big").hex()
            ck.check(got["pub_a"] == enc(A), f"ecp{group} pub_a")
            ck.check(got["pub_b"] == enc(B), f"ecp{group} pub_b")
            ck.check(got["shared_ab"] == sx, f"ecp{group} shared ab")
            ck.check(got["shared_ba"] == sx, f"ecp{group} shared ba")
        if group in RFC5903:
            got = dump(tool, group, vectors[0][0], vectors[0][1])
            ck.check(got is not None and got["shared_ab"] == f"{girx:0{2 * clen}x}",
                     f"ecp{group} dh.c reproduces RFC 5903 g^ir")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    tool = sys.argv[1]
    ck = Checks()
    primes = {g: modp_prime(g) for g in MODP}
    for g, p in primes.items():
        bits = MODP[g][0]
        ck.check(p.bit_length() == bits and p >> (bits - 64) == 2**64 - 1
                 and p % 2**64 == 2**64 - 1, f"modp{g} shape")
        rounds = 4 if bits <= 2048 else 2
        ck.check(is_probable_prime(p, rounds) and is_probable_prime((p - 1) // 2, rounds),
                 f"modp{g} safe prime")
    ck.check(f"{primes[2]:x}".startswith("ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd1"),
             "modp2 leading digits as printed in RFC 2409")
    check_modp(ck, tool, primes)
    check_ecp(ck, tool)
    print(f"dh_ref: {ck.passed} checks passed, {ck.failed} failed")
    return 0 if ck.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
