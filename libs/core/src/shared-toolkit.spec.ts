import { isUuid, isUuidText } from './ids.js';
import { makeProblem } from './errors/problem.js';
import { createAjv } from './validation/ajv.js';

describe('isUuidText', () => {
  it('takes any UUID in text form that PostgreSQL takes, where isUuid wants a versioned one', () => {
    const unversioned = '12345678-1234-1234-1234-123456789abc';
    expect(isUuidText(unversioned)).toBe(true);
    expect(isUuidText(unversioned.toUpperCase())).toBe(true);
    expect(isUuid(unversioned)).toBe(false);
    for (const bad of ['', 'x', `urn:uuid:${unversioned}`, `${unversioned}0`, 42, null]) {
      expect(isUuidText(bad)).toBe(false);
    }
  });
});

describe('createAjv', () => {
  const schema = { type: 'string', format: 'uuid' };
  const urn = 'urn:uuid:12345678-1234-1234-1234-123456789abc';

  it('gives records a uuid format without the urn: form PostgreSQL refuses', () => {
    const records = createAjv('records').compile(schema);
    expect(records('12345678-1234-1234-1234-123456789abc')).toBe(true);
    expect(records(urn)).toBe(false);
  });

  it('keeps ajv-formats for request bodies and reports every error', () => {
    const ajv = createAjv('bodies');
    expect(ajv.compile(schema)(urn)).toBe(true);
    const validate = ajv.compile({ type: 'object', required: ['a', 'b'] });
    expect(validate({})).toBe(false);
    expect(validate.errors).toHaveLength(2);
  });
});

describe('makeProblem', () => {
  it('builds RFC 9457 with the PocketBase members', () => {
    expect(makeProblem('HEADERS_TOO_LARGE', 431, 'Too big.', 'r1')).toEqual({
      type: 'https://plinth.dev/errors/headers-too-large',
      title: 'Request headers too large',
      status: 431,
      detail: 'Too big.',
      code: 'HEADERS_TOO_LARGE',
      requestId: 'r1',
      message: 'Too big.',
      data: {},
    });
  });
});
