import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';
import { isForbiddenAddress, pinnedLookup, type Resolve, webhookUrlProblem } from './webhook-url';

describe('webhook URLs', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.31.255.255',
    '192.168.0.10',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1', // 127.0.0.1 in hex
    '::ffff:a9fe:a9fe', // 169.254.169.254
    'fd00::1',
    'fe80::1',
    'not an address',
  ])('forbids %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])(
    'allows the public address %s',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );

  it('wants https to a public address in production', async () => {
    expect(await webhookUrlProblem('https://93.184.216.34/hooks', true)).toBeNull();
    expect(await webhookUrlProblem('http://93.184.216.34/hooks', true)).toBe('must be https');
    expect(await webhookUrlProblem('https://10.0.0.5/hooks', true)).toMatch(/private, loopback or link-local/);
    expect(await webhookUrlProblem('https://[::1]/hooks', true)).toMatch(/private, loopback or link-local/);
    expect(await webhookUrlProblem('https://user:secret@93.184.216.34/', true)).toBe('must not hold credentials');
    expect(await webhookUrlProblem('ftp://93.184.216.34/', true)).toBe('must be https');
    expect(await webhookUrlProblem('hooks', true)).toBe('must be an absolute URL');
  });

  it('allows http to this machine only, outside production', async () => {
    expect(await webhookUrlProblem('http://127.0.0.1:4000/hooks', false)).toBeNull();
    expect(await webhookUrlProblem('http://localhost:4000/hooks', false)).toBeNull();
    expect(await webhookUrlProblem('http://receiver.example/hooks', false)).toMatch(/must be https/);
    expect(await webhookUrlProblem('https://receiver.example/hooks', false)).toBeNull();
  });
});

describe('pinnedLookup', () => {
  let server: Server;
  let port: number;
  const hosts: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      hosts.push(request.headers.host ?? '');
      response.end('ok');
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((closed) => server.close(closed)));

  /** A resolver that answers each lookup with the next of `answers` (the last one repeats). */
  function resolver(...answers: string[][]): Resolve & { calls: number } {
    const resolve = Object.assign(
      (_hostname: string) => {
        const answer = answers[Math.min(resolve.calls++, answers.length - 1)];
        return Promise.resolve(answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
      },
      { calls: 0 },
    );
    return resolve;
  }

  async function get(resolve: Resolve, forbidden?: (address: string) => boolean) {
    const agent = new Agent({ connect: { lookup: pinnedLookup(resolve, forbidden) } });
    try {
      const response = await fetch(`http://receiver.test:${port}/`, { dispatcher: agent });
      return await response.text();
    } finally {
      await agent.close();
    }
  }

  it('connects to the address it checked', async () => {
    // Every address passes here, so the request shows the connection used this resolution.
    const resolve = resolver(['127.0.0.1']);
    expect(await get(resolve, () => false)).toBe('ok');
    expect(resolve.calls).toBe(1);
    expect(hosts).toContain(`receiver.test:${port}`);
  });

  it('refuses a host that resolves to a private address when the connection opens (DNS rebinding)', async () => {
    // Whatever the host resolved to when its URL was checked, the socket goes where this lookup says.
    const rebinding = resolver(['127.0.0.1']);
    const before = hosts.length;
    const failure = await get(rebinding).catch((error: { cause?: { code?: string; message?: string } }) => error);
    expect(failure).toMatchObject({ cause: { code: 'EADDRNOTALLOWED' } });
    expect((failure as { cause: { message: string } }).cause.message).toMatch(/receiver\.test resolves to a private/);
    expect(hosts).toHaveLength(before);
  });

  it('refuses a host when any of its addresses is private', async () => {
    const mixed = resolver(['93.184.216.34', '10.0.0.7']);
    await expect(get(mixed)).rejects.toMatchObject({ cause: { code: 'EADDRNOTALLOWED' } });
  });
});
