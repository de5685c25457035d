#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `npm run bench -- --cpu-prof`): the functions with the most
// self time, native time (syscalls, GC) by the package that caused it, self time per package or
// source file, and Plinth's own functions by inclusive time.
// Usage: node bench/profile-top.mjs FILE… [--top N]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
if (!args.length) {
  process.stderr.write('Usage: node bench/profile-top.mjs FILE.cpuprofile… [--top N]\n');
  process.exit(2);
}
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0); // piped into head
  throw err;
});

/** A readable place: `libs/…/x.js`, `package: file`, `node:…`, or '' for native code. */
const place = (url) => {
  if (!url) return '';
  const p = url.replace(/^file:\/\//, '');
  const app = /\/((?:apps|libs)\/.*)$/.exec(p);
  if (app && !/node_modules\/(?!\.cache\/)/.test(p.slice(0, app.index + 1))) return app[1];
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + 13).split('/');
    const n = rest[0].startsWith('@') ? 2 : 1;
    return `${rest.slice(0, n).join('/')}: ${rest.slice(n).join('/')}`;
  }
  return p;
};
const pkg = (where) => (where.includes(': ') ? where.split(': ')[0] : where || '(native/V8)');
const isApp = (where) => where.startsWith('apps/') || where.startsWith('libs/');
const isLibrary = (where) => where.includes(': ') || isApp(where);

const selfByFn = new Map();
const selfByPkg = new Map();
const nativeBy = new Map();
const inclusiveApp = new Map();
let total = 0;
const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);

for (const file of args) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (let i = 0; i < prof.samples.length; i++) {
    const us = prof.timeDeltas[i] ?? 0;
    const node = nodes.get(prof.samples[i]);
    const cf = node.callFrame;
    if (cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
    total += us;
    const where = place(cf.url);
    add(
      selfByFn,
      `${cf.functionName || '(anonymous)'}  ${where || '(native)'}${where ? `:${cf.lineNumber + 1}` : ''}`,
      us,
    );
    add(selfByPkg, pkg(where), us);
    // Walk the stack: who caused native time, and which app functions are on it.
    const seen = new Set();
    let cause = null;
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const f = nodes.get(id).callFrame;
      const w = place(f.url);
      if (!cause && isLibrary(w)) cause = pkg(w);
      if (isApp(w)) {
        const key = `${f.functionName || '(anonymous)'}  ${w}:${f.lineNumber + 1}`;
        if (!seen.has(key)) {
          seen.add(key);
          add(inclusiveApp, key, us);
        }
      }
    }
    if (!where) add(nativeBy, `${cf.functionName}  via ${cause ?? 'node core'}`, us);
  }
}

const print = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}\n`,
    );
  }
};
process.stdout.write(
  `busy CPU time: ${(total / 1e6).toFixed(1)} s in ${args.length} profile(s); % of that\n`,
);
print('Top functions by self time', selfByFn);
print('Native time (syscalls, GC, …) by the package on the stack that caused it', nativeBy);
print('Self time by package / source file', selfByPkg);
print("Plinth's functions by inclusive time (self + callees)", inclusiveApp);
