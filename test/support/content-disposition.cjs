// Jest on Node 20 cannot require() the ESM-only content-disposition 3 that @fastify/static 10 uses
// (Node itself can, since 20.19). Tests get the CommonJS 2.x with the same API, callable like 0.5.x.
const cd = require('../../node_modules/content-disposition/dist/index.js');

function contentDisposition(filename, options) {
  return cd.create(filename, options);
}
contentDisposition.create = cd.create;
contentDisposition.parse = cd.parse;
module.exports = contentDisposition;
