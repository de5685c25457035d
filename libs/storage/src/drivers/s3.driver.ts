import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { outboundUrlProblem, PRIVATE_ENDPOINTS_HINT } from '@plinth/core';
import {
  assertSafeKey,
  type ByteRange,
  type ObjectInfo,
  ObjectNotFound,
  type StorageDriver,
} from './storage-driver.js';

export interface S3Settings {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Resolves the store's host name on connect; the guard refuses private addresses (issue 16). */
  lookup?: LookupFunction;
}

/** 5 MiB parts, two in flight: an upload holds at most ~10 MiB of a file in memory whatever its size. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

const isNotFound = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

/** Any S3-compatible store (AWS, MinIO, R2, ...), through @aws-sdk/client-s3. */
export class S3Driver implements StorageDriver {
  readonly name = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      endpoint: settings.endpoint || undefined,
      region: settings.region || 'us-east-1',
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      // Otherwise streamed uploads carry aws-chunked framing that S3-compatible stores keep in the object.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      ...(settings.lookup
        ? {
            requestHandler: {
              httpAgent: new http.Agent({ keepAlive: true, lookup: settings.lookup }),
              httpsAgent: new https.Agent({ keepAlive: true, lookup: settings.lookup }),
            },
          }
        : {}),
    });
    // The lookup never sees an IP literal: such an endpoint is checked here, every request refused.
    const problem =
      settings.lookup && settings.endpoint ? outboundUrlProblem(settings.endpoint, false) : null;
    if (problem) {
      this.client.middlewareStack.add(
        () => () =>
          Promise.reject(
            Object.assign(new Error(`The S3 endpoint ${problem}; ${PRIVATE_ENDPOINTS_HINT}`), {
              code: 'EPRIVATEADDRESS',
            }),
          ),
        { step: 'initialize', name: 'plinthPrivateEndpoint' },
      );
    }
  }

  async put(key: string, body: Readable, opts: { contentType: string }): Promise<void> {
    assertSafeKey(key);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: key, Body: body, ContentType: opts.contentType },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // A multipart upload is aborted by lib-storage; a single PUT that failed stored nothing.
      body.destroy();
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return res.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFound(key);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertSafeKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return {
        size: Number(res.ContentLength ?? 0),
        etag: res.ETag ?? `"${Number(res.ContentLength ?? 0).toString(16)}"`,
        modified: res.LastModified ?? new Date(0),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(keys: string[]): Promise<void> {
    // One DeleteObject per key: DeleteObjects needs a Content-MD5 that some S3-compatible stores insist on.
    const queue = [...keys];
    const worker = async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        assertSafeKey(key);
        await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, keys.length) }, worker));
  }

  async list(prefix: string): Promise<string[]> {
    if (prefix) assertSafeKey(prefix);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.settings.bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
        }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  close(): void {
    this.client.destroy();
  }
}
