// @ts-check
/**
 * The fault suite (npm run test:faults): API processes built by `npm run build`
 * against PostgreSQL servers of the suite's own, which it stops, kills and
 * restarts. One file at a time: each drives the whole machine.
 */
const [, e2e] = require('./jest.config').projects;

/** @type {import('jest').Config} */
module.exports = {
  transform: e2e.transform,
  transformIgnorePatterns: e2e.transformIgnorePatterns,
  moduleFileExtensions: e2e.moduleFileExtensions,
  testEnvironment: 'node',
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
