// Talks to a real language server through vscode-jsonrpc, the library the extension's
// client ships: initialize, open documents, wait for their diagnostics, shut down.
// Usage: node scripts/lsp-smoke.js FILE.sla... -- COMMAND [ARGS...]
//   e.g. node scripts/lsp-smoke.js ../../samples/payments-api.sla -- sladsl lsp
// Prints one JSON object: the server's capabilities and each file's diagnostics.
'use strict';
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const { spawn } = require('child_process');
const rpc = require('vscode-jsonrpc/node');

const TIMEOUT_MS = 30000;

async function main(argv) {
  const dash = argv.indexOf('--');
  if (dash < 1 || dash === argv.length - 1) {
    console.error('usage: node scripts/lsp-smoke.js FILE.sla... -- COMMAND [ARGS...]');
    return 2;
  }
  const files = argv.slice(0, dash).map((f) => path.resolve(f));
  const [command, ...args] = argv.slice(dash + 1);
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  server.on('error', (err) => { console.error(`cannot start ${command}: ${err.message}`); process.exit(2); });
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  const waiting = new Map(files.map((f) => [pathToFileURL(f).href, null]));
  const received = new Map();
  const allReceived = new Promise((resolve) => {
    connection.onNotification('textDocument/publishDiagnostics', (params) => {
      if (!waiting.has(params.uri)) return;
      received.set(params.uri, params.diagnostics);
      if (received.size === waiting.size) resolve();
    });
  });
  connection.onRequest(() => null); // workspace/configuration and the like
  connection.listen();
  const timer = setTimeout(() => {
    console.error(`no diagnostics for every file within ${TIMEOUT_MS} ms`);
    process.exit(1);
  }, TIMEOUT_MS);

  const init = await connection.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'sladsl-vscode-smoke' },
    rootUri: null,
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['markdown'] } } },
  });
  await connection.sendNotification('initialized', {});
  for (const file of files) {
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: pathToFileURL(file).href, languageId: 'sla', version: 1, text: fs.readFileSync(file, 'utf8') },
    });
  }
  await allReceived;
  clearTimeout(timer);
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
  if (code === 'still running') server.kill();
  const result = {
    capabilities: Object.keys(init.capabilities || {}).sort(),
    exit: code,
    diagnostics: Object.fromEntries(files.map((f) => [f, received.get(pathToFileURL(f).href).map((d) => ({
      line: d.range.start.line + 1, code: d.code, severity: d.severity, message: d.message,
    }))])),
  };
  console.log(JSON.stringify(result, null, 2));
  connection.dispose();
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
