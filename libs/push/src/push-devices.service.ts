import { createECDH } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  isUuid,
  newId,
  PLINTH_CONFIG,
  webPushEndpointProblem,
  type Principal,
  type ResolvedConfig,
} from '@plinth/core';
import { CollectionsRegistry } from '@plinth/collections';
import { PushDevicesRepository, type DeviceInput, type DeviceRow } from './push-devices.repository.js';
import { TOPIC_PATTERN } from './push.schemas.js';
import type { Platform } from './push.types.js';

export interface RegisterDeviceBody {
  platform: Platform;
  token?: string;
  subscription?: { endpoint: string; keys: { p256dh: string; auth: string } };
  appId?: string;
  locale?: string;
}

const invalid = (path: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', `${path} ${message}.`, {
    errors: [{ path, code: 'INVALID_VALUE', message }],
  });

const base64url = (s: string): Buffer | undefined =>
  /^[A-Za-z0-9_-]+={0,2}$/.test(s) ? Buffer.from(s.replace(/=+$/, ''), 'base64url') : undefined;

/** The device of the signed-in user as answers show it (Web Push keys are not echoed). */
export function presentDevice(d: DeviceRow & { topics?: string[] }) {
  return {
    id: d.id,
    userId: d.user_id,
    collectionId: d.collection_id,
    platform: d.platform,
    ...(d.platform === 'webpush' ? { endpoint: d.token } : { token: d.token }),
    appId: d.app_id,
    locale: d.locale,
    active: d.active,
    inactiveReason: d.inactive_reason,
    ...(d.topics ? { topics: d.topics } : {}),
    created: new Date(d.created).toISOString(),
    updated: new Date(d.updated).toISOString(),
  };
}

