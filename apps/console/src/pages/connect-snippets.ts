/**
 * What the "Connect your app" page shows, for this server's address and one of its collections. Kept
 * in step with sdk/README.md (install from the server, typegen) and the SDK's real API.
 */
export interface ConnectTarget {
  /** The server's origin, as this console reaches it (`https://api.example.com`). */
  origin: string;
  /** A collection of this install the examples read. */
  collection: string;
  /** An auth collection whose users sign in (the default `users`). */
  authCollection: string;
}

export const installCommand = ({ origin }: ConnectTarget) => `npm install "${origin}/api/sdk.tgz"`;

/** npm sends this token to the tarball's host as a bearer: the admin-scoped key's view, kept out of package.json. */
export const npmrcLine = ({ origin }: ConnectTarget) =>
  `//${new URL(origin).host}/:_authToken=\${PLINTH_KEY}`;

export const typegenCommand = ({ origin }: ConnectTarget) =>
  `npx plinth typegen --url "${origin}" --key "$PLINTH_KEY" --out src/plinth-types.ts`;

export const openApiDownload = ({ origin }: ConnectTarget) =>
  `curl -fsS -H "Authorization: Bearer $PLINTH_KEY" "${origin}/api/openapi.yaml" -o plinth.yaml`;

const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function webExample({ origin, collection, authCollection }: ConnectTarget): string {
  return `import { createClient, LocalAuthStore } from '@plinth/sdk';

const client = createClient({ url: ${str(origin)}, authStore: new LocalAuthStore() });

// Sign a user in; the session stays in localStorage and renews itself.
await client.collection(${str(authCollection)}).authWithPassword('ann@example.com', 'her password');

const page = await client.collection(${str(collection)}).getList(1, 20, { sort: '-created' });
console.log(page.items);
await client.collection(${str(collection)}).subscribe('*', (e) => console.log(e.action, e.record));`;
}

export function nodeExample({ origin, collection }: ConnectTarget): string {
  return `import { createClient } from '@plinth/sdk';

// Server-side code signs in with an API key (created under API keys; keep it out of git).
const client = createClient({ url: process.env.PLINTH_URL ?? ${str(origin)} });
client.authStore.save(process.env.PLINTH_KEY ?? '', null);

const records = await client.collection(${str(collection)}).getFullList({ sort: '-created' });
console.log(\`\${records.length} records in ${collection}\`);

await client.collection(${str(collection)}).subscribe('*', (e) => console.log(e.action, e.record.id));`;
}

export function reactNativeExample({ origin, collection }: ConnectTarget): string {
  return `import { useEffect, useState } from 'react';
import { FlatList, Text } from 'react-native';
import { createClient } from '@plinth/sdk';

const client = createClient({ url: ${str(origin)} }); // an address the phone can reach

export function RecordsScreen() {
  const [items, setItems] = useState<Array<{ id: string }>>([]);
  useEffect(() => void client.collection(${str(collection)}).getList(1, 50).then((p) => setItems(p.items)), []);
  return <FlatList data={items} keyExtractor={(r) => r.id} renderItem={({ item }) => <Text>{item.id}</Text>} />;
}`;
}

/** Loopback addresses work only on the server's own machine: phones and other computers need another. */
export const isLoopback = (origin: string) =>
  ['localhost', '127.0.0.1', '[::1]'].includes(new URL(origin).hostname);
