/** JSON Schema of GET /api/stats (the OpenAPI document). */
export const statsResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['interval', 'from', 'to', 'buckets', 'series'],
  properties: {
    interval: { enum: ['minute', 'hour', 'day'] },
    from: { type: 'string', format: 'date-time', description: 'The start of the first bucket (UTC).' },
    to: { type: 'string', format: 'date-time' },
    buckets: {
      type: 'array',
      items: { type: 'string', format: 'date-time' },
      description: 'The start of each bucket; every series has one value per bucket.',
    },
    series: {
      type: 'array',
      description:
        'metric: `requests` (dim `<class>|<collection>`, e.g. `2xx|posts`, collection empty for other routes), ' +
        '`errors` (dim: problem code), `signups` and `signins` (dim: auth collection), `records` (dim: collection), ' +
        '`push_sends`, `push_delivered`, `push_failed` (dim: fcm, apns, webpush), `realtime_connections`, ' +
        '`latency_p50`, `latency_p95`, `latency_p99` (ms, from a histogram, interpolated).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['metric', 'dim', 'values', 'total'],
        properties: {
          metric: { type: 'string' },
          dim: { type: 'string' },
          values: { type: 'array', items: { type: ['number', 'null'] } },
          total: {
            type: ['number', 'null'],
            description:
              "Counts: the range's sum. records and realtime_connections: the last value. Latency: over the range.",
          },
        },
      },
    },
  },
};
