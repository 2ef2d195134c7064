// Test-only (--require): records every module name a plugin process loads into $TCN_MODULE_LOG at exit,
// so a test can prove that the file-datastore path never loads etcd3 or a Kubernetes client.
const Module = require('module');
const fs = require('fs');
const seen = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  seen.add(request);
  return load.call(this, request, parent, isMain);
};
process.on('exit', () => fs.appendFileSync(process.env.TCN_MODULE_LOG, [...seen].join('\n') + '\n'));
