#!/usr/bin/env node
// Test-only CNI plugin for chaining tests (copied into a temp CNI_PATH dir under the plugin type's name).
// Records each invocation's stdin as $T12_RECORD_DIR/<type>.<CNI_COMMAND>.json. ADD with a prevResult
// passes it on unchanged (as tuning does); ADD without one answers a fixed result of its own: a plugin
// that runs before tortie in a conflist. DEL/CHECK succeed silently.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const stdin = fs.readFileSync(0, 'utf8');
const cmd = process.env.CNI_COMMAND;
if (cmd === 'VERSION') {
  process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', supportedVersions: ['0.4.0', '1.0.0'] }));
  process.exit(0);
}
const conf = JSON.parse(stdin);
if (process.env.T12_RECORD_DIR) fs.writeFileSync(path.join(process.env.T12_RECORD_DIR, `${conf.type}.${cmd}.json`), stdin);
if (cmd === 'ADD') {
  const own = {
    interfaces: [{ name: 'net1', mac: '02:00:00:00:01:01', sandbox: process.env.CNI_NETNS }],
    ips: [{ address: '10.200.0.10/24', gateway: '10.200.0.1', interface: 0 }],
    routes: [{ dst: '10.200.0.0/24' }],
    dns: { nameservers: ['10.200.0.53'], search: ['t12.test'] },
  };
  process.stdout.write(JSON.stringify({ ...(conf.prevResult ?? own), cniVersion: conf.cniVersion }));
}
