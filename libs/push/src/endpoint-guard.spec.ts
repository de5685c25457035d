import { describe, expect, it } from '@jest/globals';
import { isPrivateAddress, webPushEndpointProblem } from './endpoint-guard.js';

describe('Web Push endpoint check', () => {
  it('accepts https on public hosts', () => {
    expect(webPushEndpointProblem('https://fcm.googleapis.com/fcm/send/abc', false)).toBeNull();
    expect(webPushEndpointProblem('https://updates.push.services.mozilla.com/wpush/v2/x', false)).toBeNull();
    expect(webPushEndpointProblem('https://8.8.8.8/x', false)).toBeNull();
  });

  it.each([
    ['http://push.example.com/x', 'https'],
    ['https://localhost/x', 'public host'],
    ['https://app.localhost/x', 'public host'],
    ['https://intranet/x', 'public host'],
    ['https://127.0.0.1/x', 'public address'],
    ['https://10.1.2.3/x', 'public address'],
    ['https://169.254.169.254/latest/meta-data', 'public address'],
    ['https://[::1]/x', 'public address'],
    ['https://[fd00::1]/x', 'public address'],
    ['https://[::ffff:192.168.0.1]/x', 'public address'],
    ['https://user:pw@push.example.com/x', 'credentials'],
    ['ftp://push.example.com/x', 'https'],
    ['nonsense', 'absolute URL'],
  ])('refuses %s', (url, why) => {
    expect(webPushEndpointProblem(url, false)).toContain(why);
  });

  it('allows private http endpoints only when configured to', () => {
    expect(webPushEndpointProblem('http://127.0.0.1:8090/notify/x', true)).toBeNull();
    expect(webPushEndpointProblem('ftp://127.0.0.1/x', true)).toContain('https');
  });

  it('classifies addresses', () => {
    expect(isPrivateAddress('192.168.1.1')).toBe(true);
    expect(isPrivateAddress('100.64.0.1')).toBe(true);
    expect(isPrivateAddress('1.1.1.1')).toBe(false);
    expect(isPrivateAddress('2606:4700::1111')).toBe(false);
    expect(isPrivateAddress('fe80::1')).toBe(true);
  });
});
