import { describe, expect, it } from '@jest/globals';
import { wantsEvent } from './webhook-emitter.js';
import { EVENT_PATTERN } from './webhooks.schemas.js';

describe('webhook event names', () => {
  it('accepts record, account and push events and refuses others', () => {
    const valid = new RegExp(EVENT_PATTERN);
    const good = ['*', 'posts.create', 'posts.*', 'users.signin', 'users.email-changed', 'push.*'];
    for (const ok of [...good, 'push.delivery.failed', 'push.message.completed']) {
      expect([ok, valid.test(ok)]).toEqual([ok, true]);
    }
    for (const bad of ['users.login', 'push.delivery.*', 'push.deliveryXfailed', 'posts', '*.create', '']) {
      expect([bad, valid.test(bad)]).toEqual([bad, false]);
    }
  });

  it('matches exactly, by `<first part>.*`, or everything with `*`', () => {
    expect(wantsEvent(['users.*'], 'users.signin')).toBe(true);
    expect(wantsEvent(['users.*'], 'users.create')).toBe(true);
    expect(wantsEvent(['users.signin'], 'users.signup')).toBe(false);
    expect(wantsEvent(['push.*'], 'push.delivery.failed')).toBe(true);
    expect(wantsEvent(['push.*'], 'posts.create')).toBe(false);
    expect(wantsEvent(['push.message.completed'], 'push.delivery.failed')).toBe(false);
    expect(wantsEvent(['posts.*'], 'push.message.completed')).toBe(false);
    expect(wantsEvent(['*'], 'push.message.completed')).toBe(true);
  });
});
