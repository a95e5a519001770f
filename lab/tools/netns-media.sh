#!/bin/sh
# A network namespace for media tests (docs/calls.md "Tests"). Janus ignores loopback addresses for ICE, so
# WebRTC between Janus and browsers needs a real interface; this gives tests one of their own instead of the
# host's addresses: a namespace with loopback and one end of a veth pair, the other end on the host.
#
#   netns-media.sh up   [name]          create the namespace (idempotent)
#   netns-media.sh down [name]          remove it and its veth pair (idempotent)
#   netns-media.sh exec name cmd args…  run a command inside it (Janus, Chromium)
#   netns-media.sh check                exit 0 when `ip netns` is permitted here (root or CAP_NET_ADMIN)
#
# Addresses (override with PAKAWAAZ_MEDIA_NET=10.77.0): host side .1/24, namespace side .2/24. Janus and the
# browsers both run inside the namespace, so every ICE candidate and every media packet stays on the
# namespace's veth address; the host side only carries the test's control traffic (Janus's WebSocket and
# admin API, bound to the namespace address). No route or NAT to the outside is set up.
set -eu

cmd=${1:-}
name=${2:-pkz-media}
net=${PAKAWAAZ_MEDIA_NET:-10.77.0}
# Interface names are at most 15 characters: derive them from a short hash of the namespace name.
tag=$(printf '%s' "$name" | cksum | cut -c1-6)
host_if="pkzh$tag"
ns_if="pkzn$tag"

case "$cmd" in
check)
  probe="pkz-check-$$"
  ip netns add "$probe" 2>/dev/null || exit 1
  ip netns delete "$probe"
  ;;
up)
  if ip netns list | awk '{print $1}' | grep -qxF "$name"; then exit 0; fi
  ip netns add "$name"
  ip link add "$host_if" type veth peer name "$ns_if"
  ip link set "$ns_if" netns "$name"
  ip addr add "$net.1/24" dev "$host_if"
  ip link set "$host_if" up
  ip netns exec "$name" ip addr add "$net.2/24" dev "$ns_if"
  ip netns exec "$name" ip link set "$ns_if" up
  ip netns exec "$name" ip link set lo up
  echo "$net.2"
  ;;
down)
  ip link delete "$host_if" 2>/dev/null || true
  ip netns delete "$name" 2>/dev/null || true
  ;;
exec)
  shift 2
  exec ip netns exec "$name" "$@"
  ;;
*)
  echo "usage: $0 up|down|exec|check [name] …" >&2
  exit 2
  ;;
esac
