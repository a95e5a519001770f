#!/usr/bin/env bash
# build-eapol-test.sh - build wpa_supplicant's eapol_test WITH the software
# USIM/SIM simulator from Debian's `wpa` source package, for the e2e tests that
# run EAP-AKA and EAP-AKA' against our RADIUS server.
#
# Why: Debian's `eapoltest` binary package is built without
# CONFIG_USIM_SIMULATOR, so it can only do AKA with a PC/SC smart card. With the
# simulator, eapol_test runs Milenage itself from the network block's password.
#
# Usage:   sudo lab/tools/build-eapol-test.sh        (root: it runs apt-get)
# Result:  ${EAPOL_TEST_DIR:-/usr/local/lib/pakawaaz}/eapol_test
#          plus eapol_test.build-info next to it (marker: source version and
#          the simulator flags it was built with).
# Idempotent: when the binary and a matching marker exist and the binary runs,
# it exits 0 at once. Set EAPOL_TEST_FORCE=1 to rebuild anyway.
#
# Environment:
#   EAPOL_TEST_DIR        install directory      (default /usr/local/lib/pakawaaz)
#   EAPOL_TEST_FORCE=1    rebuild even if installed
#   EAPOL_TEST_WORKDIR    build directory        (default: mktemp -d, removed at exit)
#   EAPOL_TEST_KEEP=1     keep the build directory
#   EAPOL_TEST_JOBS       make -j                (default: nproc)
#
# Credential format of the simulator, verified in the Debian wpa 2:2.10 source:
#   EAP-AKA / EAP-AKA' (src/eap_peer/eap_aka.c, eap_aka_umts_auth()):
#     password="<K>:<OPc>:<SQN>"   K = 32 hex, OPc = 32 hex (the derived OPc,
#     NOT the operator OP), SQN = 12 hex; password_len must be >= 78 or the
#     peer logs "EAP-AKA: invalid Milenage password". It calls
#     milenage_check(opc, k, sqn, RAND, AUTN, ...) (src/crypto/milenage.c):
#     AMF is taken from AUTN; the SQN in AUTN (after xor AK) must be GREATER
#     than the configured SQN, else it answers AKA-Synchronization-Failure with
#     AUTS computed from the configured SQN (AMF 0000 for f1*). The configured
#     SQN is never written back, so a run with SQN=000000000000 accepts any
#     SQN > 0 from the server.
#   EAP-SIM (src/eap_peer/eap_sim.c, eap_sim_gsm_auth(), CONFIG_SIM_SIMULATOR):
#     password="<Ki>:<OPc>" (32 hex ":" 32 hex, >= 65 chars), GSM-Milenage.
#   EAP-AKA' uses the same password; the peer takes the network name from the
#   server's AT_KDF_INPUT without checking it against anything, so eapol_test
#   needs no extra option (RES is always 8 bytes: milenage_check sets res_len=8).
#   Config files, flags and output to look for: comment block at the end.
set -euo pipefail

readonly PROG=build-eapol-test
readonly INSTALL_DIR="${EAPOL_TEST_DIR:-/usr/local/lib/pakawaaz}"
readonly BIN="$INSTALL_DIR/eapol_test"
readonly MARKER="$INSTALL_DIR/eapol_test.build-info"
readonly SRC_FILE=/etc/apt/sources.list.d/pakawaaz-deb-src.sources
readonly BASE_SOURCES=/etc/apt/sources.list.d/debian.sources
# Marker schema: bump when the .config below changes, so old builds are redone.
readonly MARKER_SCHEMA=1

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

# --- 0. Already installed? ---------------------------------------------------
binary_is_good() {
  [[ -x "$BIN" && -f "$MARKER" ]] || return 1
  grep -qx "schema=$MARKER_SCHEMA" "$MARKER" || return 1
  grep -qx 'CONFIG_USIM_SIMULATOR=y' "$MARKER" || return 1
  # It must at least run (catches a missing shared library after an OpenSSL
  # upgrade). Captured, not piped into grep -q: under pipefail an early grep
  # exit would SIGPIPE the binary and fail the check.
  local version
  version=$("$BIN" -v 2>&1) || return 1
  [[ "$version" == "eapol_test v"* ]] || return 1
  # The simulator code path carries this log string; a build without
  # CONFIG_USIM_SIMULATOR does not.
  grep -aq 'Use internal Milenage implementation for UMTS authentication' "$BIN" || return 1
}

