import request from 'supertest';
import { bearer } from '../../support/identity';
import type { BrowserServer } from './server';

/** A file for page.setInputFiles, made in memory: the test needs no files on disk. */
export function fileOf(name: string, text: string, mimeType = 'text/plain') {
  return { name, mimeType, buffer: Buffer.from(text, 'utf8') };
}

export const ADDED_STEP = 'Review the first log files the trail delivers';

/** Module 5 with a fifth step in Activity 1: a re-import that adds a step and changes nothing else. */
export function withStepAdded(markdown: string): string {
  const changed = markdown.replace(
    /(### Activity 1: .*\n(?:\d+\. .*\n)*4\. .*\n)/,
    (activity) => `${activity}5. ${ADDED_STEP}\n`,
  );
  if (changed === markdown) throw new Error('test setup: Activity 1 of Module 5 not found');
  return changed;
}

/** Module 5 with Activity 2 renamed Activity 1: an error the import reports by line. */
export function withDuplicateActivity(markdown: string): string {
  const broken = markdown.replace(/^### Activity 2:/m, '### Activity 1:');
  if (broken === markdown) throw new Error('test setup: Activity 2 of Module 5 not found');
  return broken;
}

export interface ModuleSteps {
  activities: { number: number; steps: { key: string; text: string }[] }[];
}

/** A module as the API has it now (404 → null), read with an admin's token. */
export async function readModule(server: BrowserServer, slug: string, token: string): Promise<ModuleSteps | null> {
  const res = await request(server.server).get(`/v1/modules/${slug}`).set(bearer(token));
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`GET /v1/modules/${slug}: ${res.status}`);
  return res.body as ModuleSteps;
}

export const stepTexts = (module: ModuleSteps | null, activity: number) =>
  module?.activities.find((a) => a.number === activity)?.steps.map((s) => s.text) ?? [];

export async function listClients(server: BrowserServer, token: string) {
  const res = await request(server.server).get('/v1/clients?limit=100').set(bearer(token)).expect(200);
  return (res.body as { items: { id: string; name: string; clientId: string; revokedAt: string | null }[] }).items;
}

export async function findUser(server: BrowserServer, email: string, token: string) {
  const res = await request(server.server).get('/v1/users').query({ email }).set(bearer(token)).expect(200);
  return (res.body as { items: { id: string; email: string; displayName: string; roles: string[] }[] }).items[0];
}

/** A client-credentials grant: whether the secret the page showed works. */
export function clientGrant(server: BrowserServer, clientId: string, secret: string) {
  return request(server.server)
    .post('/v1/auth/token')
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
}
