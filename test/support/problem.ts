import { expect } from '@jest/globals';

/** Asserts a problem+json answer with the given status and code; returns its body. */
export async function expectProblem(
  res: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect({ status: res.status, type: res.headers.get('content-type'), text }).toMatchObject({
    status,
    type: expect.stringContaining('application/problem+json'),
  });
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, requestId: res.headers.get('x-request-id') });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.type).toBe('string');
  return body;
}

/** The same checks for an answer of `api(t, token)(…)`; returns the problem body. */
export function expectApiProblem(
  res: { status: number; body: unknown; headers: Headers },
  status: number,
  code: string,
): // eslint-disable-next-line @typescript-eslint/no-explicit-any -- problems carry extra members (errors, failedIndex…)
Record<string, any> {
  expect({ status: res.status, type: res.headers.get('content-type'), body: res.body }).toMatchObject({
    status,
    type: expect.stringContaining('application/problem+json'),
    body: { status, code, requestId: res.headers.get('x-request-id') },
  });
  const body = res.body as Record<string, unknown>;
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.type).toBe('string');
  return body;
}

/** The `errors[].path` values of a problem, sorted. */
export function errorPaths(problem: { errors?: Array<{ path: string }> }): string[] {
  return (problem.errors ?? []).map((e) => e.path).sort();
}
