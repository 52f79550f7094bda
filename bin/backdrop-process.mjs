#!/usr/bin/env node
// The `backdrop-process` command (package.json "bin"): runs scripts/process.ts under tsx, which
// the project already uses for its scripts. Same arguments as `npm run process --`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../scripts/process.ts', import.meta.url));
// Resolved from here, so the command works from any folder.
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--import', tsx, script, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
