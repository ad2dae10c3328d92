// Errors the engine client raises. Providers catch these, log them and return empty.

export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

export class EngineCrashedError extends Error {
  override name = 'EngineCrashedError';
}

export class EngineTimeoutError extends Error {
  override name = 'EngineTimeoutError';
}

/** An error the engine itself reported for one request (bad input, unknown document...). */
export class EngineRequestError extends Error {
  override name = 'EngineRequestError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly remoteName: string,
  ) {
    super(message);
  }
}

export function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || (e instanceof EngineRequestError && e.code === 'aborted'));
}
