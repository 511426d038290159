#!/usr/bin/env node
// The `hdrl` command: runs the TypeScript engine through tsx (a runtime dependency), so the command line works
// straight after `npm install`, without a build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const entry = new URL('../src-main/cli/index.ts', import.meta.url);
const { main } = await import(fileURLToPath(entry));
const code = await main(process.argv.slice(2));
// serve keeps running; every other command exits with its status
if (code !== undefined && code !== null && code >= 0) process.exitCode = code;
