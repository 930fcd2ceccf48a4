import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent } from 'undici';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { pinnedLookup, urlFormProblem } from '../events/webhook-url';
import { LtiKeysService } from './lti-keys.service';
import { AgsClient, NrpsClient, PlatformTokens } from './platform-clients';

/**
 * The tool's calls to platforms (tokens, AGS, NRPS), signed with the tool's
 * key and held to the webhook URL rules: https in production, to public
 * addresses only (checked again as each connection opens); http to this
 * machine elsewhere.
 */
@Injectable()
export class LtiPlatformCalls implements OnApplicationShutdown {
  readonly tokens: PlatformTokens;
  readonly ags: AgsClient;
  readonly nrps: NrpsClient;
  private readonly agent: Agent;

  constructor(keys: LtiKeysService, @Inject(APP_CONFIG) config: AppConfig) {
    const production = config.env === 'production';
    this.agent = new Agent(production ? { connect: { lookup: pinnedLookup() } } : {});
    const options = {
      timeoutMs: config.events.timeoutMs,
      dispatcher: this.agent,
      allowUrl: (url: URL) => urlFormProblem(url.toString(), production) === null,
    };
    this.tokens = new PlatformTokens(keys, options);
    this.ags = new AgsClient(this.tokens, options);
    this.nrps = new NrpsClient(this.tokens, options);
  }

  async onApplicationShutdown() {
    await this.agent.close();
  }
}
