import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '@plinth/testing';

/** s3rver ships no types: the little of it used here. */
interface S3rverServer {
  run(): Promise<unknown>;
  close(): Promise<void>;
  on(
    event: 'event',
    listener: (e: { Records: Array<{ eventName: string; s3: { object: { key: string } } }> }) => void,
  ): void;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverServer;

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Plinth's environment for this store. */
  env: Record<string, string>;
  /** Every key in the bucket, read with a client of the test's own. */
  listKeys(prefix?: string): Promise<string[]>;
  /** Every key an upload created since the store started, deleted since or not (s3rver's own events). */
  createdKeys: string[];
  stop(): Promise<void>;
}

/** Starts s3rver (a real S3 protocol server) on a free port with its data in a temp dir, one bucket made. */
export async function startS3(bucket = 'plinth-test'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'plinth-s3rver-'));
  const port = await freePort();
  const S3rver = ((await import('s3rver' as string)) as { default: S3rverCtor }).default;
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const createdKeys: string[] = [];
  server.on('event', (e) => {
    for (const r of e.Records) if (r.eventName.startsWith('ObjectCreated')) createdKeys.push(r.s3.object.key);
  });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver checks signatures against its fixed credentials.
  const accessKeyId = 'S3RVER';
  const secretAccessKey = 'S3RVER';
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    env: {
      PLINTH_STORAGE_DRIVER: 's3',
      PLINTH_S3_ENDPOINT: endpoint,
      PLINTH_S3_BUCKET: bucket,
      PLINTH_S3_ACCESS_KEY_ID: accessKeyId,
      PLINTH_S3_SECRET_ACCESS_KEY: secretAccessKey,
      PLINTH_S3_FORCE_PATH_STYLE: 'true',
    },
    async listKeys(prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const res = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
        );
        for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    createdKeys,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
