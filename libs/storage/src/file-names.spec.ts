import { describe, expect, it } from '@jest/globals';
import {
  effectiveType,
  extensionOf,
  isStoredName,
  MAX_BASE_LENGTH,
  mimeOfName,
  sanitizeBaseName,
  servingPolicy,
  storedName,
} from './file-names.js';

describe('sanitizeBaseName', () => {
  it.each([
    ['photo.png', 'photo'],
    ['My Holiday Photo.JPG', 'my_holiday_photo'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win'],
    ['a\u0000b.txt', 'a_b'],
    ['...', 'file'],
    ['..', 'file'],
    ['.htaccess', 'htaccess'],
    ['', 'file'],
    ['Ünïcödé café.pdf', 'unicode_cafe'],
    // Look-alikes (Cyrillic "а", fullwidth "ｐ") never survive as non-ASCII.
    ['pаypal.png', 'p_ypal'],
    ['ｐｈｏｔｏ.png', 'photo'],
    ['日本語.txt', 'file'],
    ['a/b/c.tar.gz', 'c_tar'],
    ['---__x__---.png', 'x'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeBaseName(input)).toBe(expected);
  });

  it('cuts long names to the maximum', () => {
    const base = sanitizeBaseName(`${'x'.repeat(500)}.png`);
    expect(base).toBe('x'.repeat(MAX_BASE_LENGTH));
  });
});

describe('extensionOf', () => {
  it.each([
    ['a.PNG', 'png'],
    ['a', ''],
    ['.bashrc', ''],
    ['a.tar.gz', 'gz'],
    ['a.png/../b', ''],
    ['a.p n g', ''],
    ['a.verylongextension', ''],
  ])('%j → %j', (input, expected) => {
    expect(extensionOf(input)).toBe(expected);
  });
});

describe('storedName', () => {
  it('is the base, a random suffix and the extension, and passes isStoredName', () => {
    const name = storedName('../My Photo.png', 'png');
    expect(name).toMatch(/^my_photo_[a-z0-9]{10}\.png$/);
    expect(isStoredName(name)).toBe(true);
    expect(storedName('x.png', 'png')).not.toBe(storedName('x.png', 'png'));
  });

  it('drops an unsafe extension', () => {
    expect(storedName('x', '../sh')).toMatch(/^x_[a-z0-9]{10}$/);
  });

  // Issue 19: files imported from PocketBase keep its stored names (mixed-case random suffix).
  it.each(['300_1SEi6Q6U72.png', 'test_d61b33QdDU.txt', 'logo_vcf_jjg5_tah_9MtIHytOmZ.svg'])(
    "accepts PocketBase's stored name %j",
    (name) => {
      expect(isStoredName(name)).toBe(true);
    },
  );

  it.each([
    '../x_abcdefghij.png',
    'x_abcdefghij.png\u0000',
    'X_abcdefghij.png',
    'x.png',
    '.._abcdefghij',
    'x_abcdefghij.',
  ])('refuses %j as a stored name', (name) => {
    expect(isStoredName(name)).toBe(false);
  });
});

describe('effectiveType', () => {
  it('trusts the bytes over the name', () => {
    expect(effectiveType('evil.html', { mime: 'image/png', ext: 'png' })).toEqual({
      mime: 'image/png',
      ext: 'png',
    });
  });

  it('takes text formats from the name, nothing binary', () => {
    expect(effectiveType('notes.txt', undefined)).toEqual({ mime: 'text/plain', ext: 'txt' });
    expect(effectiveType('x.svg', undefined)).toEqual({ mime: 'image/svg+xml', ext: 'svg' });
    expect(effectiveType('fake.png', undefined)).toEqual({ mime: 'application/octet-stream', ext: '' });
  });
});

describe('serving', () => {
  it('names types by extension', () => {
    expect(mimeOfName('a_0123456789.png')).toBe('image/png');
    expect(mimeOfName('a_0123456789')).toBe('application/octet-stream');
  });

  it('serves active content as a sandboxed attachment', () => {
    for (const t of [
      'text/html',
      'image/svg+xml',
      'application/xml',
      'application/xhtml+xml',
      'text/javascript',
      'application/pdf',
      'application/octet-stream',
    ])
      expect([t, servingPolicy(t, {})]).toEqual([
        t,
        { disposition: 'attachment', csp: expect.stringMatching(/; sandbox$/) },
      ]);
    for (const t of ['image/png', 'image/jpeg', 'text/plain', 'video/mp4'])
      expect([t, servingPolicy(t, { inlinePdf: true })]).toEqual([
        t,
        { disposition: 'inline', csp: expect.stringMatching(/^default-src 'none';.*; sandbox$/) },
      ]);
  });

  it('shows PDFs inline, unsandboxed, only where the field allows it', () => {
    expect(servingPolicy('application/pdf', { inlinePdf: true })).toEqual({
      disposition: 'inline',
      csp: expect.not.stringContaining('sandbox'),
    });
    expect(servingPolicy('application/pdf', { inlinePdf: true }).csp).toMatch(/^default-src 'none'/);
    expect(servingPolicy('image/svg+xml', { inlinePdf: true }).disposition).toBe('attachment');
  });
});
