// Renders a .sla file as HTML, coloured the way VS Code colours it: the extension's
// grammar tokenized by vscode-textmate, the colours resolved by vscode-textmate's own
// theme matching against a theme modelled on VS Code's "Dark Modern"/"Dark+".
// Usage: node scripts/render-html.js FILE.sla [OUT.html]   (stdout without OUT)
// scripts/screenshot.sh turns the HTML into a PNG with headless Chromium.
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');
const { GRAMMAR } = require('./tokenize');

// vscode-textmate's encoded token metadata (EncodedTokenAttributes, not exported).
const FONT_STYLE_MASK = 0x00007800;
const FOREGROUND_MASK = 0x00ff8000;
const ITALIC = 1;
const BOLD = 2;

const BACKGROUND = '#1F1F1F';
const FOREGROUND = '#CCCCCC';
// The Dark+ rules for the scopes the grammar uses (VS Code's dark_vs.json and dark_plus.json).
const THEME = {
  name: 'Dark+ (subset)',
  settings: [
    { settings: { foreground: FOREGROUND, background: BACKGROUND } },
    { scope: 'comment', settings: { foreground: '#6A9955' } },
    { scope: 'string', settings: { foreground: '#CE9178' } },
    { scope: 'constant.character.escape', settings: { foreground: '#D7BA7D' } },
    { scope: 'constant.numeric', settings: { foreground: '#B5CEA8' } },
    { scope: 'keyword.other.unit', settings: { foreground: '#B5CEA8' } },
    { scope: 'constant.language', settings: { foreground: '#569CD6' } },
    { scope: 'keyword', settings: { foreground: '#569CD6' } },
    { scope: 'keyword.control', settings: { foreground: '#C586C0' } },
    { scope: 'storage', settings: { foreground: '#569CD6' } },
    { scope: 'storage.type', settings: { foreground: '#569CD6' } },
    { scope: 'storage.modifier', settings: { foreground: '#569CD6' } },
    { scope: 'support.constant', settings: { foreground: '#4FC1FF' } },
    { scope: 'entity.name.function', settings: { foreground: '#DCDCAA' } },
    { scope: 'entity.name.type', settings: { foreground: '#4EC9B0' } },
    { scope: 'entity.name.section', settings: { foreground: '#DCDCAA', fontStyle: 'bold' } },
    { scope: 'entity.name.tag', settings: { foreground: '#569CD6' } },
    { scope: 'variable', settings: { foreground: '#9CDCFE' } },
    { scope: 'variable.other.constant', settings: { foreground: '#4FC1FF' } },
    { scope: 'variable.parameter', settings: { foreground: '#9CDCFE' } },
  ],
};

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function render(file) {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => (scope === 'source.sla'
      ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
    theme: THEME,
  });
  const grammar = await registry.loadGrammar('source.sla');
  const colors = registry.getColorMap();
  const text = fs.readFileSync(file, 'utf8').replace(/\r\n?/g, '\n').replace(/\n$/, '');
  let stack = vsctm.INITIAL;
  const rows = [];
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine2(line, stack);
    stack = result.ruleStack;
    const tokens = result.tokens; // pairs: start offset, metadata
    let html = '';
    for (let i = 0; i < tokens.length; i += 2) {
      const start = tokens[i];
      const end = i + 2 < tokens.length ? tokens[i + 2] : line.length;
      const meta = tokens[i + 1];
      const fg = colors[(meta & FOREGROUND_MASK) >>> 15];
      const style = (meta & FONT_STYLE_MASK) >>> 11;
      let css = `color:${fg}`;
      if (style & BOLD) css += ';font-weight:bold';
      if (style & ITALIC) css += ';font-style:italic';
      html += `<span style="${css}">${escapeHtml(line.slice(start, end))}</span>`;
    }
    rows.push(html);
  }
  const numbers = rows.map((_, i) => `${i + 1}`).join('\n');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(path.basename(file))}</title>
<style>
  html, body { margin: 0; background: ${BACKGROUND}; }
  .tab { font: 12px "DejaVu Sans", sans-serif; color: #FFFFFF; background: ${BACKGROUND};
         padding: 6px 14px; border-top: 1px solid #0078D4; display: inline-block; }
  .bar { background: #181818; border-bottom: 1px solid #2B2B2B; }
  .code { display: flex; font: 12px/17px "DejaVu Sans Mono", monospace; padding: 6px 0 8px; }
  .gutter { color: #6E7681; text-align: right; padding: 0 18px 0 12px; white-space: pre; user-select: none; }
  pre { margin: 0; white-space: pre; color: ${FOREGROUND}; font: inherit; }
</style></head>
<body><div class="bar"><span class="tab">${escapeHtml(path.basename(file))}</span></div>
<div class="code"><div class="gutter">${numbers}</div><pre>${rows.join('\n')}</pre></div>
</body></html>
`;
}

if (require.main === module) {
  const [file, out] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/render-html.js FILE.sla [OUT.html]');
    process.exit(2);
  }
  render(file).then((html) => {
    if (out) fs.writeFileSync(out, html);
    else process.stdout.write(html);
  }, (err) => { console.error(err); process.exit(1); });
}

module.exports = { render, THEME };
