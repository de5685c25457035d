// Compiles server, worker and libs into dist/ and rewrites the @plinth/* aliases to relative paths.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const run = (bin, args) => execFileSync(process.execPath, [bin, ...args], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
run('node_modules/tsc-alias/dist/bin/index.js', ['-p', 'tsconfig.build.json', '--resolve-full-paths']);
