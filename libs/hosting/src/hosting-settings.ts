/** The admin-editable `hosting` settings section. */
export const HOSTING_SETTINGS = 'hosting';

export interface HostingSettings extends Record<string, unknown> {
  /** Ready deploys kept for rollback (the active one included); older ones and their files are deleted. */
  keep: number;
  /** Paths without a file extension that match no file answer index.html (single-page apps). */
  spaFallback: boolean;
  /** Where the site is served: `/` or a folder such as `/app/`. */
  prefix: string;
}

export const HOSTING_DEFAULTS: HostingSettings = { keep: 10, spaFallback: true, prefix: '/' };

/** Paths the site never shadows: the API, the console and account pages, the API docs, metrics. */
export const RESERVED_PREFIXES = ['/api', '/_', '/docs', '/metrics'];

export function isReservedPath(rawPath: string): boolean {
  return RESERVED_PREFIXES.some(
    (p) => rawPath === p || rawPath.startsWith(p + '/') || rawPath.startsWith(p + '?'),
  );
}

export const hostingSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['keep', 'spaFallback', 'prefix'],
  properties: {
    keep: { type: 'integer', minimum: 1, maximum: 100 },
    spaFallback: { type: 'boolean' },
    prefix: {
      type: 'string',
      maxLength: 200,
      pattern: '^/(?:[A-Za-z0-9._~-]+/)*$',
      not: { pattern: '^/(?:api|_|docs|metrics)/' },
    },
  },
} as const;
