export * from './hosting.module.js';
export * from './hosting-settings.js';
export { registerSite } from './site-handler.js';
export { SiteService } from './site.service.js';
export { manifestPathProblem, decodeRequestPath, isHashedName } from './site-paths.js';
