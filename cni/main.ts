// The CNI plugin `tortie` (issue 5). Until the plugin exists it answers every command with the
// CNI spec's error JSON, so a runtime that execs it gets a clear, well-formed failure.
const msg = {
  cniVersion: '1.1.0',
  code: 100,
  msg: 'tortie CNI plugin is not implemented yet',
  details: 'see issue 5; use the reference ptp + host-local plugins meanwhile',
};
process.stdout.write(JSON.stringify(msg) + '\n');
process.exit(1);
