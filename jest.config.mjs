const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@plinth/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^content-disposition$': '<rootDir>/test/support/content-disposition.cjs',
  },
  testEnvironment: 'node',
  // Sample apps (their node_modules and builds) are not part of the test suite; test/ drives them.
  modulePathIgnorePatterns: ['<rootDir>/examples/'],
};

export default {
  // Three test files at a time on the 2-core machine: they wait on PostgreSQL, Redis, spawned servers,
  // browsers and token expiries far more than they compute, so a third file fills the cores the other two
  // leave idle (Jest's default, cores - 1, runs them one by one). Each file has its own database and Redis
  // prefix; shared builds (server, SDK, console) are made once by `npm test` first.
  maxWorkers: Number(process.env.PLINTH_TEST_WORKERS ?? 3),
  // Real PostgreSQL, Redis and spawned servers: an embedded PostgreSQL's first start takes seconds.
  testTimeout: 60000,
  // A run stopped from outside (CI's time bound) names the tests still running.
  reporters: ['default', '<rootDir>/libs/testing/running-reporter.mjs'],
  // Under CI a leaked handle must not hold the run open: Jest exits, and says it forced the exit.
  // (--detectOpenHandles would run every file in band: several times slower on 2 cores.)
  forceExit: process.env.CI === 'true',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/global-teardown.mjs',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/global-teardown.mjs',
    },
  ],
};
