import { ApplicationFailure } from '@temporalio/activity';

interface Classified {
  message: string;
  name: string;
  type?: string;
  retryable?: boolean;
  retryAfterMs?: number;
}

function isClassified(err: unknown): err is Classified {
  return err instanceof Error && typeof (err as Classified).retryable === 'boolean';
}

/**
 * Temporal names a failure after the thrown error's class, not after our `type`, so a client error escaping an
 * activity is turned into an ApplicationFailure here: its type is the classification (`ScimConflict`,
 * `CicAuthenticationFailed`), a permanent one is non-retryable, and Retry-After becomes the next retry delay.
 */
export function withFailureTypes<T extends Record<string, (...args: any[]) => Promise<any>>>(activities: T): T {
  const wrapped: Record<string, (...args: any[]) => Promise<any>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: any[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (!isClassified(err)) throw err;
        throw ApplicationFailure.create({
          message: err.message,
          type: err.type ?? err.name,
          nonRetryable: !err.retryable,
          nextRetryDelay: err.retryAfterMs,
          cause: err,
        });
      }
    };
    Object.defineProperty(wrapped[name], 'name', { value: name });
  }
  return wrapped as T;
}
