// JSON-lines logging to stderr: one object per line with time, level, msg and the structured fields
// the session and RIB layers already pass. The level can change on reload.
import type { LogLevel } from '../../config/types';
import type { Logger } from '../session/peer-config';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

export interface JsonLogger extends Logger {
  level: LogLevel;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => void process.stderr.write(l)): JsonLogger {
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
      line = JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...obj });
    } catch {
      // a cyclic or BigInt field must not take the daemon down: log what we can
      line = JSON.stringify({ time: new Date().toISOString(), level: l, msg, unserializable: true });
    }
    write(line + '\n');
  }
  return logger;
}
