import type { PlinthClient } from '../client.js';
import type { RequestOptions } from '../types.js';

export interface FileUrlOptions {
  /** `WxH`: a thumbnail cropped from the centre (one of the field's `thumbs`). */
  thumb?: string;
  /** A file token (`files.getToken()`), needed for protected fields. */
  token?: string;
  /** Ask the server to answer with `Content-Disposition: attachment`. */
  download?: boolean;
}

// No index signature: generated record interfaces (`PostsRecord`) have none, and must fit as they are.
type FileOwner = { id: string; collectionName?: string; collectionId?: string };

/** File URLs and file tokens (`/api/files`). */
export class FilesService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  /**
   * The URL of a record's file: `url(post, post.cover, { thumb: '100x100' })`. The second argument
   * is the file name stored in the field (or the field's name, whose first file is used). An empty
   * name gives ''.
   */
  url(record: FileOwner, fileOrField: string | null | undefined, options: FileUrlOptions = {}): string {
    let filename = fileOrField ?? '';
    const value = filename ? (record as Record<string, unknown>)[filename] : undefined;
    if (typeof value === 'string' && value) filename = value;
    else if (Array.isArray(value)) filename = typeof value[0] === 'string' ? value[0] : '';
    const collection = record.collectionName || record.collectionId;
    if (!filename || !record.id || !collection) return '';
    const path = ['files', collection, record.id, filename].map(encodeURIComponent).join('/');
    return this.client.buildUrl(`/api/${path}`, {
      thumb: options.thumb,
      token: options.token,
      download: options.download ? '1' : undefined,
    });
  }

  /** A short-lived token (120 s) for URLs of protected files. */
  async getToken(options: RequestOptions = {}): Promise<string> {
    const result = await this.client.send<{ token: string }>('/api/files/token', {
      method: 'POST',
      signal: options.signal,
      headers: options.headers,
    });
    return result.token;
  }
}
