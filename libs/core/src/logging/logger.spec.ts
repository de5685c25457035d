import { describe, expect, it } from '@jest/globals';
import { redactUrl, REDACT_PATHS } from './logger.js';

describe('log redaction', () => {
  it('hides token-like query values in URLs', () => {
    expect(redactUrl('/api/files/posts/1/a.png?thumb=100x100&token=abc.def')).toBe(
      '/api/files/posts/1/a.png?thumb=100x100&token=[redacted]',
    );
    expect(redactUrl('/cb?code=xyz&state=s&refreshToken=r')).toBe(
      '/cb?code=[redacted]&state=s&refreshToken=[redacted]',
    );
    expect(redactUrl('/api/health')).toBe('/api/health');
    // Older realtime clients resumed with their id in the URL; an id must not reach a log.
    expect(redactUrl('/api/realtime?clientId=abc')).toBe('/api/realtime?clientId=[redacted]');
  });

  it('blanks authorization headers, cookies and secrets in structured logs', () => {
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining([
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        '*.clientSecret',
      ]),
    );
  });
});
