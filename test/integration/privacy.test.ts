// No socket was opened by the extension host (guard installed by run()) nor by the engine
// worker (its own guard) during the whole suite. Runs last.
import assert from 'node:assert/strict';
import { api, hostNetGuard, report } from './helpers';

describe('privacy', () => {
  it('no network connection was attempted in the extension host or the engine worker', async () => {
    const a = await api();
    const host = hostNetGuard();
    assert.ok(host, 'the host guard is installed');
    const worker = a.engine.blockedConnections;
    report('privacy.socketAttempts', { host: host.attempts.map((x) => `${x.what} ${x.target}`), worker });
    assert.deepEqual(host.attempts.map((x) => `${x.what} ${x.target}`), []);
    assert.deepEqual(worker, []);
  });
});
