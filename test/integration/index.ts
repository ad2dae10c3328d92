// Entry point of the integration suite: `run()` is called by the extension host
// (@vscode/test-electron, or test/runner/run-in-code-server.mjs in code-server).
// esbuild bundles this file and the suites it requires into dist/test/integration/index.js.
import Mocha from 'mocha';
import { installNetGuard } from '../../src/worker/netGuard';
import { hostNetGuard, setHostNetGuard, useTestModel } from './helpers';

export async function run(): Promise<void> {
  // From here on, any socket opened in the extension host process fails (and is recorded).
  setHostNetGuard(installNetGuard());
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  if (process.env.CAT_TEST_GREP) mocha.grep(process.env.CAT_TEST_GREP);
  mocha.suite.emit('pre-require', globalThis, 'cat-integration', mocha);
  mocha.suite.beforeAll('use the test model', async function () {
    this.timeout(300_000);
    await useTestModel();
  });
  // Suites register their describe()/it() when required (after pre-require), so they are
  // loaded with require() here rather than hoisted imports.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('./activation.test');
  require('./inline.test');
  require('./chunkSize.test');
  require('./summarize.test');
  require('./badInput.test');
  require('./engineFailures.test');
  require('./privacy.test');
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    await new Promise<void>((resolve, reject) => {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    });
  } finally {
    hostNetGuard()?.uninstall();
  }
}
