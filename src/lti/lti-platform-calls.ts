import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent } from 'undici';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { pinnedLookup, urlFormProblem } from '../events/webhook-url';
import { LtiKeysService } from './lti-keys.service';
import { AgsClient, NrpsClient, PlatformTokens, type PlatformCallOptions } from './platform-clients';

/**
 * The clients of the platforms' services (AGS, NRPS), sharing one token cache, signed with the
 * tool's key. The URLs they call follow the rules of webhook URLs: https, or http to this machine
 * outside production; in production every connection goes to a public address only (DNS pinned
 * at connect, as the webhook dispatcher does).
 */
@Injectable()
export class LtiPlatformCalls implements OnApplicationShutdown {
  readonly tokens: PlatformTokens;
  readonly ags: AgsClient;
  readonly nrps: NrpsClient;
  private readonly agent: Agent | null;

  constructor(keys: LtiKeysService, @Inject(APP_CONFIG) config: AppConfig) {
    const production = config.env === 'production';
    this.agent = production ? new Agent({ connect: { lookup: pinnedLookup() } }) : null;
    const options: PlatformCallOptions = {
      allowUrl: (url) => urlFormProblem(url.toString(), production) === null,
      ...(this.agent ? { dispatcher: this.agent } : {}),
    };
    this.tokens = new PlatformTokens(keys, options);
    this.ags = new AgsClient(this.tokens, options);
    this.nrps = new NrpsClient(this.tokens, options);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent?.close();
  }
}
