// Tokenize .sla text with the extension's TextMate grammar, the way VS Code does
// (vscode-textmate + the Oniguruma WebAssembly build). Shared by the coverage check
// and the HTML renderer.
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR = path.join(__dirname, '..', 'syntaxes', 'sla.tmLanguage.json');

async function loadGrammar(grammarPath = GRAMMAR) {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.sla') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
    },
  });
  return registry.loadGrammar('source.sla');
}

// Lines of tokens: [{text, scopes}], and whether the file ends outside any string.
function tokenizeText(grammar, text) {
  let stack = vsctm.INITIAL;
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const out = [];
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, stack);
    out.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
    stack = r.ruleStack;
  }
  return { lines: out, closed: stack.depth === 1 };
}

module.exports = { loadGrammar, tokenizeText, GRAMMAR };

if (require.main === module) {
  // node scripts/tokenize.js FILE: print each token with its scopes (for debugging)
  loadGrammar().then((g) => {
    const { lines } = tokenizeText(g, fs.readFileSync(process.argv[2], 'utf8'));
    lines.forEach((toks, i) => {
      for (const t of toks) {
        if (t.text.trim()) console.log(`${i + 1}\t${JSON.stringify(t.text)}\t${t.scopes.slice(1).join(' ')}`);
      }
    });
  });
}
