/** Plinth's version, as in package.json: written into backups' manifests and the OpenAPI document. */
export const PLINTH_VERSION = '0.1.0';
