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
