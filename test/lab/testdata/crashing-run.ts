// Child process for lab.lab.test.ts: builds a small lab, starts a daemon-like process, prints the
// run id, then dies the way the test asks ("throw" = uncaught exception, "hang" = wait to be killed).
import { Lab } from '../lab';

const mode = process.argv[2] ?? 'throw';
const lab = await Lab.create({ prefix: 'tl', removeLeftovers: false });
const a = await lab.host('a');
const b = await lab.host('b');
await lab.link(a, b, { addrA: '198.18.9.1/24', addrB: '198.18.9.2/24' });
const sleeper = a.spawn('sleeper', 'sleep', ['300']);
process.stdout.write(`${lab.run} ${sleeper.pid}\n`);
if (mode === 'throw') throw new Error('simulated test crash');
setInterval(() => {}, 1000);
