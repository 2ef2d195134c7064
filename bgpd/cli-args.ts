// Command-line parsing for the bgpd entry point, kept apart from main.ts so the daemon runtime can be
// wired in without touching it. Pure: argv in, a decision out.
import { closest } from '../config/did-you-mean';

export const DEFAULT_CONFIG_PATH = '/etc/tortie/bgpd.yaml';

const OPTIONS = ['--config', '--check', '--help', '--version'];

export type BgpdCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; configPath: string; check: boolean }
  | { kind: 'usage-error'; message: string };

export const USAGE = `usage: bgpd [--config FILE] [--check]
       bgpd --help | --version

Tortie's BGP daemon: node-to-node mesh, external peers, pod block advertisement.

  -c, --config FILE   configuration file (default ${DEFAULT_CONFIG_PATH})
      --check         validate the configuration, print a one-line summary and exit
  -h, --help          show this help
  -V, --version       print the version

Runs until SIGTERM or SIGINT. SIGINT sends Cease/Administrative Shutdown to every peer. SIGTERM (a
rolling update) sends nothing more to peers that negotiated graceful restart - no NOTIFICATION, the
connection closes at exit - so they keep our routes until we are back; peers that did not negotiate it
get a Cease ("bgpd restarting"). With gracefulRestart.enabled false or shutdown.onSigterm: notify,
SIGTERM acts like SIGINT. SIGHUP re-reads the configuration and restarts only the sessions whose
settings changed. Logs are JSON lines on stderr.

Exit status: 0 ok / clean shutdown, 1 start-up failed (listen or control socket, node agent, or
with the Kubernetes datastore the API not readable within 30 s: bgpd reads its AS and listen port
there first), 2 invalid configuration (every problem is printed), 64 bad command line.
`;

/** argv without the node binary and script path (process.argv.slice(2)). */
export function parseBgpdArgs(argv: readonly string[]): BgpdCommand {
  let configPath = DEFAULT_CONFIG_PATH;
  let check = false;
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '-V' || arg === '--version') version = true;
    else if (arg === '--check') check = true;
    else if (arg === '-c' || arg === '--config') {
      const v = argv[++i];
      if (v === undefined || v === '') return { kind: 'usage-error', message: `${arg} needs a file name` };
      configPath = v;
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length);
      if (configPath === '') return { kind: 'usage-error', message: '--config= needs a file name' };
    } else if (arg.startsWith('-')) {
      const guess = closest(arg.split('=')[0], OPTIONS);
      return { kind: 'usage-error', message: `unknown option ${arg}${guess ? ` (did you mean ${guess}?)` : ''}` };
    } else {
      return { kind: 'usage-error', message: `unexpected argument ${JSON.stringify(arg)} (the config file goes after --config)` };
    }
  }
  // --help wins over everything so it is always safe to add
  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };
  return { kind: 'run', configPath, check };
}
