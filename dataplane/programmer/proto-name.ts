import * as fs from 'node:fs';
import * as path from 'node:path';
import { RTPROT_TORTIE } from '../routes';

export const PROTO_NAME_DIR = '/etc/iproute2/rt_protos.d';

/**
 * Lets `ip route` print "proto tortie" instead of "proto 201". Idempotent: rewrites the file only when
 * its content differs; returns true when it wrote. dir is for tests.
 */
export function installProtoName(dir = PROTO_NAME_DIR, protocol = RTPROT_TORTIE): boolean {
  const file = path.join(dir, 'tortie.conf');
  const want = `${protocol}\ttortie\n`;
  try {
    if (fs.readFileSync(file, 'utf8') === want) return false;
  } catch {
    // missing: written below
  }
  fs.mkdirSync(dir, { recursive: true });
  // write-then-rename: a concurrent `ip` never reads half a file
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, want);
  fs.renameSync(tmp, file);
  return true;
}
