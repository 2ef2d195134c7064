// bgpctl — the operator CLI: talks to bgpd over its control socket (bgpd/control/), renders the
// answers as 80-column tables or --json; `bgpctl ipam …` goes to the IPAM CLI (ipam-cmd.ts).
import { parseBgpctlArgs, USAGE, DEFAULT_SOCKET } from './args';
import type { BgpctlCommand } from './args';
import { request, NotRunningError } from '../control/client';
import type { ControlCommand, NeighborView, PeerRow, RouteRow, StatusView } from '../control/protocol';
import { renderNeighbor, renderPeers, renderReload, renderRouteDetail, renderRoutes, renderStatus } from './format';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function socketPath(cmd: Extract<BgpctlCommand, { kind: 'control' }>): Promise<string> {
  if (cmd.socket) return cmd.socket;
  if (!cmd.configPath) return DEFAULT_SOCKET;
  const { loadConfig, formatConfigError } = await import('../../config/index');
  const r = loadConfig(cmd.configPath);
  if (r.errors) throw new Error(r.errors.map(formatConfigError).join('\n'));
  return r.config.control.socket;
}

function render(req: ControlCommand, data: unknown, numeric: boolean): string {
  switch (req.cmd) {
    case 'show peers':
      return renderPeers(data as PeerRow[], { numeric });
    case 'show neighbor':
      return renderNeighbor(data as NeighborView);
    case 'show routes': {
      const rows = data as RouteRow[];
      if (req.prefix) return rows[0] ? renderRouteDetail(rows[0]) : `no route for ${req.prefix}\n`;
      return renderRoutes(rows);
    }
    case 'show rib':
      return renderRoutes(data as RouteRow[], { showFrom: false });
    case 'clear neighbor': {
      const r = data as { cleared: string[]; soft: boolean };
      return `${r.soft ? 'soft-cleared' : 'cleared'}: ${r.cleared.join(', ')}\n`;
    }
    case 'reload':
      return renderReload(data as Record<string, string[]>);
    case 'status':
      return renderStatus(data as StatusView);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseBgpctlArgs(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    case 'usage-error':
      process.stderr.write(`bgpctl: ${cmd.message}\n(bgpctl --help lists the commands)\n`);
      return EXIT_USAGE;
    case 'ipam': {
      const { runIpamCommand, stdio } = await import('./ipam-cmd');
      return runIpamCommand(cmd.argv, stdio);
    }
    case 'control':
      break;
  }
  const path = await socketPath(cmd);
  const res = await request(path, cmd.request);
  if (!res.ok) {
    process.stderr.write(`bgpctl: ${res.error}\n`);
    return EXIT_FAILED;
  }
  process.stdout.write(cmd.json ? JSON.stringify(res.data, null, 2) + '\n' : render(cmd.request, res.data, cmd.numeric));
  return EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    const msg = err instanceof NotRunningError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`bgpctl: ${msg}\n`);
    process.exitCode = EXIT_FAILED;
  },
);
