// The CNI IPAM plugin `tortie-ipam` (issue 5). Not implemented yet: answers with the spec's error JSON.
const msg = {
  cniVersion: '1.1.0',
  code: 100,
  msg: 'tortie-ipam is not implemented yet',
  details: 'see issue 5; use host-local meanwhile',
};
process.stdout.write(JSON.stringify(msg) + '\n');
process.exit(1);
