// The language client's wiring, with VS Code and vscode-languageclient replaced by
// recording fakes: which command it starts, when, and what it does when it cannot.
// Run: node --test tests/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const Module = require('module');
const path = require('path');

const EXT = path.resolve(__dirname, '..');
const manifest = require(path.join(EXT, 'package.json'));

function fakes({ settings = {}, folder = '/work/project', startError = null } = {}) {
  const log = { clients: [], errors: [], commands: {}, configListeners: [], executed: [] };
  const vscode = {
    workspace: {
      workspaceFolders: folder ? [{ uri: { fsPath: folder } }] : undefined,
      getConfiguration: (section) => ({
        get: (key, fallback) => {
          const full = `${section}.${key}`;
          if (full in settings) return settings[full];
          const declared = manifest.contributes.configuration.properties[full];
          assert.ok(declared, `the extension reads ${full}, which package.json does not declare`);
          return fallback !== undefined ? fallback : declared.default;
        },
      }),
      createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
      onDidChangeConfiguration: (listener) => { log.configListeners.push(listener); return { dispose() {} }; },
    },
    window: {
      createOutputChannel: () => ({ lines: [], appendLine(l) { this.lines.push(l); }, dispose() {} }),
      showErrorMessage: async (message) => { log.errors.push(message); return undefined; },
    },
    commands: {
      registerCommand: (id, fn) => { log.commands[id] = fn; return { dispose() {} }; },
      executeCommand: async (...args) => { log.executed.push(args); },
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      log.clients.push(this);
    }
    async start() {
      if (startError) throw startError;
      this.started = true;
    }
    async stop() { this.stopped = true; }
    async dispose() { this.stopped = true; }
  }
  const languageclient = { LanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };
  return { vscode, languageclient, log };
}

function load(fake) {
  const file = require.resolve(path.join(EXT, 'extension.js'));
  delete require.cache[file];
  const original = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return fake.vscode;
    if (request === 'vscode-languageclient/node') return fake.languageclient;
    return original.call(this, request, ...rest);
  };
  try {
    return require(file);
  } finally {
    Module._load = original;
  }
}

async function activated(options) {
  const fake = fakes(options);
  const extension = load(fake);
  await extension.activate({ subscriptions: [] });
  return { ...fake, extension };
}

test('package.json points at the extension, the grammar and the snippets', () => {
  const fs = require('fs');
  assert.strictEqual(manifest.main, './extension.js');
  assert.deepStrictEqual(manifest.contributes.languages[0].extensions, ['.sla']);
  assert.strictEqual(manifest.contributes.languages[0].id, 'sla');
  for (const p of [manifest.contributes.grammars[0].path, manifest.contributes.snippets[0].path,
    manifest.contributes.languages[0].configuration]) {
    assert.ok(fs.existsSync(path.join(EXT, p)), `${p} is missing`);
  }
  assert.strictEqual(manifest.contributes.configuration.properties['sladsl.path'].default, 'sladsl');
  assert.strictEqual(manifest.contributes.configuration.properties['sladsl.lsp.enabled'].default, true);
});

test('starts `sladsl lsp` over stdio for sla documents', async () => {
  const { log } = await activated();
  assert.strictEqual(log.clients.length, 1);
  const client = log.clients[0];
  assert.ok(client.started);
  assert.strictEqual(client.serverOptions.command, 'sladsl');
  assert.deepStrictEqual(client.serverOptions.args, ['lsp']);
  assert.strictEqual(client.serverOptions.transport, 0);
  assert.strictEqual(client.serverOptions.options.cwd, '/work/project');
  assert.deepStrictEqual(client.clientOptions.documentSelector.map((s) => s.language), ['sla', 'sla']);
  assert.ok(log.commands['sladsl.restartServer']);
});

test('sladsl.path: a relative path is taken from the workspace folder', async () => {
  const { log } = await activated({ settings: { 'sladsl.path': '.venv/bin/sladsl' } });
  assert.strictEqual(log.clients[0].serverOptions.command, path.join('/work/project', '.venv/bin/sladsl'));
});

test('sladsl.path: ${workspaceFolder} and a bare command', async () => {
  const fake = fakes();
  const { serverCommand } = load(fake);
  assert.strictEqual(serverCommand('${workspaceFolder}/env/bin/sladsl', '/w'), '/w/env/bin/sladsl');
  assert.strictEqual(serverCommand('/opt/sladsl/bin/sladsl', '/w'), '/opt/sladsl/bin/sladsl');
  assert.strictEqual(serverCommand('sladsl-dev', '/w'), 'sladsl-dev');
  assert.strictEqual(serverCommand('  ', '/w'), 'sladsl');
});

test('sladsl.lsp.enabled false: no server', async () => {
  const { log } = await activated({ settings: { 'sladsl.lsp.enabled': false } });
  assert.strictEqual(log.clients.length, 0);
});

test('a missing sladsl is one error message naming the setting, not a crash', async () => {
  const error = Object.assign(new Error('spawn sladsl ENOENT'), { code: 'ENOENT' });
  const { log } = await activated({ startError: error });
  assert.strictEqual(log.errors.length, 1);
  assert.match(log.errors[0], /sladsl lsp/);
  assert.match(log.errors[0], /ENOENT/);
  assert.match(log.errors[0], /sladsl\.path/);
});

test('changing sladsl.path restarts the server; other settings do not', async () => {
  const { log } = await activated();
  const listener = log.configListeners[0];
  listener({ affectsConfiguration: (key) => key === 'editor.fontSize' });
  await new Promise((r) => setImmediate(r));
  assert.strictEqual(log.clients.length, 1);
  listener({ affectsConfiguration: (key) => key === 'sladsl.path' });
  await new Promise((r) => setImmediate(r));
  assert.strictEqual(log.clients.length, 2);
  assert.ok(log.clients[0].stopped);
  assert.ok(log.clients[1].started);
});

test('deactivate stops the server', async () => {
  const { log, extension } = await activated();
  await extension.deactivate();
  assert.ok(log.clients[0].stopped);
});
