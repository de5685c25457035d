import { useEffect, useState } from 'react';
import { client } from '../../api/client';

/**
 * One line of a collection's last 24 hours from GET /api/stats: requests, errors, and sign-ups and
 * sign-ins for auth collections. Says nothing when the statistics cannot be read.
 */
export function CollectionStats({ name }: { name: string }) {
  const [line, setLine] = useState('');
  useEffect(() => {
    let live = true;
    client.stats
      .get({ interval: 'hour' })
      .then((s) => {
        const sum = (metric: string, keep: (dim: string) => boolean) =>
          s.series.filter((x) => x.metric === metric && keep(x.dim)).reduce((n, x) => n + (x.total ?? 0), 0);
        const mine = (cls: string) => (dim: string) => dim === `${cls}|${name}`;
        const requests = ['2xx', '3xx', '4xx', '5xx'].reduce((n, c) => n + sum('requests', mine(c)), 0);
        const errors = sum('requests', mine('4xx')) + sum('requests', mine('5xx'));
        const signups = sum('signups', (d) => d === name);
        const signins = sum('signins', (d) => d === name);
        const auth = signups || signins ? `, ${signups} sign-up(s), ${signins} sign-in(s)` : '';
        if (live) setLine(`Last 24 hours: ${requests} request(s), ${errors} error(s)${auth}.`);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [name]);
  return line ? (
    <p className="muted small" data-testid="collection-stats">
      {line} <a href="#/dashboard">Dashboard</a>
    </p>
  ) : null;
}
