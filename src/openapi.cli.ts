/**
 * Writes the OpenAPI document to openapi.json (`npm run openapi:generate`), or
 * with `--check` fails when the committed file differs from the code's.
 * Builds the app in preview mode: controllers are scanned, nothing connects.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { loadConfig } from './config/config';
import { buildOpenApiDocument } from './openapi';

const FILE = join(process.cwd(), 'openapi.json');

async function main(): Promise<number> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://preview@localhost/preview' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  const generated = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();

  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(FILE, 'utf8');
    } catch {
      // A missing file is drift too.
    }
    if (committed === generated) {
      console.error('openapi.json matches the code.');
      return 0;
    }
    console.error('openapi.json is out of date: run `npm run openapi:generate` and commit the result.');
    return 1;
  }
  writeFileSync(FILE, generated);
  console.error('Wrote openapi.json');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
