/** Plinth's version, as in package.json (checked by a unit test). */
export const PLINTH_VERSION = '0.1.0';
