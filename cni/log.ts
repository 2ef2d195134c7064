// Per-invocation log to the file the netconf names (log_file_path). Every line carries the command
// and container id, so one pod's story can be grepped out of many parallel invocations. Writes are
// synchronous appends: a plugin that exits right after an error must not lose the line explaining it.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const nullLogger: Logger = { info() {}, warn() {}, error() {} };

export function fileLogger(path: string | undefined, command: string, containerId: string): Logger {
  if (!path) return nullLogger;
  let dirMade = false;
  const write = (level: string, msg: string): void => {
    // t= wall ms since process start, cpu= CPU ms so far: where a slow pod start spent its time.
    // (process.uptime, not performance.now: the global `performance` loads perf_hooks, ~0.5 ms.)
    const cpu = process.cpuUsage();
    const line = `${new Date().toISOString()} ${level} pid=${process.pid} t=${(process.uptime() * 1000).toFixed(1)} cpu=${((cpu.user + cpu.system) / 1000).toFixed(1)} cmd=${command} containerID=${containerId || '-'} ${msg.replace(/\n/g, '\\n')}\n`;
    try {
      if (!dirMade) {
        mkdirSync(dirname(path), { recursive: true });
        dirMade = true;
      }
      appendFileSync(path, line);
    } catch {
      // A log that cannot be written must not fail the pod.
    }
  };
  return { info: (m) => write('info', m), warn: (m) => write('warn', m), error: (m) => write('error', m) };
}
