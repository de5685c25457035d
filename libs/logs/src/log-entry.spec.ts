import { cleanText, MAX_URL, redactRequestUrl } from './log-entry.js';

describe('redactRequestUrl', () => {
  it('hides the values of secret parameters and keeps the others', () => {
    expect(redactRequestUrl('/api/files/p/1/a.png?thumb=10x10&token=abc.def')).toBe(
      '/api/files/p/1/a.png?thumb=10x10&token=[redacted]',
    );
    expect(redactRequestUrl('/cb?code=xyz&state=s&apiKey=k&password=p&client_secret=c&page=2')).toBe(
      '/cb?code=[redacted]&state=[redacted]&apiKey=[redacted]&password=[redacted]&client_secret=[redacted]&page=2',
    );
    expect(redactRequestUrl('/x?%74oken=abc')).toBe('/x?%74oken=[redacted]');
    expect(redactRequestUrl('/api/health')).toBe('/api/health');
  });

  it('caps the URL and removes control characters', () => {
    expect(redactRequestUrl('/a\u0007b\u001b[31m?x=1\u0000')).toBe('/ab[31m?x=1');
    expect(redactRequestUrl('/' + 'a'.repeat(20_000))).toHaveLength(MAX_URL);
  });
});

describe('cleanText', () => {
  it('strips C0/C1 controls and caps', () => {
    expect(cleanText('curl\r\n\u0085/8', 100)).toBe('curl/8');
    expect(cleanText('x'.repeat(600), 512)).toHaveLength(512);
    expect(cleanText(undefined, 5)).toBe('');
  });
});
