/** Injection tokens of the core module. */
export const PLINTH_CONFIG = Symbol('PLINTH_CONFIG');
export const REDIS = Symbol('REDIS');
