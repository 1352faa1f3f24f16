#!/bin/sh
# Real-format check of the ISAKMP builders: writes a pcap of IKEv1 messages with $1 into $2,
# then lets tshark dissect it. Fails on any "Malformed" or expert error/warning; skips (77)
# when tshark is not installed.
set -u
gen=$1
pcap=$2
out="$pcap.txt"

"$gen" "$pcap" || { echo "FAIL: $gen could not build the messages"; exit 1; }
if [ ! -x /usr/bin/tshark ]; then
	echo "SKIP: /usr/bin/tshark not installed"
	exit 77
fi
# -n: no name resolution; checksums validated (ours come from wire/ipv4.c); HOME and
# XDG_CONFIG_HOME point at a scratch dir so that no user profile changes the output
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT
HOME=$scratch XDG_CONFIG_HOME=$scratch /usr/bin/tshark -n \
	-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -r "$pcap" -V >"$out" 2>"$out.err"
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: tshark exited $rc"; cat "$out.err"; exit 1
fi
fail=0
if grep -n -i 'malformed' "$out"; then echo "FAIL: malformed packet"; fail=1; fi
if grep -n 'Expert Info (Error' "$out"; then echo "FAIL: expert error"; fail=1; fi
if grep -n '\[Expert Info (Warning' "$out"; then echo "FAIL: expert warning"; fail=1; fi
# and tshark must actually have dissected what we built
expect() {
	n=$(grep -c -- "$1" "$out")
	if [ "$n" -ne "$2" ]; then echo "FAIL: expected $2 x '$1', got $n"; fail=1; fi
}
expect 'Internet Security Association and Key Management Protocol' 4
expect '\[Header checksum status: Good\]' 4
expect '\[Checksum Status: Good\]' 4
expect 'Exchange type: Identity Protection (Main Mode) (2)' 2
expect 'Exchange type: Informational (5)' 1
expect 'Exchange type: Quick Mode (32)' 1
expect 'Payload: Security Association (1)' 2
expect 'Payload: Transform (3) # ' 4
expect 'Transform ID: KEY_IKE (1)' 3
expect 'Life Duration: 28800' 3
expect 'Life Duration: 3600' 1
expect 'Vendor ID: RFC 3947 Negotiation of NAT-Traversal' 1
expect 'Vendor ID: RFC 3706 DPD' 1
expect 'Payload: Key Exchange (4)' 1
expect 'Payload: Nonce (10)' 2
expect 'Payload: NAT-D (RFC 3947) (20)' 2
expect 'Notify Message Type: INITIAL-CONTACT (24578)' 1
expect 'Delete SPI: c0ffee0[12]' 2
expect 'Identification Data:192.168.1.0/255.255.255.0' 1
expect 'Identification Data:10.20.0.0/255.255.0.0' 1
[ $fail -eq 0 ] && echo "OK: tshark dissects $(grep -c '^Frame ' "$out") IKEv1 packets cleanly"
exit $fail
