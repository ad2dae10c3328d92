// @vscode/test-cli configuration (`npx vscode-test`): downloads desktop VS Code and runs the
// same integration suite as test/runner/run-in-code-server.mjs (offline, in code-server).
// Build first: `node esbuild.js`. CAT_TEST_MODEL_DIR selects another model folder.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'integration',
  files: 'dist/test/integration/index.js',
  version: 'stable',
  launchArgs: ['--disable-workspace-trust'],
  env: { CAT_TEST_MODEL_DIR: process.env.CAT_TEST_MODEL_DIR },
  mocha: { ui: 'bdd', timeout: 120_000, color: true },
});
