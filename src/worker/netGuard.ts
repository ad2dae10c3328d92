// Blocks every outgoing socket in the current thread/process: CAT never talks to the
// network. Each blocked attempt is counted and reported; the caller decides what to log.
import * as dgram from 'node:dgram';
import * as net from 'node:net';

export interface NetAttempt {
  what: string;
  target: string;
  stack: string;
}

export interface NetGuard {
  attempts: NetAttempt[];
  uninstall(): void;
}

function describeTarget(args: unknown[]): string {
  const first = args[0];
  if (Array.isArray(first)) return describeTarget(first);
  if (first && typeof first === 'object') {
    const o = first as { host?: unknown; port?: unknown; path?: unknown };
    if (o.path !== undefined) return `ipc:${String(o.path)}`;
    return `${String(o.host ?? 'localhost')}:${String(o.port ?? '?')}`;
  }
  if (typeof first === 'number') return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${first}`;
  return String(first);
}

/**
 * Patch net.Socket.prototype.connect and dgram.Socket.prototype.send/connect so that any attempt throws
 * (and is recorded). Returns a handle that restores the originals.
 */
export function installNetGuard(onAttempt?: (a: NetAttempt) => void): NetGuard {
  const attempts: NetAttempt[] = [];
  const origConnect = net.Socket.prototype.connect;
  const origSend = dgram.Socket.prototype.send;
  const origUdpConnect = dgram.Socket.prototype.connect;
  const record = (what: string, target: string): Error => {
    const err = new Error(`CAT network guard: ${what} to ${target} blocked (CAT never opens network connections)`);
    const a = { what, target, stack: err.stack ?? '' };
    attempts.push(a);
    onAttempt?.(a);
    return err;
  };
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    throw record('socket connect', describeTarget(args));
  } as typeof origConnect;
  // Patch prototypes, not module objects: a bundler's namespace copy would not be seen.
  dgram.Socket.prototype.send = function guardedSend(...args: unknown[]): void {
    throw record('udp send', describeTarget(args.slice(1)));
  } as typeof origSend;
  dgram.Socket.prototype.connect = function guardedUdpConnect(...args: unknown[]): void {
    throw record('udp connect', describeTarget(args));
  } as typeof origUdpConnect;
  return {
    attempts,
    uninstall() {
      net.Socket.prototype.connect = origConnect;
      dgram.Socket.prototype.send = origSend;
      dgram.Socket.prototype.connect = origUdpConnect;
    },
  };
}