/** App users' devices and topic subscriptions. */
@Injectable()
export class PushDevicesService {
  constructor(
    private readonly repo: PushDevicesRepository,
    private readonly registry: CollectionsRegistry,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async register(principal: Principal, body: RegisterDeviceBody) {
    const user = this.user(principal);
    const input = this.checkDevice(body);
    return presentDevice(await this.repo.upsertDevice(user, newId(), input));
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const user = this.user(principal);
    if (!isUuid(id) || !(await this.repo.deleteDevice(id, user.userId))) throw notFound();
  }

  async list(query: Record<string, unknown>) {
    const problems: Array<{ path: string; code: string; message: string }> = [];
    const user = typeof query.user === 'string' && query.user ? query.user : undefined;
    if (user && !this.registry.isUserId(user))
      problems.push({ path: 'user', code: 'INVALID_VALUE', message: 'must be a user id' });
    const platform = typeof query.platform === 'string' && query.platform ? query.platform : undefined;
    if (platform && !['fcm', 'apns', 'webpush'].includes(platform)) {
      problems.push({ path: 'platform', code: 'INVALID_VALUE', message: 'must be fcm, apns or webpush' });
    }
    const activeRaw = query.active;
    if (activeRaw !== undefined && activeRaw !== 'true' && activeRaw !== 'false') {
      problems.push({ path: 'active', code: 'INVALID_VALUE', message: 'must be true or false' });
    }
    const page = intParam(query.page, 'page', 1, problems);
    const perPage = Math.min(500, intParam(query.perPage, 'perPage', 30, problems));
    if (problems.length) {
      throw new AppError(
        'INVALID_QUERY',
        `Invalid query: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
        {
          errors: problems,
        },
      );
    }
    const { items, total } = await this.repo.listDevices(
      {
        user,
        platform: platform as Platform | undefined,
        active: activeRaw === undefined ? undefined : activeRaw === 'true',
      },
      page,
      perPage,
    );
    return {
      page,
      perPage,
      totalItems: total,
      totalPages: Math.ceil(total / perPage),
      items: items.map(presentDevice),
    };
  }

  async subscribe(principal: Principal, topic: string, deviceId: string | undefined, subscribe: boolean) {
    const user = this.user(principal);
    if (!new RegExp(TOPIC_PATTERN).test(topic)) {
      throw invalid('topic', 'must be 1-100 letters, digits or _ . ~ -');
    }
    if (deviceId !== undefined && !isUuid(deviceId)) throw notFound();
    const ids = await this.repo.userDeviceIds(user.userId, deviceId);
    if (deviceId && !ids.length) throw notFound();
    if (subscribe) await this.repo.subscribe(topic, ids);
    else await this.repo.unsubscribe(topic, ids);
    return { topic, devices: ids };
  }

  private user(principal: Principal): { collectionId: string; userId: string } {
    if (principal.kind === 'anonymous') {
      throw new AppError('UNAUTHORIZED', 'Sign in as an app user to manage push devices.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    if (principal.kind !== 'user') {
      throw new AppError(
        'PUSH_USER_REQUIRED',
        "Devices belong to app users: call this with an app user's token.",
      );
    }
    return { collectionId: principal.collectionId, userId: principal.id };
  }

  /** Platform-specific checks; every problem names its field. */
  private checkDevice(body: RegisterDeviceBody): DeviceInput {
    const common = { appId: body.appId ?? null, locale: body.locale ?? null };
    if (body.platform === 'webpush') {
      if (body.token !== undefined)
        throw invalid('token', 'is not used for webpush: send subscription instead');
      const sub = body.subscription;
      if (!sub)
        throw new AppError(
          'VALIDATION_FAILED',
          'A webpush device needs its subscription ({endpoint, keys: {p256dh, auth}}).',
          {
            errors: [{ path: 'subscription', code: 'REQUIRED', message: 'is required for webpush' }],
          },
        );
      const problem = webPushEndpointProblem(sub.endpoint, this.config.push.allowPrivateEndpoints);
      if (problem) throw invalid('subscription.endpoint', problem);
      const p256dh = base64url(sub.keys.p256dh);
      if (!p256dh || p256dh.length !== 65 || p256dh[0] !== 4 || !isP256Point(p256dh)) {
        throw invalid(
          'subscription.keys.p256dh',
          'must be an uncompressed P-256 public key (65 bytes, base64url)',
        );
      }
      const auth = base64url(sub.keys.auth);
      if (!auth || auth.length !== 16) throw invalid('subscription.keys.auth', 'must be 16 bytes, base64url');
      return {
        platform: 'webpush',
        token: sub.endpoint,
        keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth },
        ...common,
      };
    }
    if (body.subscription !== undefined)
      throw invalid('subscription', `is only for webpush devices: send token for ${body.platform}`);
    if (body.token === undefined) {
      throw new AppError('VALIDATION_FAILED', `A ${body.platform} device needs its token.`, {
        errors: [{ path: 'token', code: 'REQUIRED', message: `is required for ${body.platform}` }],
      });
    }
    if (body.platform === 'apns') {
      if (!/^[0-9a-fA-F]{64,200}$/.test(body.token) || body.token.length % 2) {
        throw invalid('token', 'must be an APNs device token (hexadecimal, 64 characters or more)');
      }
      return { platform: 'apns', token: body.token.toLowerCase(), keys: null, ...common };
    }
    if (!/^[A-Za-z0-9_:.-]{16,4096}$/.test(body.token)) {
      throw invalid('token', 'must be an FCM registration token (letters, digits, _ : . -)');
    }
    return { platform: 'fcm', token: body.token, keys: null, ...common };
  }
}

function isP256Point(key: Buffer): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(key);
    return true;
  } catch {
    return false;
  }
}

const notFound = () => new AppError('PUSH_DEVICE_NOT_FOUND', 'You have no device with this id.');

function intParam(
  raw: unknown,
  path: string,
  fallback: number,
  problems: Array<{ path: string; code: string; message: string }>,
): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    problems.push({ path, code: 'INVALID_VALUE', message: 'must be a whole number of at least 1' });
    return fallback;
  }
  return n;
}
