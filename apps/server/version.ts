export { PLINTH_VERSION } from '@plinth/core';
