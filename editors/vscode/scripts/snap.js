// Snapshot tests of the highlighting of the real examples: the repository's samples/
// and the specification's examples (../shared/spec/examples beside the repository, when
// present). The snapshots live in tests/snapshots/<group>/<file>.sla.snap; the examples
// are copied next to them in a temporary folder and vscode-tmgrammar-snap compares.
// Usage: node scripts/snap.js            compare (fails on a difference or a missing snapshot)
//        node scripts/snap.js --update   write the snapshots anew
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const EXT = path.resolve(__dirname, '..');
const REPO = path.resolve(EXT, '..', '..');
const SNAPSHOTS = path.join(EXT, 'tests', 'snapshots');
const GROUPS = {
  samples: path.join(REPO, 'samples'),
  spec: path.join(REPO, '..', 'shared', 'spec', 'examples'),
};

function main(update) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sla-snap-'));
  const missing = [];
  const cases = [];
  for (const [group, dir] of Object.entries(GROUPS)) {
    if (!fs.existsSync(dir)) {
      console.log(`note: ${dir} is absent, its snapshots are not compared`);
      continue;
    }
    fs.mkdirSync(path.join(tmp, group));
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.sla')).sort()) {
      fs.copyFileSync(path.join(dir, name), path.join(tmp, group, name));
      const snap = path.join(SNAPSHOTS, group, `${name}.snap`);
      if (fs.existsSync(snap)) fs.copyFileSync(snap, path.join(tmp, group, `${name}.snap`));
      else missing.push(path.relative(EXT, snap));
      cases.push([group, name]);
    }
  }
  if (missing.length && !update) {
    for (const m of missing) console.error(`missing snapshot ${m}: run \`npm run snap:update\` in editors/vscode and review it`);
    return 1;
  }
  const bin = path.join(EXT, 'node_modules', '.bin', 'vscode-tmgrammar-snap');
  const args = ['--config', path.join(EXT, 'package.json'), '-g', path.join(EXT, 'syntaxes', 'sla.tmLanguage.json'),
    ...(update ? ['--updateSnapshot'] : []), path.join(tmp, '**', '*.sla')];
  const run = spawnSync(bin, args, { stdio: 'inherit' });
  if (run.status === 0 && update) {
    for (const [group, name] of cases) {
      fs.mkdirSync(path.join(SNAPSHOTS, group), { recursive: true });
      fs.copyFileSync(path.join(tmp, group, `${name}.snap`), path.join(SNAPSHOTS, group, `${name}.snap`));
    }
    console.log(`${cases.length} snapshots written to ${path.relative(process.cwd(), SNAPSHOTS) || '.'}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return run.status === null ? 1 : run.status;
}

process.exit(main(process.argv.includes('--update')));
