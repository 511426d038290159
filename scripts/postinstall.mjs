#!/usr/bin/env node
// After `npm install`: where an NVIDIA GPU is present, fetch ONNX Runtime's CUDA provider (the project's .npmrc
// skips that download during install so that offline machines install cleanly). A failure here never fails the
// install: inference then runs on ONNX Runtime's CPU provider, and `hdrl info` says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const hasNvidia =
  fs.existsSync('/proc/driver/nvidia/version') || spawnSync('nvidia-smi', ['-L'], { stdio: 'ignore' }).status === 0;
if (process.platform === 'linux' && process.arch === 'x64' && hasNvidia && !process.env.CI) {
  try {
    const script = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'script', 'install.js');
    console.log('hdrl-desk: NVIDIA GPU found, fetching the ONNX Runtime CUDA provider...');
    const r = spawnSync(process.execPath, [script], {
      stdio: 'inherit',
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12', npm_config_onnxruntime_node_install: 'cuda12' },
      timeout: 600_000,
    });
    if (r.status !== 0)
      console.warn('hdrl-desk: could not fetch the ONNX Runtime CUDA provider; inference will use the CPU.');
  } catch (e) {
    console.warn(`hdrl-desk: skipped the ONNX Runtime CUDA provider (${e.message})`);
  }
}
