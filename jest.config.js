// @ts-check
/** swc compiles TypeScript (and the ESM-only packages in node_modules) to CommonJS for jest. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2023',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/** @type {import('jest').Config['projects']} */
const common = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // NestJS 12 and a few of its dependencies ship ES modules only; let swc convert them.
  transformIgnorePatterns: [
    'node_modules/(?!(@nestjs|@fastify/static|content-disposition|file-type|strtok3|token-types|peek-readable|uint8array-extras|@tokenizer|load-esm|mdast-.*|micromark.*|unist-.*|hast-.*|vfile.*|stringify-entities|trim-lines|property-information|space-separated-tokens|comma-separated-tokens|html-void-elements|decode-named-character-reference|character-entities.*|devlop|ccount|longest-streak|markdown-table|zwitch|escape-string-regexp|jose)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/web/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      // Builds the web client, then the e2e database template; merges the timings report at the end.
      globalSetup: '<rootDir>/test/browser/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/browser/support/global-teardown.ts',
    },
  ],
  testTimeout: 30_000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
