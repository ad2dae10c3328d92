// A minimal typed event emitter with the same shape as vscode.Event, for modules that
// must stay free of the 'vscode' import (so they can be unit-tested under plain Node).

export interface DisposableLike {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => DisposableLike;

export class Emitter<T> implements DisposableLike {
  private readonly listeners = new Set<(e: T) => void>();

  constructor(private readonly onListenerError?: (e: unknown) => void) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (e) {
        this.onListenerError?.(e);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
