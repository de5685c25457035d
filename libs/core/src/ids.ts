import { v7 as uuidv7, validate, version } from 'uuid';

/** Record and system ids are UUIDv7: time-ordered, so inserts stay index-friendly. */
export const newId = (): string => uuidv7();

export const isUuid = (value: unknown): value is string => typeof value === 'string' && validate(value);

export const isUuidV7 = (value: unknown): value is string => isUuid(value) && version(value) === 7;
