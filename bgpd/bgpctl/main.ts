// bgpctl — the operator CLI (issue 6). Only --help exists so far.
const USAGE = `usage: bgpctl [--socket PATH] [--json] COMMAND

Commands (not implemented yet — see issues 4 and 6):
  show peers | show routes [PREFIX] | show neighbor PEER | show ipam ...
`;
const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(args.length === 0 ? 2 : 0);
}
process.stderr.write(`bgpctl: '${args.join(' ')}' is not implemented yet\n`);
process.exit(2);
