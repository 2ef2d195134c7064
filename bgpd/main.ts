// bgpd — the daemon entry point. Start-up stays light: --help and --version load nothing but the
// argument parser; the config loader (yaml + zod) is imported only when a config is read.
import { parseBgpdArgs, USAGE } from './cli-args';
import pkg from '../package.json';

const EXIT_OK = 0;
const EXIT_CONFIG_INVALID = 2;
const EXIT_USAGE = 64;

async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseBgpdArgs(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return EXIT_OK;
    case 'version':
      process.stdout.write(`bgpd (tortie) ${pkg.version}\n`);
      return EXIT_OK;
    case 'usage-error':
      process.stderr.write(`bgpd: ${cmd.message}\n${USAGE}`);
      return EXIT_USAGE;
    case 'run':
      break;
  }
  const { loadConfig, formatConfigError, summarizeConfig } = await import('../config/index');
  const result = loadConfig(cmd.configPath);
  if (result.errors) {
    // every problem, one per line, and nothing started
    process.stderr.write(result.errors.map((e) => formatConfigError(e) + '\n').join(''));
    return EXIT_CONFIG_INVALID;
  }
  const summary = `${cmd.configPath}: OK: ${summarizeConfig(result.config)}`;
  if (cmd.check) {
    process.stdout.write(summary + '\n');
    return EXIT_OK;
  }
  process.stdout.write(summary + '\n');
  const { startRuntime } = await import('./daemon/runtime');
  const code = await startRuntime(result.config, {
    configPath: cmd.configPath,
    load: (path) => {
      const r = loadConfig(path);
      return r.errors ? { errors: r.errors.map(formatConfigError) } : { config: r.config };
    },
  });
  // sockets and timers of stopped sessions may linger for a moment; the daemon is done
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`bgpd: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    // open sockets or timers must not keep a failed daemon alive
    process.exit(1);
  },
);