if [[ "${EAPOL_TEST_FORCE:-0}" != 1 ]] && binary_is_good; then
  log "already installed: $BIN ($(grep '^source=' "$MARKER" | cut -d= -f2-)); set EAPOL_TEST_FORCE=1 to rebuild"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "must run as root (needs apt-get for deb-src and build dependencies); $BIN is missing or stale"
command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian/Ubuntu system"

start_ts=$(date +%s)

# --- 1. deb-src source -------------------------------------------------------
have_deb_src() {
  # Is any deb-src source configured (any file, any format)?
  # Output captured first: under pipefail, `... | grep -q` can fail when grep
  # exits early and the writer gets SIGPIPE. $(CREATED_BY) is apt's syntax.
  local targets
  # shellcheck disable=SC2016
  targets=$(apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null) || return 1
  grep -qx 'Sources' <<<"$targets"
}

add_deb_src() {
  if [[ -f "$BASE_SOURCES" ]]; then
    # Same stanzas as the Debian deb822 file (URIs, Suites, Components,
    # Signed-By), only the type changed. The existing file is not edited.
    log "adding $SRC_FILE (deb-src twin of $BASE_SOURCES)"
    {
      echo "# Written by lab/tools/build-eapol-test.sh: deb-src for 'apt-get source wpa'."
      sed -E 's/^Types:.*$/Types: deb-src/' "$BASE_SOURCES"
    } >"$SRC_FILE"
  elif [[ -f /etc/apt/sources.list ]] && grep -qE '^deb[[:space:]]' /etc/apt/sources.list; then
    log "adding ${SRC_FILE%.sources}.list (deb-src twin of /etc/apt/sources.list)"
    {
      echo "# Written by lab/tools/build-eapol-test.sh: deb-src for 'apt-get source wpa'."
      sed -nE 's/^deb([[:space:]])/deb-src\1/p' /etc/apt/sources.list
    } >"${SRC_FILE%.sources}.list"
  else
    die "no $BASE_SOURCES nor 'deb' lines in /etc/apt/sources.list to derive a deb-src source from; add a deb-src entry for Debian main by hand"
  fi
}

if have_deb_src; then
  log "a deb-src source is already configured"
else
  add_deb_src
fi

log "apt-get update"
apt-get update -qq || die "apt-get update failed (is the Debian mirror reachable?)"
showsrc=$(apt-cache showsrc wpa 2>/dev/null) || showsrc=
grep -q '^Package: wpa$' <<<"$showsrc" \
  || die "apt knows no source package 'wpa' after apt-get update; check the deb-src entry in $SRC_FILE"

# --- 2. Build dependencies (minimal, for eapol_test only) --------------------
#   build-essential  gcc, make, libc6-dev
#   dpkg-dev         dpkg-source, which `apt-get source` uses to unpack (brings
#                    xz-utils/patch for the .debian.tar.xz and its patches)
#   libssl-dev       CONFIG_TLS=openssl: crypto (AES/SHA/HMAC for Milenage and
#                    the EAP-SIM/AKA key derivation) and TLS for the other methods
# Not needed, because the .config below turns their users off: libnl-3-dev /
# libnl-genl-3-dev (nl80211 driver), libdbus-1-dev (D-Bus control interface),
# libpcsclite-dev (real smart cards), libreadline-dev (wpa_cli), pkg-config
# (only used by the Makefile for libnl/dbus).
readonly BUILD_DEPS=(build-essential dpkg-dev libssl-dev)
missing=()
for p in "${BUILD_DEPS[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == 'install ok installed' ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing build dependencies: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
else
  log "build dependencies present: ${BUILD_DEPS[*]}"
fi

# --- 3. Source -----------------------------------------------------------------
if [[ -n "${EAPOL_TEST_WORKDIR:-}" ]]; then
  WORK="$EAPOL_TEST_WORKDIR"
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/build-eapol-test.XXXXXX)
  if [[ "${EAPOL_TEST_KEEP:-0}" != 1 ]]; then
    trap 'rm -rf "$WORK"' EXIT
  fi
