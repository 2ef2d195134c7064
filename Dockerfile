# tortie node image: bgpd, bgpctl, the CNI plugins and tortie-install, on Node 20.
# Not built on the development machine (no container engine there); scripts/assemble-image.sh DIR
# produces the same /opt/tortie and /usr/local/bin/node tree, and test/k8s/install-cni.test.ts runs it.
# .dockerignore keeps the host's node_modules/, dist/ and .git out of `COPY . .`.

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# iproute2: `ip -batch` route programming; kmod: modprobe ipip/vxlan from the mounted /lib/modules.
# No portmap is shipped: the conflist chains the host's /opt/cni/bin/portmap (the runtime's packages put
# one there). Debian's containernetworking-plugins (1.1.1) stops at CNI 1.0.0 and would pin every node
# to it; tortie-install asks the host's portmap which versions it speaks and warns when there is none.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 kmod \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/dist/ /opt/tortie/bin/
COPY --from=build /src/node_modules/ /opt/tortie/node_modules/
ENV PATH=/opt/tortie/bin:$PATH
# Non-root by default. The DaemonSet runs bgpd and install-cni as root (runAsUser: 0) with only the
# capabilities they need: Kubernetes grants capabilities to root only (no ambient capabilities), and
# install-cni writes root-owned host directories.
USER 65532:65532
ENTRYPOINT ["/opt/tortie/bin/bgpd"]
CMD ["--config", "/etc/tortie/bgpd.yaml"]
