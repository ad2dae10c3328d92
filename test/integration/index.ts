// Entry point of the integration suite, loadable two ways from the same bundle
// (dist/test/integration/index.js, built by esbuild.js):
// - `run()`: the extensionTestsPath contract (@vscode/test-electron, and
//   test/runner/run-in-code-server.mjs in code-server): creates mocha and runs the suites;
// - as a mocha test file (@vscode/test-cli, .vscode-test.mjs): mocha's globals already
//   exist when the file loads, so the suites register themselves.
import Mocha from 'mocha';
import { installNetGuard } from '../../src/worker/netGuard';
import { hostNetGuard, setHostNetGuard, useTestModel } from './helpers';

function registerSuites(): void {
  before('no sockets from here on; use the test model', async function () {
    this.timeout(300_000);
    // From here on, any socket opened in the extension host process fails (and is recorded).
    setHostNetGuard(installNetGuard());
    await useTestModel();
  });
  after('remove the network guard', () => hostNetGuard()?.uninstall());
  // Suites register their describe()/it() when required (after mocha's globals exist), so
  // they are loaded with require() here rather than hoisted imports.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('./activation.test');
  require('./inline.test');
  require('./chunkSize.test');
  require('./summarize.test');
  require('./recall.test');
  require('./badInput.test');
  require('./engineFailures.test');
  require('./privacy.test');
  /* eslint-enable @typescript-eslint/no-require-imports */
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  if (process.env.CAT_TEST_GREP) mocha.grep(process.env.CAT_TEST_GREP);
  mocha.suite.emit('pre-require', globalThis, 'cat-integration', mocha);
  registerSuites();
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}

if (typeof (globalThis as { describe?: unknown }).describe === 'function') registerSuites();