fi
log "fetching Debian source package 'wpa' into $WORK"
# As root, apt drops to the _apt user to download, which cannot write to a
# mktemp dir owned by root (0700): tell it to stay root.
(cd "$WORK" && apt-get source -qq -o APT::Sandbox::User=root wpa >"$WORK/apt-source.log" 2>&1) \
  || { cat "$WORK/apt-source.log" >&2; die "apt-get source wpa failed (see above)"; }
SRC_DIR=$(find "$WORK" -mindepth 1 -maxdepth 1 -type d -name 'wpa-*' | head -n1)
[[ -n "$SRC_DIR" && -d "$SRC_DIR/wpa_supplicant" ]] || die "no wpa-*/wpa_supplicant directory after apt-get source in $WORK"
DSC=$(find "$WORK" -maxdepth 1 -name 'wpa_*.dsc' | head -n1)
SRC_VERSION=$(sed -n 's/^Version: //p' "$DSC")
log "source: wpa $SRC_VERSION ($SRC_DIR)"

# The simulator code must be present in this source (it always has been since
# 0.6; this guards against a repackaged source that strips it).
grep -q 'CONFIG_USIM_SIMULATOR' "$SRC_DIR/src/eap_peer/eap_aka.c" \
  || die "src/eap_peer/eap_aka.c in wpa $SRC_VERSION has no CONFIG_USIM_SIMULATOR code"

# --- 4. Configure and build -------------------------------------------------
# A .config written from scratch rather than defconfig/Debian's config: those
# enable nl80211, D-Bus, WPS, P2P, ... which eapol_test does not use and which
# would pull in libnl/dbus. eapol_test speaks RADIUS itself and needs no driver.
cd "$SRC_DIR/wpa_supplicant"
cat >.config <<'EOF'
# eapol_test for Pakawaaz e2e tests (written by lab/tools/build-eapol-test.sh)
CONFIG_EAPOL_TEST=y
CONFIG_TLS=openssl
# EAP methods under test, with the software SIM/USIM (Milenage from password=)
CONFIG_EAP_SIM=y
CONFIG_EAP_AKA=y
CONFIG_EAP_AKA_PRIME=y
CONFIG_USIM_SIMULATOR=y
CONFIG_SIM_SIMULATOR=y
# A few common methods, handy for negative tests against the same server
CONFIG_IEEE8021X_EAPOL=y
CONFIG_EAP_MD5=y
CONFIG_EAP_MSCHAPV2=y
CONFIG_EAP_TLS=y
CONFIG_EAP_PEAP=y
CONFIG_EAP_TTLS=y
CONFIG_EAP_GTC=y
CONFIG_EAP_PWD=y
# eapol_test needs a ctrl_iface type and a l2_packet even though it sends none
CONFIG_CTRL_IFACE=y
CONFIG_L2_PACKET=none
CONFIG_DRIVER_NONE=y
CONFIG_BACKEND=file
CONFIG_DEBUG_FILE=y
EOF
JOBS="${EAPOL_TEST_JOBS:-$(nproc)}"
log "building eapol_test (make -j$JOBS), log: $PWD/build.log"
if ! make eapol_test -j"$JOBS" V=1 >build.log 2>&1; then
  tail -n 40 build.log >&2
  die "make eapol_test failed (last 40 lines above)"
fi
[[ -x eapol_test ]] || die "make succeeded but wpa_supplicant/eapol_test was not produced"
grep -aq 'Use internal Milenage implementation for UMTS authentication' eapol_test \
  || die "built eapol_test lacks the USIM simulator (CONFIG_USIM_SIMULATOR not applied?)"

# --- 5. Install ---------------------------------------------------------------
install -d -m 0755 "$INSTALL_DIR"
install -m 0755 eapol_test "$BIN.new"
mv -f "$BIN.new" "$BIN"
{
  echo "schema=$MARKER_SCHEMA"
  echo "source=wpa $SRC_VERSION"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "builder=lab/tools/build-eapol-test.sh"
  grep -E '^CONFIG_' .config
} >"$MARKER"
binary_is_good || die "installed $BIN but it does not pass the self-check (run '$BIN -h')"
log "installed $BIN (wpa $SRC_VERSION) in $(($(date +%s) - start_ts)) s"

