#!/usr/bin/env bash
# ikegate: install everything the project needs on a fresh Debian 12 machine and build it.
# Run as root. Idempotent: packages already installed are not touched again, libreswan is
# unpacked once, build directories are configured once (ninja re-runs meson when needed).
#
#   bash scripts/setup.sh            # packages + build/ + build-asan/
#   IKG_SETUP_NO_BUILD=1 bash scripts/setup.sh   # packages only
#   IKG_SETUP_FORCE_APT=1 ...        # always run apt-get update/install
set -euo pipefail

# ---- package list: append what your area needs (one name per line, # comments ok) ----------
PACKAGES=$(cat <<'EOF'
# build
meson
ninja-build
gcc
clang
pkg-config
libssl-dev
libconfig-dev
libcmocka-dev
libncurses-dev
libclang-rt-14-dev
valgrind
# tests
iproute2
iputils-ping
nftables
tshark
python3-scapy
iperf3
tmux
procps
psmisc
util-linux
mount
# strongSwan (charon run directly, configured over VICI with swanctl)
strongswan-charon
strongswan-swanctl
libcharon-extra-plugins
libstrongswan-standard-plugins
libstrongswan-extra-plugins
# libreswan's library dependencies (libreswan itself conflicts with strongSwan: it is unpacked
# into /opt/ikegate/libreswan below, not installed)
libnss3
libnspr4
libnss3-tools
libevent-core-2.1-7
libevent-pthreads-2.1-7
libunbound8
libldns3
libcurl3-nss
libldap-2.5-0
libcap-ng0
libaudit1
libcrypt1
libpam0g
libselinux1
libsystemd0
# baselines of bench/tunnel.sh (the userspace VPNs a user could pick instead) and TUN offloads
openvpn
wireguard-go
wireguard-tools
ethtool
EOF
)
# ---------------------------------------------------------------------------------------------

LIBRESWAN_PREFIX=${IKG_LIBRESWAN_PREFIX:-/opt/ikegate/libreswan}   # tests/lib/libreswan.sh: LS_PREFIX

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)

say() { printf 'setup: %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: must run as root (apt-get, network namespaces)" >&2
  exit 1
fi

package_names() { sed -e 's/#.*//' -e 's/[[:space:]]//g' <<<"$PACKAGES" | grep -v '^$'; }

missing_packages() {
  local p status
  for p in $(package_names); do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || echo "$p"
  done
}

install_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  if [ -z "$missing" ] && [ -z "${IKG_SETUP_FORCE_APT:-}" ]; then
    say "all $(package_names | wc -l) packages present"
    return 0
  fi
  say "installing: ${missing:-(forced)}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark (wireshark-common) asks whether non-root users may capture: answer no, silently.
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  apt-get update
  # shellcheck disable=SC2046
  apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    $(package_names) </dev/null
}

# libreswan conflicts with strongSwan's packages: unpack its .deb into a private prefix.
unpack_libreswan() {
  if [ -x "$LIBRESWAN_PREFIX/usr/libexec/ipsec/pluto" ]; then
    say "libreswan present in $LIBRESWAN_PREFIX"
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp"; chown _apt "$tmp" 2>/dev/null || true   # apt downloads as user _apt
  # the package lists may be empty when every package was already installed: update once
  (cd "$tmp" && apt-get download libreswan </dev/null) \
    || { apt-get update && (cd "$tmp" && apt-get download libreswan </dev/null); }
  mkdir -p "$LIBRESWAN_PREFIX.tmp"
  dpkg-deb -x "$tmp"/libreswan_*.deb "$LIBRESWAN_PREFIX.tmp"
  rm -rf "$LIBRESWAN_PREFIX" "$tmp"
  mv "$LIBRESWAN_PREFIX.tmp" "$LIBRESWAN_PREFIX"
  say "libreswan unpacked into $LIBRESWAN_PREFIX ($("$LIBRESWAN_PREFIX/usr/libexec/ipsec/pluto" --version 2>&1 | head -n1 || true))"
}

# meson setup once; afterwards ninja re-runs meson by itself when a meson.build changes.
# A build failure does not stop the other build directory; setup exits 1 at the end.
BUILD_FAILED=
configure_and_build() {
  local dir=$1; shift
  if [ ! -f "$top/$dir/build.ninja" ]; then
    if [ -f "$top/$dir/meson-private/coredata.dat" ]; then
      meson setup --wipe "$top/$dir" "$top" "$@" || { BUILD_FAILED+=" $dir(meson)"; return 0; }
    else
      meson setup "$top/$dir" "$top" "$@" || { BUILD_FAILED+=" $dir(meson)"; return 0; }
    fi
  fi
  # -k 0: build every target that can be built, so one broken area does not hide the others
  ninja -k 0 -C "$top/$dir" || BUILD_FAILED+=" $dir"
}

install_packages
unpack_libreswan
if [ -z "${IKG_SETUP_NO_BUILD:-}" ]; then
  configure_and_build build
  configure_and_build build-asan -Db_sanitize=address,undefined -Db_lundef=false
  if [ -n "$BUILD_FAILED" ]; then
    say "build failed in:$BUILD_FAILED"
    exit 1
  fi
fi
say "done"
