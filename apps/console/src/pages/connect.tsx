import { useEffect, useState } from 'react';
import type { CollectionModel } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { CopyBlock } from '../components/copy-block';
import { ErrorBanner, Notice, PageHeader, Spinner } from '../components/ui';
import { href } from '../router';
import {
  type ConnectTarget,
  installCommand,
  isLoopback,
  nodeExample,
  npmrcLine,
  openApiDownload,
  reactNativeExample,
  typegenCommand,
  webExample,
} from './connect-snippets';

/** The collection the examples read: the first one made for the app, else the default `users`. */
function pickCollections(items: CollectionModel[]): Omit<ConnectTarget, 'origin'> {
  const authCollection = items.find((c) => c.type === 'auth')?.name ?? 'users';
  const own = items.find((c) => c.type === 'base') ?? items.find((c) => c.name !== 'users');
  return { collection: own?.name ?? authCollection, authCollection };
}

/** "Connect your app": the SDK from this server, typegen, examples and the OpenAPI documents. */
export function ConnectPage() {
  const origin = window.location.origin;
  const [target, setTarget] = useState<ConnectTarget | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    client.collections
      .list()
      .then((items) => setTarget({ origin, ...pickCollections(items) }))
      .catch((err) => {
        setError(`${describeError(err)} The examples use the default users collection.`);
        setTarget({ origin, collection: 'users', authCollection: 'users' });
      });
  }, [origin]);

  return (
    <>
      <PageHeader
        title="Connect your app"
        subtitle={
          <>
            Your app talks to <strong data-testid="server-url">{origin}</strong>.
          </>
        }
      />
      <ErrorBanner error={error} />
      {isLoopback(origin) ? (
        <Notice>
          This address works only on the server&apos;s own machine. Phones and other computers need the
          address they reach the server at (set it as PUBLIC_URL).
        </Notice>
      ) : null}
      {target ? <ConnectSections target={target} /> : <Spinner />}
    </>
  );
}

function ConnectSections({ target }: { target: ConnectTarget }) {
  return (
    <>
      <section className="card" aria-labelledby="install-title">
        <h2 id="install-title">1. Install the SDK from this server</h2>
        <p className="muted">
          JavaScript and TypeScript apps (web, Node ≥ 20, React Native) install <code>@plinth/sdk</code> from
          this server, already typed for its collections: no registry, no generation step. Run it again after
          a schema change.
        </p>
        <CopyBlock label="Install command" text={installCommand(target)} testId="install-command" />
        <p className="muted">
          Without credentials the package is typed for the collections the rules show to anyone. For every
          collection, give npm an API key with the <code>admin</code> scope (create one under{' '}
          <a href={href('/keys')}>API keys</a>) in the project&apos;s <code>.npmrc</code>, with the key in the{' '}
          <code>PLINTH_KEY</code> environment variable; <code>?key=plk_…</code> on the URL works too, but
          leaves the key in <code>package-lock.json</code>.
        </p>
        <CopyBlock label=".npmrc line" text={npmrcLine(target)} />
      </section>

      <section className="card" aria-labelledby="typegen-title">
        <h2 id="typegen-title">2. Or generate the types</h2>
        <p className="muted">
          With the SDK installed another way (built from a checkout&apos;s <code>sdk/</code>), write the types
          of every collection with the <code>plinth</code> command it brings, and pass <code>Schema</code> to{' '}
          <code>createClient&lt;Schema&gt;()</code>:
        </p>
        <CopyBlock label="Typegen command" text={typegenCommand(target)} />
      </section>

      <section className="card" aria-labelledby="examples-title">
        <h2 id="examples-title">3. Use it</h2>
        <p className="muted">
          Reading <code data-testid="example-collection">{target.collection}</code>, a collection of this
          server; its rules decide what each caller sees.
        </p>
        <CopyBlock label="Web example" text={webExample(target)} />
        <CopyBlock label="Node example" text={nodeExample(target)} />
        <CopyBlock label="React Native example" text={reactNativeExample(target)} />
      </section>

      <section className="card" aria-labelledby="other-title">
        <h2 id="other-title">Other languages</h2>
        <p className="muted">
          Generate a client from the OpenAPI document. Opened here, the documents show what anyone may see;
          download them with an admin-scoped key for every collection.
        </p>
        <ul>
          <li>
            <a href={`${target.origin}/api/openapi.json`}>OpenAPI 3.1 (JSON)</a>
          </li>
          <li>
            <a href={`${target.origin}/api/openapi.yaml`}>OpenAPI 3.1 (YAML)</a>
          </li>
          <li>
            <a href={`${target.origin}/api/openapi-3.0.json`}>OpenAPI 3.0.3</a>, for generators without 3.1
          </li>
          <li>
            <a href={`${target.origin}/docs`}>API reference (Swagger UI)</a>
          </li>
        </ul>
        <CopyBlock label="Download command" text={openApiDownload(target)} />
      </section>
    </>
  );
}
