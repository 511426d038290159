#!/usr/bin/env node
// `npm run security`: runs the security suite (test/security) and writes docs/security.md. The suite is
// TypeScript; tsx (a runtime dependency) loads it, as bin/hdrl.mjs does for the engine.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../test/security/report.ts');
process.exitCode = await main();
