#!/bin/sh
# PID 1 inside user-mode-linux. The root is the host's / through hostfs, read-only; the host passes
# TPG_MODULES (the UML package's kernel/ dir), TPG_GUEST (a bundled .cjs) and TPG_NODE_PATH on the
# kernel command line, which the kernel hands to init as environment variables.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
# netns names live under /run/netns: a tmpfs keeps them off the host's /run
mount -t tmpfs run /run
for k in net/ipv4/tunnel4.ko net/ipv4/ip_tunnel.ko net/ipv4/ipip.ko drivers/net/veth.ko; do
  busybox insmod "$TPG_MODULES/$k" || echo "TPG-UML insmod $k failed"
done
echo "TPG-UML booted"
NODE_PATH="$TPG_NODE_PATH" HOME=/run node "$TPG_GUEST" 2>&1
echo "TPG-UML done"
busybox poweroff -f
