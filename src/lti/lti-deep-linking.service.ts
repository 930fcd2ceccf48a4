import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLAIM, LTI_VERSION } from './lti-claims';
import { LtiKeysService } from './lti-keys.service';
import { hashToken } from './lti-launch.service';
import { LtiRefusal } from './lti-refusal';

/** Scores go to the platform as percentages: the line item's maximum is 100 whatever the quiz's points. */
export const SCORE_MAXIMUM = 100;
/** A deep linking response lives this long (the browser posts it at once). */
const RESPONSE_TTL_SECONDS = 300;

export interface PickableModule {
  slug: string;
  number: number;
  title: string;
  quizTitle: string | null;
}

interface PendingRequest {
  platform_id: string;
  deployment_id: string;
  return_url: string;
  data: string | null;
  issuer: string;
  client_id: string;
}

const GONE = () =>
  new LtiRefusal(
    'This request to add an activity has expired or was already answered. Start again from your course.',
    'deep linking token unknown, expired or used',
    404,
  );

/**
 * Deep Linking 2.0: the instructor picks a module in the tool, and the tool
 * answers the platform with a signed LtiDeepLinkingResponse holding one
 * ltiResourceLink (launch URL, custom `module`, a line item for its scores).
 * The picker is reached by the random token the launch made, not by a cookie
 * (an iframe may not send one); answering deletes the request.
 */
@Injectable()
export class LtiDeepLinkingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: LtiKeysService,
  ) {}

  /** The modules to pick from, when the token names a live request. */
  async picker(token: string): Promise<PickableModule[]> {
    const [live] = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM lti_deep_links WHERE token_hash = $1 AND expires_at > now()`,
      [hashToken(token)],
    );
    if (!live) throw GONE();
    const rows = await this.dataSource.query<
      { slug: string; number: number; title: string; quiz_title: string | null }[]
    >(
      `SELECT m.slug, m.number, m.title, q.title AS quiz_title
         FROM modules m LEFT JOIN quizzes q ON q.module_id = m.id ORDER BY m.number, m.id LIMIT 500`,
    );
    return rows.map((row) => ({ slug: row.slug, number: row.number, title: row.title, quizTitle: row.quiz_title }));
  }

  /** The signed response for the module picked, and where the browser posts it. */
  async respond(token: string, slug: string, launchUrl: string): Promise<{ returnUrl: string; jwt: string }> {
    const [request] = await this.dataSource.query<PendingRequest[]>(
      `WITH taken AS (DELETE FROM lti_deep_links WHERE token_hash = $1 AND expires_at > now()
                      RETURNING platform_id, deployment_id, return_url, data)
       SELECT t.*, p.issuer, p.client_id FROM taken t JOIN lti_platforms p ON p.id = t.platform_id`,
      [hashToken(token)],
    );
    if (!request) throw GONE();
    const [module] = await this.dataSource.query<{ slug: string; title: string; quiz_title: string | null }[]>(
      `SELECT m.slug, m.title, q.title AS quiz_title FROM modules m LEFT JOIN quizzes q ON q.module_id = m.id
        WHERE m.slug = $1`,
      [slug],
    );
    if (!module) {
      throw new LtiRefusal(
        'That module does not exist (any more). Start again from your course.',
        `no module ${slug}`,
        404,
      );
    }
    const title = module.quiz_title ? `${module.title}: ${module.quiz_title}` : module.title;
    const item = {
      type: 'ltiResourceLink',
      title,
      url: launchUrl,
      custom: { module: module.slug },
      lineItem: { scoreMaximum: SCORE_MAXIMUM, label: title, resourceId: `module:${module.slug}` },
    };
    const jwt = await this.keys.sign(
      {
        iss: request.client_id,
        azp: request.client_id,
        nonce: randomBytes(16).toString('base64url'),
        [CLAIM.messageType]: 'LtiDeepLinkingResponse',
        [CLAIM.version]: LTI_VERSION,
        [CLAIM.deploymentId]: request.deployment_id,
        [CLAIM.contentItems]: [item],
        ...(request.data === null ? {} : { [CLAIM.deepLinkingData]: request.data }),
      },
      { audience: request.issuer, expiresInSeconds: RESPONSE_TTL_SECONDS },
    );
    return { returnUrl: request.return_url, jwt };
  }
}