# =============================================================================
# Using it in tests (verified with this build against hostapd's RADIUS server
# + hlr_auc_gw, built from the same source, and TS 35.208 test set 1 keys).
#
# (a) EAP-AKA  - identity prefix "0" = permanent AKA identity (RFC 4187 4.1.1.6)
#   network={
#     key_mgmt=IEEE8021X
#     eap=AKA
#     identity="0001010000000001@wlan.mnc001.mcc001.3gppnetwork.org"
#     password="465b5ce8b199b49faa5f0a2ee238a6bc:cd63cb71954a9f4e48a5994e37a02baf:000000000000"
#   }
# (b) EAP-AKA' - identity prefix "6" (RFC 5448 3); same password format
#   network={
#     key_mgmt=IEEE8021X
#     eap=AKA'
#     identity="6001010000000001@wlan.mnc001.mcc001.3gppnetwork.org"
#     password="465b5ce8b199b49faa5f0a2ee238a6bc:cd63cb71954a9f4e48a5994e37a02baf:000000000000"
#   }
#   password = K:OPc:SQN (hex 32:32:12). SQN is the highest SQN the "USIM"
#   has seen: the server's SQN must be larger, else the peer sends
#   AKA-Synchronization-Failure with AT_AUTS (set it to e.g. ffa000000000 to
#   test resync). Optional: phase1="result_ind=1" makes the peer send
#   AT_RESULT_IND. EAP-SIM: eap=SIM, identity "1...", password="K:OPc".
#
# Command line:
#   eapol_test -c aka.conf -a 127.0.0.1 -p PORT -s SECRET -r0 -t 10 \
#              [-M 02:00:00:00:00:01] [-e] [-n] [-N attr_id:s|d|x:value]
#   -a/-p/-s  server IP / UDP port / shared secret (defaults 127.0.0.1/1812/radius)
#   -r0       no re-authentication; -r1 runs a second authentication, which
#             is EAP-AKA fast re-authentication (identity = the server's
#             AT_NEXT_REAUTH_ID, prefix "4"/"8"/"5" for AKA/AKA'/SIM) or a
#             pseudonym when the server sent one
#   -t SEC    overall timeout (default 30); -M sets Calling-Station-Id
#             (sent as "02-00-00-00-00-01"); -A sets NAS-IP-Address
#   -e        also send an empty EAP-Key-Name, asking the server for it
#   -n        no MPPE keys expected (without it a missing key = FAILURE)
#   Each Access-Request carries User-Name, NAS-IP-Address, Calling-Station-Id,
#   Framed-MTU=1400, NAS-Port-Type=19, Service-Type=2, Connect-Info,
#   EAP-Message, State (echoed) and Message-Authenticator.
#   Server replies are dropped ("Incoming RADIUS packet did not have correct
#   Message-Authenticator - dropped") unless they carry a valid
#   Message-Authenticator; only an Access-Reject without EAP-Message may omit it.
#
# Output (verbose debug goes to stdout; keys are shown):
#   EAP-AKA: Use internal Milenage implementation for UMTS authentication
#   Milenage: RAND/AUTN/RES/CK/IK/AK/SQN/AMF/MAC_A - hexdump(...)
#   EAP-AKA: MSK - hexdump(len=64): ...        (EAP-AKA': for AKA')
#   MS-MPPE-Send-Key (sign) - hexdump(len=32): ...   <- from Access-Accept
#   MS-MPPE-Recv-Key (crypt) - hexdump(len=32): ...
#   PMK from EAPOL - hexdump(len=32): ...      = MSK[0..31]
#   Locally derived EAP Session-Id matches EAP-Key-Name from server
#       (or "... does not match ..." / "No EAP-Key-Name received from server";
#        informational only, does not change the result)
#   MPPE keys OK: 1  mismatch: 0
#   SUCCESS                                     (exit status 0)
# eapol_test compares MSK[0..31] with MS-MPPE-Recv-Key only (RFC 2548
# salt-encrypted; Send-Key = MSK[32..63] is printed but not compared). On a
# difference it prints "WARNING: PMK mismatch" and "PMK from AS". Failure ends
# with "MPPE keys OK: 0  mismatch: 1" / "FAILURE" and a non-zero exit status
# (252 when a key mismatch was counted, which also covers Access-Reject and
# "EAPOL test timed out" unless -n is given; 253 reject, 254 timeout with -n).
# Tests should assert exit status 0 and a last line "SUCCESS".
