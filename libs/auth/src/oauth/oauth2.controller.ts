import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApiAnswer, ApiJsonBody, ApiStringQuery, AppError, validateBody } from '@plinth/core';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { userAuthResponseSchema } from '../auth-openapi.schemas.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuth2Service } from './oauth2.service.js';
import { LimitAuthRequestsPerIp } from '../users/auth-ip-limit.guard.js';
import { mfaId, mfaIdOf } from '../mfa/sign-in-factors.schemas.js';

export const codeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: { code: { type: 'string', minLength: 1, maxLength: 200 }, mfaId },
};

/**
 * Only single string values of the callback's query reach the strategies. `iss` (RFC 9207) is kept
 * for OpenID Connect issuers that announce it: openid-client then checks it.
 */
function singleValues(query: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of ['code', 'state', 'iss', 'error', 'error_description']) {
    const value = query[key];
    if (typeof value === 'string') out[key] = value.slice(0, 2000);
  }
  return out;
}

function redirectTo(reply: FastifyReply, url: string): void {
  // The answer carries a fresh state or a one-time code: never cached, never sent as a referrer.
  void reply
    .code(302)
    .header('location', url)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send();
}

/**
 * Binds a sign-in to the browser that started it: the start answer sets a cookie named after the
 * state's hash, and the callback requires it. A callback link forwarded to someone else (login CSRF:
 * signing the victim in to the attacker's account) then fails. One cookie per flow, so tabs don't clash.
 */
const stateCookie = (state: string) =>
  `plinth_oauth2_${createHash('sha256').update(state).digest('hex').slice(0, 24)}`;
const COOKIE_MAX_AGE = 600;

function cookiePath(collection: string): string {
  return `/api/collections/${encodeURIComponent(collection)}/auth/oauth2/`;
}

function hasCookie(req: FastifyRequest, name: string): boolean {
  return (req.headers.cookie ?? '').split(';').some((part) => part.trim() === `${name}=1`);
}

/** Social sign-in (DESIGN §4, §10): start → provider → callback → app with a one-time code → tokens. */
@LimitAuthRequestsPerIp()
@ApiTags('social sign-in')
@Controller('api/collections/:collection')
export class OAuth2Controller {
  constructor(private readonly oauth2: OAuth2Service) {}

  @Get('auth/oauth2/:provider')
  @ApiStringQuery(
    'redirect',
    "Where the app wants the one-time code: must start with an entry of the collection's redirectAllowList.",
    true,
  )
  @ApiResponse({
    status: 302,
    description: 'Redirect to the provider (sets a short-lived browser-binding cookie).',
  })
  async startOAuth2(
    @Param('collection') collection: string,
    @Param('provider') provider: string,
    @Query('redirect') redirect: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const url = await this.oauth2.start(
      collection,
      provider,
      typeof redirect === 'string' ? redirect : undefined,
    );
    const state = new URL(url).searchParams.get('state') ?? '';
    const secure = req.protocol === 'https' || this.oauth2.publicUrlIsHttps() ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${stateCookie(state)}=1; Path=${cookiePath(collection)}; Max-Age=${COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax${secure}`,
    );
    redirectTo(reply, url);
  }

  @Get('auth/oauth2/:provider/callback')
  @ApiResponse({ status: 302, description: 'Redirect to the app URL with ?code= (or ?error=).' })
  async finishOAuth2(
    @Param('collection') collection: string,
    @Param('provider') provider: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const values = singleValues(query);
    if (!values.state || !hasCookie(req, stateCookie(values.state))) {
      throw new AppError(
        'OAUTH2_STATE_INVALID',
        'This sign-in was not started in this browser (or it took longer than 10 minutes). Start it again from the app.',
      );
    }
    reply.header(
      'set-cookie',
      `${stateCookie(values.state)}=; Path=${cookiePath(collection)}; Max-Age=0; HttpOnly; SameSite=Lax`,
    );
    redirectTo(reply, await this.oauth2.callback(collection, provider, values));
  }

  @Post('auth-with-oauth2-code')
  @HttpCode(200)
  @ApiJsonBody(codeSchema)
  @ApiAnswer(userAuthResponseSchema)
  async authWithOAuth2Code(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @Query('mfaId') mfaIdQuery: unknown,
  ) {
    const input = validateBody<{ code: string; mfaId?: string }>(codeSchema, body);
    return this.oauth2.exchange(collection, input.code, mfaIdOf(input, mfaIdQuery));
  }
}
