import { Controller, Get, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/public.decorator';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { type DynamicRegistrationQuery, DynamicRegistrationService } from './dynamic-registration.service';
import { escapeHtml, ltiPage, refusalPage, sendLtiPage } from './lti-html';
import { LtiRefusal } from './lti-refusal';
import { toolUrls } from './tool-urls';

/**
 * LTI Dynamic Registration 1.0: the URL an LMS administrator gives the course system. There is no session
 * of ours: the platform's one-time registration token is what authorizes the registration (at the
 * platform), and an operator opts in with LTI_DYNAMIC_REGISTRATION (on outside production).
 */
@ApiTags('lti')
@Public()
@Controller()
export class DynamicRegistrationController {
  private readonly logger = new Logger('LtiRegistration');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registrations: DynamicRegistrationService,
  ) {}

  @Get('lti/register')
  @ApiExcludeEndpoint()
  async register(@Query() query: DynamicRegistrationQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    // Fastify answers HEAD with the GET route: a HEAD (a link checker, a prefetch) must not register anything.
    if (request.method === 'HEAD') return reply.status(204).header('cache-control', 'no-store').send();
    try {
      if (!this.config.lti.dynamicRegistration) {
        throw new LtiRefusal(
          'This page does not exist.',
          'dynamic registration is off (LTI_DYNAMIC_REGISTRATION)',
          404,
        );
      }
      const platform = await this.registrations.register(query ?? {}, toolUrls(this.config, request), request.id);
      this.logger.log(`LTI platform ${platform.issuer} registered itself (client ${platform.clientId})`);
      const body =
        `<h1>The tool is registered with ${escapeHtml(platform.name)}</h1>` +
        '<p>You can close this window. Teachers can now add a module’s knowledge check to a course.</p>';
      const page = ltiPage('Tool registered', body, '/assets/lti-register-close.js');
      return this.html(reply, 200, page, new URL(platform.issuer).origin);
    } catch (error) {
      if (error instanceof LtiRefusal) {
        this.logger.warn(`LTI registration refused: ${error.reason}`);
        return this.html(reply, error.status, registrationRefusalPage(error.message));
      }
      this.logger.error(`LTI registration failed: ${(error as Error).stack ?? String(error)}`);
      return this.html(reply, 500, refusalPage('Something went wrong on our side. Try again in a minute.'));
    }
  }

  /** The LTI pages' headers (src/lti/lti.controller.ts); the registering platform may frame the page. */
  private html(reply: FastifyReply, status: number, html: string, framedBy?: string) {
    const configured = this.config.http.frameAncestors;
    const ancestors = framedBy ? (configured === "'none'" ? framedBy : `${configured} ${framedBy}`) : configured;
    return sendLtiPage(reply, status, html, { frameAncestors: ancestors });
  }
}

function registrationRefusalPage(message: string): string {
  return ltiPage(
    'The tool cannot be registered',
    `<h1>The tool cannot be registered</h1><p role="alert">${escapeHtml(message)}</p>`,
  );
}
