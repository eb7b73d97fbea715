// Checks the grammar against real .sla files and against the language's own grammar:
//  1. every file ends outside strings and prose (no runaway string);
//  2. every word of every file gets a scope of its own (keyword, name, value, string or
//     comment): a word left at plain `source.sla` is one the highlighting does not know;
//  3. with --lark FILE, every keyword of grammar/sla.lark is highlighted.
// Usage: node scripts/check-coverage.js [--lark grammar/sla.lark] FILE.sla...
// With no FILE, the repository's samples and draft cases, and the spec examples beside it.
'use strict';
const fs = require('fs');
const path = require('path');
const { loadGrammar, tokenizeText } = require('./tokenize');

const REPO = path.resolve(__dirname, '..', '..', '..');

function defaultFiles() {
  const dirs = [
    path.join(REPO, 'samples'),
    path.join(REPO, 'tests', 'cases', 'good'),
    path.join(REPO, 'tests', 'cases', 'draft2'),
    path.join(REPO, 'tests', 'cases', 'draft3'),
    path.join(REPO, '..', 'shared', 'spec', 'examples'),
  ];
  return dirs
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.sla')).sort().map((f) => path.join(d, f)));
}

const KEYWORD_SCOPE = /^(keyword|storage|support\.constant|constant\.language)\./;

async function main(argv) {
  let lark = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lark') lark = argv[++i];
    else files.push(argv[i]);
  }
  if (files.length === 0) files.push(...defaultFiles());
  const grammar = await loadGrammar();
  const problems = [];
  let words = 0;
  for (const file of files) {
    const { lines, closed } = tokenizeText(grammar, fs.readFileSync(file, 'utf8'));
    if (!closed) problems.push(`${file}: the file ends inside a string or prose`);
    lines.forEach((tokens, i) => {
      for (const t of tokens) {
        if (!/[A-Za-z0-9]/.test(t.text)) continue;
        words++;
        if (t.scopes.length < 2) {
          problems.push(`${file}:${i + 1}: ${JSON.stringify(t.text.trim())} has no scope (only source.sla)`);
        }
      }
    });
  }
  let keywords = 0;
  if (lark) {
    const text = fs.readFileSync(lark, 'utf8').replace(/\/\/[^\n]*/g, '');
    const literals = new Set([...text.matchAll(/"([a-z]+)"/g)].map((m) => m[1]));
    for (const word of [...literals].sort()) {
      keywords++;
      const { lines } = tokenizeText(grammar, word);
      const token = lines[0].find((t) => t.text === word);
      const scopes = token ? token.scopes.slice(1) : [];
      if (!scopes.some((s) => KEYWORD_SCOPE.test(s))) {
        problems.push(`${lark}: keyword "${word}" is not highlighted (scopes: ${scopes.join(' ') || 'none'})`);
      }
    }
  }
  for (const p of problems) console.error(p);
  console.log(`${files.length} files, ${words} words, ${keywords} keywords: ${problems.length} problems`);
  return problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(2);
});
