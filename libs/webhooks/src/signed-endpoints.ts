import {
  ApiStringQuery,
  AppError,
  applyDecorators,
  outboundUrlProblem,
  type BodySchema,
  type FieldProblem,
} from '@plinth/core';

/**
 * What the admin APIs of signed endpoints (webhooks, schedules) share: their body and list schemas,
 * the paged log, the outbound URL check and the one validation answer.
 */

export const iso = (d: Date | string | null | undefined): string | null =>
  d ? new Date(d).toISOString() : null;

/** The create body (with its required fields) and the update body (any one field) over the same fields. */
export function bodySchemas(
  fields: Record<string, BodySchema>,
  required: string[],
): { create: BodySchema; update: BodySchema } {
  const body = { type: 'object', additionalProperties: false, properties: fields };
  return { create: { ...body, required }, update: { ...body, minProperties: 1 } };
}

/** `{items: [...]}`: the answer of a list that is never paged. */
export const itemsSchema = (item: BodySchema): BodySchema => ({
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: item } },
});

export const timestampProperties = {
  created: { type: 'string', format: 'date-time' },
  updated: { type: 'string', format: 'date-time' },
};

/** `page` and `perPage` of a log route. */
export const ApiPageQuery = () =>
  applyDecorators(
    // Applied in this order, as the two decorators written above a method would be (bottom first).
    ApiStringQuery('perPage', 'Items per page (default 30, at most 500).'),
    ApiStringQuery('page', 'Page number (default 1).'),
  );

/** One page of a log: `page` and `perPage` read leniently (defaults 1 and 30, at most 500). */
export async function pageOf<R, V>(
  query: Record<string, unknown>,
  read: (range: { limit: number; offset: number }) => Promise<{ items: R[]; total: number }>,
  view: (row: R) => V,
) {
  const page = Math.max(1, Number.parseInt(String(query.page ?? '1'), 10) || 1);
  const perPage = Math.min(500, Math.max(1, Number.parseInt(String(query.perPage ?? '30'), 10) || 30));
  const { items, total } = await read({ limit: perPage, offset: (page - 1) * perPage });
  return { page, perPage, totalItems: total, totalPages: Math.ceil(total / perPage), items: items.map(view) };
}

/** A URL this server may POST to, or the problem at `path` (with how to allow local receivers). */
export function endpointUrlProblem(url: string, path: string, allowPrivate: boolean): FieldProblem[] {
  const problem = outboundUrlProblem(url, allowPrivate);
  if (!problem) return [];
  const hint = allowPrivate ? '' : ' (set PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS=true for local receivers)';
  return [{ path, code: 'INVALID_VALUE', message: `${problem}${hint}` }];
}

/** Answers 400 VALIDATION_FAILED listing every problem, when there is one. */
export function throwIfInvalid(what: string, errors: FieldProblem[]): void {
  if (!errors.length) return;
  throw new AppError(
    'VALIDATION_FAILED',
    `The ${what} has ${errors.length} invalid field(s): ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`,
    { errors },
  );
}
