// The engine worker's (and the integration suite's) network guard.
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { test } from 'node:test';
import { installNetGuard } from '../../src/worker/netGuard';

test('network guard: socket connects and UDP sends throw and are recorded; uninstall restores', () => {
  const seen: string[] = [];
  const g = installNetGuard((a) => seen.push(a.target));
  try {
    assert.throws(() => net.createConnection({ host: '203.0.113.1', port: 443 }), /network guard/);
    assert.throws(() => net.connect(9, '127.0.0.1'), /network guard/);
    const sock = dgram.createSocket('udp4');
    assert.throws(() => sock.send(Buffer.from('x'), 53, '203.0.113.2'), /network guard/);
    sock.close();
    assert.deepEqual(seen, ['203.0.113.1:443', '127.0.0.1:9', '203.0.113.2:53']);
    assert.equal(g.attempts.length, 3);
  } finally {
    g.uninstall();
  }
  const s = new net.Socket();
  s.on('error', () => undefined);
  assert.doesNotThrow(() => s.connect({ port: 1, host: '127.0.0.1' }));
  s.destroy();
});
