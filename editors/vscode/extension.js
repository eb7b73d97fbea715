// The VS Code side of sladsl: starts the language server (`sladsl lsp`, over stdio)
// for .sla files. Highlighting and snippets are declarative (package.json) and work
// without it. Plain JavaScript, so the extension needs no build step.
'use strict';
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

const SECTION = 'sladsl';
let client = null;
let output = null;

// `sladsl.path`: a command on PATH, or a path; `~` and ${workspaceFolder} are expanded
// and a relative path is taken from the first workspace folder (e.g. .venv/bin/sladsl).
function serverCommand(setting, folder) {
  let command = (setting || 'sladsl').trim() || 'sladsl';
  if (folder) command = command.replace(/\$\{workspaceFolder\}/g, folder);
  if (command === '~' || command.startsWith('~/')) command = path.join(os.homedir(), command.slice(1));
  if (folder && !path.isAbsolute(command) && /[\\/]/.test(command)) command = path.join(folder, command);
  return command;
}

function workspaceFolder() {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length ? folders[0].uri.fsPath : undefined;
}

function makeClient() {
  const config = vscode.workspace.getConfiguration(SECTION);
  const folder = workspaceFolder();
  const command = serverCommand(config.get('path'), folder);
  const serverOptions = {
    command,
    args: ['lsp'],
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder } : {},
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sla' },
      { scheme: 'untitled', language: 'sla' },
    ],
    synchronize: {
      // the server reads [tool.sladsl] from pyproject.toml and names from other .sla files
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.sla'),
        vscode.workspace.createFileSystemWatcher('**/pyproject.toml'),
      ],
    },
    outputChannel: output,
  };
  return { client: new LanguageClient(SECTION, 'SLA Language Server', serverOptions, clientOptions), command };
}

async function startServer() {
  const config = vscode.workspace.getConfiguration(SECTION);
  if (!config.get('lsp.enabled', true)) {
    output.appendLine('sladsl.lsp.enabled is false: the language server is not started.');
    return null;
  }
  const made = makeClient();
  client = made.client;
  try {
    await client.start();
    output.appendLine(`Started \`${made.command} lsp\`.`);
  } catch (error) {
    const failed = client;
    client = null;
    try { await failed.dispose(); } catch (_) { /* it never started */ }
    const message = `SLA: could not start \`${made.command} lsp\` (${error && error.message ? error.message : error}). `
      + 'Install sladsl (pip install sladsl) or set "sladsl.path" to its command.';
    output.appendLine(message);
    const choice = await vscode.window.showErrorMessage(message, 'Open settings');
    if (choice === 'Open settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'sladsl.path');
    }
  }
  return client;
}

async function stopServer() {
  if (!client) return;
  const running = client;
  client = null;
  try { await running.stop(); } catch (_) { /* already gone */ }
}

async function restartServer() {
  await stopServer();
  return startServer();
}

async function activate(context) {
  output = vscode.window.createOutputChannel('SLA Language Server');
  context.subscriptions.push(output);
  context.subscriptions.push(vscode.commands.registerCommand('sladsl.restartServer', restartServer));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('sladsl.path') || event.affectsConfiguration('sladsl.lsp.enabled')) {
      restartServer();
    }
  }));
  await startServer();
}

function deactivate() {
  return stopServer();
}

module.exports = { activate, deactivate, serverCommand };
