/**
 * Runs a Passport strategy without Passport's Express-style middleware, which Fastify's reply
 * cannot serve (PITFALLS: `res.setHeader is not a function`). As Passport itself does, the strategy
 * is wrapped in an object whose redirect/success/fail/error/pass record the outcome.
 */

/** The parts of a request the OAuth strategies read. */
export interface StrategyRequest {
  method: string;
  url: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body?: undefined;
}

export interface PassportStrategy {
  authenticate(req: StrategyRequest, options?: object): void;
}

export type StrategyOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; user: unknown }
  | { kind: 'fail'; message: string }
  | { kind: 'error'; error: Error };

const TIMEOUT_MS = 15_000;

function messageOf(challenge: unknown): string {
  if (typeof challenge === 'string') return challenge;
  if (challenge && typeof challenge === 'object' && 'message' in challenge) {
    return String((challenge as { message: unknown }).message);
  }
  return 'The provider refused the sign-in.';
}

export function runStrategy(
  strategy: PassportStrategy,
  req: StrategyRequest,
  options: object = {},
  timeoutMs = TIMEOUT_MS,
): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: StrategyOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    // The `oauth` library sets no timeout of its own: a provider that never answers must not hang the callback.
    const timer = setTimeout(
      () => finish({ kind: 'error', error: new Error('The provider did not answer in time.') }),
      timeoutMs,
    );
    const call = Object.create(strategy) as PassportStrategy & Record<string, unknown>;
    call.redirect = (url: string) => finish({ kind: 'redirect', url });
    call.success = (user: unknown) => finish({ kind: 'success', user });
    call.fail = (challenge: unknown) => finish({ kind: 'fail', message: messageOf(challenge) });
    call.error = (error: unknown) =>
      finish({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)) });
    call.pass = () => finish({ kind: 'fail', message: 'The strategy passed on the request.' });
    try {
      call.authenticate(req, options);
    } catch (error) {
      finish({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)) });
    }
  });
}
