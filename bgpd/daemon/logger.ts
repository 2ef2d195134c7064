// Logging to stderr: JSON lines (one object per line with time, level, msg and the structured fields
// the session and RIB layers pass) for log collectors, or a human-readable line when stderr is a
// terminal (an operator running bgpd by hand). The level can change on reload. A few lines per session
// event is all bgpd logs, so a small synchronous writer is enough (no pino worker thread to start).
import type { LogLevel } from '../../config/types';
import type { Logger } from '../session/peer-config';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

export interface JsonLogger extends Logger {
  level: LogLevel;
}

export type LogFormat = 'json' | 'pretty';

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => void process.stderr.write(l),
  format: LogFormat = process.stderr.isTTY ? 'pretty' : 'json',
): JsonLogger {
  const logger: JsonLogger = {
    level,
    error: (obj, msg) => emit('error', obj, msg),
    warn: (obj, msg) => emit('warn', obj, msg),
    info: (obj, msg) => emit('info', obj, msg),
    debug: (obj, msg) => emit('debug', obj, msg),
  };
  function emit(l: LogLevel, obj: Record<string, unknown>, msg: string): void {
    if (RANK[l] > RANK[logger.level]) return;
    let line: string;
    try {
      line = format === 'pretty' ? pretty(l, obj, msg) : JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...obj });
    } catch {
      // a cyclic or BigInt field must not take the daemon down: log what we can
      line = JSON.stringify({ time: new Date().toISOString(), level: l, msg, unserializable: true });
    }
    write(line + '\n');
  }
  return logger;
}

/** `12:01:02.345 WARN  BGP session down peer=tor1 reason="hold timer expired"` */
function pretty(l: LogLevel, obj: Record<string, unknown>, msg: string): string {
  const fields = Object.entries(obj).map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return `${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  });
  return [new Date().toISOString().slice(11, 23), l.toUpperCase().padEnd(5), msg, ...fields].join(' ');
}
