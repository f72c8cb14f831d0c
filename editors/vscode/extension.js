// Minimal VS Code client for `beautylint server`.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('beautylint').get('path') || 'beautylint';
  client = new LanguageClient(
    'beautylint',
    'beautylint',
    { command, args: ['server'] },
    {
      documentSelector: [
        { scheme: 'file', language: 'markdown' },
        { scheme: 'file', language: 'html' },
        { scheme: 'file', language: 'plaintext' },
        { scheme: 'untitled', language: 'markdown' },
      ],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/beautylint.toml'),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
