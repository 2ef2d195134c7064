// Test helper: takes the file store lock at argv[2], prints "held", keeps it for argv[3] ms (or until
// killed when 0). Run in another network namespace (unshare -n) to prove the lock is not per-netns.
import { FileLock } from '../store/file-lock';

const [path, ms] = [process.argv[2]!, Number(process.argv[3] ?? 0)];
await new FileLock(path).with(async () => {
  process.stdout.write('held\n');
  await new Promise((r) => setTimeout(r, ms > 0 ? ms : 2 ** 30));
});
