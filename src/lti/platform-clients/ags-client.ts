import {
  boundedOptions,
  classify,
  failureOf,
  malformed,
  nextLink,
  parseJson,
  PlatformCallError,
  withQuery,
} from './platform-http';
import type { PlatformTokens } from './platform-tokens';
import { callService } from './service-call';
import {
  MEDIA_TYPES,
  SCOPES,
  type CallOutcome,
  type LineItemRequest,
  type PlatformCallOptions,
  type PlatformRef,
  type Score,
} from './types';

/** Pages of a line items container read before giving up: a context with more is not one we can search. */
const DEFAULT_MAX_PAGES = 50;

/**
 * The URL scores are posted to: the line item's URL with `/scores` added to its path, before any
 * query string (LTI AGS 2.0, Score publish service: `{lineitem URL}/scores`, the query kept).
 */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/scores`;
  return url.toString();
}

/** LTI AGS 2.0 client: the line item of a resource link, and scores posted to it. */
export class AgsClient {
  private readonly options: ReturnType<typeof boundedOptions>;
  private readonly maxPages: number;

  constructor(
    private readonly tokens: PlatformTokens,
    options: PlatformCallOptions & { maxPages?: number } = {},
  ) {
    this.options = boundedOptions(options);
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  }

  /**
   * The URL of the line item for this resource link and resource id: found in the container
   * (filtered by `resource_link_id` and `resource_id`, every page followed by `Link: rel="next"`),
   * or created there when it has none. Throws a PlatformCallError when the platform cannot be asked.
   */
  async findOrCreateLineItem(platform: PlatformRef, lineItemsUrl: string, item: LineItemRequest): Promise<string> {
    const found = await this.findLineItem(platform, lineItemsUrl, item);
    if (found) return found;
    const answer = await callService(
      this.tokens,
      platform,
      [SCOPES.lineItem],
      lineItemsUrl,
      {
        method: 'POST',
        headers: { 'content-type': MEDIA_TYPES.lineItem, accept: MEDIA_TYPES.lineItem },
        body: JSON.stringify({
          scoreMaximum: item.scoreMaximum,
          label: item.label,
          resourceId: item.resourceId,
          resourceLinkId: item.resourceLinkId,
          ...(item.tag === undefined ? {} : { tag: item.tag }),
        }),
      },
      this.options,
    );
    if (answer.status < 200 || answer.status >= 300) throw failureOf(answer);
    const created = parseJson(answer, 'created line item') as { id?: unknown } | null;
    if (typeof created?.id !== 'string' || created.id === '') throw malformed(answer, 'created line item has no id');
    return created.id;
  }

  /**
   * Posts a score to the line item (`application/vnd.ims.lis.v1.score+json`), and says how it went:
   * ok, retry (no answer, 408, 429, 5xx) or final. Never throws for the platform's sake.
   */
  async postScore(platform: PlatformRef, lineItemUrl: string, score: Score): Promise<CallOutcome> {
    // LTI AGS 2.0: scoreMaximum must be present when scoreGiven is.
    if (score.scoreGiven !== undefined && score.scoreMaximum === undefined) {
      return { kind: 'final', status: null, excerpt: 'not sent: scoreGiven without scoreMaximum' };
    }
    let url: string;
    try {
      url = scoresUrl(lineItemUrl);
    } catch {
      return { kind: 'final', status: null, excerpt: `not sent: ${lineItemUrl} is not an absolute URL` };
    }
    const body = {
      userId: score.userId,
      ...(score.scoreGiven === undefined ? {} : { scoreGiven: score.scoreGiven }),
      ...(score.scoreMaximum === undefined ? {} : { scoreMaximum: score.scoreMaximum }),
      activityProgress: score.activityProgress,
      gradingProgress: score.gradingProgress,
      timestamp: score.timestamp,
      ...(score.comment === undefined ? {} : { comment: score.comment }),
    };
    try {
      const answer = await callService(
        this.tokens,
        platform,
        [SCOPES.score],
        url,
        { method: 'POST', headers: { 'content-type': MEDIA_TYPES.score }, body: JSON.stringify(body) },
        this.options,
      );
      return classify(answer);
    } catch (error) {
      if (error instanceof PlatformCallError) return error.outcome;
      throw error;
    }
  }

  private async findLineItem(
    platform: PlatformRef,
    lineItemsUrl: string,
    item: LineItemRequest,
  ): Promise<string | null> {
    let next: string | null = withQuery(lineItemsUrl, {
      resource_link_id: item.resourceLinkId,
      resource_id: item.resourceId,
    });
    const seen = new Set<string>();
    while (next) {
      if (seen.has(next))
        throw new PlatformCallError({
          kind: 'final',
          status: null,
          excerpt: `line items: the next link repeats ${next}`,
        });
      if (seen.size >= this.maxPages) {
        throw new PlatformCallError({
          kind: 'final',
          status: null,
          excerpt: `line items: more than ${this.maxPages} pages`,
        });
      }
      seen.add(next);
      const answer = await callService(
        this.tokens,
        platform,
        [SCOPES.lineItem],
        next,
        { method: 'GET', headers: { accept: MEDIA_TYPES.lineItemContainer } },
        this.options,
      );
      if (answer.status < 200 || answer.status >= 300) throw failureOf(answer);
      const page = parseJson(answer, 'line items');
      if (!Array.isArray(page)) throw malformed(answer, 'line items is not an array');
      // The filters are the platform's to apply, but one that ignores them must not hand us another link's item.
      const match = (page as unknown[]).find((candidate): candidate is { id: string } => {
        const lineItem = candidate as Record<string, unknown> | null;
        return (
          typeof lineItem?.id === 'string' &&
          lineItem.resourceLinkId === item.resourceLinkId &&
          lineItem.resourceId === item.resourceId
        );
      });
      if (match) return match.id;
      next = nextLink(answer.headers.link, next);
    }
    return null;
  }
}
