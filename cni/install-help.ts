// `tortie-install --help`: kept beside the option parser (install.ts optionsFromEnv) — every flag and
// environment variable it reads is listed here.
export const INSTALL_HELP = `usage: tortie-install [--uninstall | --refresh-kubeconfig[=SECONDS]] [--FLAG=VALUE ...]

Puts tortie's CNI plugins and their configuration on a node (the DaemonSet's install-cni init container):
  <bin>/tortie, <bin>/tortie-ipam   /bin/sh wrappers that run the plugin with the Node shipped beside them
  <bin>/tortie-node                 this Node runtime (the host needs /bin/sh, glibc >= 2.28 and libstdc++)
  <bin>/tortie*.cjs, *.impl.js      the plugin bundles
  <bin>/tortie-lib/node_modules     only what the plugins load at run time: koffi, etcd3,
                                    @kubernetes/client-node and their dependencies
  <net>/<conf name>                 the conflist: tortie, then portmap (portmap is the host's: it is
                                    checked, not shipped; cniVersion 1.1.0, or 1.0.0 for an older portmap)
  <net>/tortie-kubeconfig           for CNI_DATASTORE=kubernetes (0600; the plugin's own ServiceAccount
                                    token, requested with this pod's)
Every file is written to a temp name and renamed over the target; unchanged files are not rewritten;
leftovers of an interrupted run are removed. Re-runnable.

Modes:
  (none)                      install, then exit
  --uninstall                 remove what the manifest <bin>/.tortie-install-manifest lists (files edited
                              since are kept and reported), and the plugins' code caches
  --refresh-kubeconfig[=S]    sidecar: renew the plugin's token and rewrite the kubeconfig when it or the
                              CA changed, checked every S seconds (60)
  -h, --help                  this text

Settings (flag --NAME=VALUE, else environment variable, else default):
  --bin-dir             CNI_BIN_DIR           /opt/cni/bin
  --net-dir             CNI_NET_DIR           /etc/cni/net.d
  --host-net-dir        CNI_HOST_NET_DIR      /etc/cni/net.d  (the net dir as the host sees it: paths in the conflist)
  --conf-name           CNI_CONF_NAME         10-tortie.conflist
  --node-name           NODE_NAME             this host's name
  --datastore           CNI_DATASTORE         file:/var/lib/tortie/ipam  (kubernetes = a tortie-cni token;
                                              or file:/dir, etcd:http://host:port[,...])
  --mtu                 CNI_MTU               0  (0 = from the underlay and the pool's encapsulation; else 68-65535)
  --log-file            CNI_LOG_FILE          /var/log/tortie/cni.log  (the plugins' log on the host; empty = none)
  --kubeconfig          CNI_KUBECONFIG        <net dir>/tortie-kubeconfig
  --serviceaccount-dir  SERVICEACCOUNT_DIR    /var/run/secrets/kubernetes.io/serviceaccount  (this pod's token)
  --cni-serviceaccount  CNI_SERVICEACCOUNT    tortie-cni  (the plugin's ServiceAccount)
  --cni-namespace       POD_NAMESPACE         the service account's namespace file, else tortie-system
  --cni-token-seconds   CNI_TOKEN_SECONDS     86400  (lifetime asked for the plugin's token; >= 600)
  --server              KUBERNETES_SERVICE_HOST/PORT  https://host:port of the apiserver
  --source-dir          TORTIE_SOURCE_DIR     the directory of this program (the bundles)
  --node-modules        TORTIE_NODE_MODULES   <source dir>/../node_modules

Exit status: 0 done, 1 failed (the reason on stderr).
`;
