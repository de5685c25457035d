import { describe, expect, it } from '@jest/globals';
import {
  isPrivateAddress,
  outboundUrlProblem,
  publicHostProblem,
  resolvePublicAddress,
  webPushEndpointProblem,
} from './outbound-guard.js';

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

describe('admin-configured endpoints (PLINTH_ALLOW_PRIVATE_ENDPOINTS)', () => {
  it.each([
    ['localhost', 'public host'],
    ['mail', 'public host'],
    ['127.0.0.1', 'public address'],
    ['10.0.0.25', 'public address'],
    ['[::1]', 'public address'],
    ['smtp.localhost.', 'public host'],
    ['', 'host'],
  ])('refuses the host %s', (host, why) => {
    expect(publicHostProblem(host)).toContain(why);
  });

  it('accepts public hosts and addresses', () => {
    expect(publicHostProblem('smtp.example.com')).toBeNull();
    expect(publicHostProblem('8.8.8.8')).toBeNull();
    expect(outboundUrlProblem('https://accounts.example.com/realms/x', false)).toBeNull();
    expect(outboundUrlProblem('http://s3.example.com', false)).toBeNull();
  });

  it('refuses private URLs unless allowed; refuses bad forms always', () => {
    expect(outboundUrlProblem('http://169.254.169.254/latest', false)).toContain('public address');
    expect(outboundUrlProblem('http://2130706433/', false)).toContain('public address');
    expect(outboundUrlProblem('http://minio:9000', false)).toContain('public host');
    expect(outboundUrlProblem('http://minio:9000', true)).toBeNull();
    expect(outboundUrlProblem('https://u:p@idp.example.com', true)).toContain('credentials');
    expect(outboundUrlProblem('file:///etc/passwd', true)).toContain('http');
  });

  it('resolves names and refuses those that land on a private address', async () => {
    await expect(resolvePublicAddress('localhost')).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    await expect(resolvePublicAddress('127.0.0.1')).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
  });
});
