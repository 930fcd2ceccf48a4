import { Body, Controller, Get, HttpCode, Inject, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/public.decorator';
import { SESSION_COOKIE } from '../auth/web-session.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { JwksDto } from './dto/jwks.dto';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import {
  autoPostPage,
  escapeHtml,
  ltiPage,
  refusalPage,
  sendLtiPage,
  storageGetPage,
  storagePutPage,
} from './lti-html';
import { LtiKeysService } from './lti-keys.service';
import { type LoginRequest, LtiLaunchService, STORAGE_BINDING_FIELD } from './lti-launch.service';
import { LtiRefusal } from './lti-refusal';
import { toolUrls } from './tool-urls';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The routes an LMS and its users' browsers reach: the tool's keys, the OIDC
 * login, the launch, and the deep linking picker. Everything but the keys
 * answers HTML; every refusal is a page in plain words (the reason is logged).
 */
@ApiTags('lti')
@Public()
@Controller()
export class LtiController {
  private readonly logger = new Logger('Lti');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: LtiKeysService,
    private readonly launches: LtiLaunchService,
    private readonly deepLinking: LtiDeepLinkingService,
  ) {}

  @Get(['lti/jwks', '.well-known/jwks.json'])
  @ApiOperation({
    summary: 'The tool’s public keys (JWKS): platforms check its client assertions and deep linking responses',
  })
  @ApiOkResponse({ type: JwksDto })
  async jwks(@Res({ passthrough: true }) reply: FastifyReply): Promise<JwksDto> {
    void reply.header('cache-control', 'public, max-age=300');
    return { keys: await this.keys.published() };
  }

  @Get('lti/login')
  @ApiExcludeEndpoint()
  loginByGet(@Query() query: LoginRequest, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.login(query, request, reply);
  }

  @Post('lti/login')
  @ApiExcludeEndpoint()
  loginByPost(@Body() body: LoginRequest, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.login(body ?? {}, request, reply);
  }

  @Post('lti/launch')
  @ApiExcludeEndpoint()
  async launch(
    @Body()
    body: {
      id_token?: unknown;
      state?: unknown;
      error?: unknown;
      error_description?: unknown;
      [STORAGE_BINDING_FIELD]?: unknown;
    },
    @Res() reply: FastifyReply,
  ) {
    return this.answer(reply, async () => {
      if (typeof body?.error === 'string') {
        const said = typeof body.error_description === 'string' ? body.error_description.slice(0, 300) : body.error;
        throw new LtiRefusal(`The course system refused the launch: ${said}`, `platform answered error ${body.error}`);
      }
      const outcome = await this.launches.launch(body ?? {});
      if ('storage' in outcome) {
        const page = storageGetPage(outcome.storage, '/lti/launch', outcome.fields, STORAGE_BINDING_FIELD);
        return this.html(reply, 200, page);
      }
      const seconds = Math.round((outcome.session.expiresAt.getTime() - Date.now()) / 1000);
      // In an LMS's iframe the cookie is a third party's: SameSite=None (so Secure), partitioned by the
      // embedding site where the browser supports it.
      void reply.setCookie(SESSION_COOKIE, outcome.session.token, {
        httpOnly: true,
        secure: true,
        sameSite: 'none',
        partitioned: true,
        path: '/',
        maxAge: seconds,
      });
      return reply.redirect(outcome.location, 303);
    });
  }

  @Get('lti/deep-link/:token')
  @ApiExcludeEndpoint()
  async picker(@Param('token') token: string, @Res() reply: FastifyReply) {
    return this.answer(reply, async () => {
      if (!TOKEN.test(token)) throw new LtiRefusal('This page does not exist.', 'malformed deep linking token', 404);
      const modules = await this.deepLinking.picker(token);
      const choices = modules
        .map(
          (module) =>
            `<li><form method="post" action="/lti/deep-link/${token}">` +
            `<input type="hidden" name="module" value="${escapeHtml(module.slug)}">` +
            `<button type="submit">Add module ${module.number}: ${escapeHtml(module.title)}</button>` +
            (module.quizTitle
              ? ` <span class="muted">with its knowledge check, ${escapeHtml(module.quizTitle)}</span>`
              : '') +
            '</form></li>',
        )
        .join('');
      const body =
        '<h1>Add an activity to your course</h1>' +
        (modules.length === 0
          ? '<p>No modules have been imported yet.</p>'
          : `<p>Pick the module to link. Its score goes to your course’s gradebook as a percentage.</p><ul class="lti-picker">${choices}</ul>`);
      return this.html(reply, 200, ltiPage('Add an activity', body));
    });
  }

  @Post('lti/deep-link/:token')
  @ApiExcludeEndpoint()
  @HttpCode(200)
  async pick(
    @Param('token') token: string,
    @Body() body: { module?: unknown },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.answer(reply, async () => {
      if (!TOKEN.test(token)) throw new LtiRefusal('This page does not exist.', 'malformed deep linking token', 404);
      const slug = typeof body?.module === 'string' ? body.module.slice(0, 200) : '';
      const { returnUrl, jwt } = await this.deepLinking.respond(token, slug, toolUrls(this.config, request).launchUrl);
      const page = autoPostPage('Adding the activity', returnUrl, { JWT: jwt }, 'Sending your choice to your course…');
      return this.html(reply, 200, page, new URL(returnUrl).origin);
    });
  }

  private login(parameters: LoginRequest, request: FastifyRequest, reply: FastifyReply) {
    return this.answer(reply, async () => {
      const { location, storage } = await this.launches.login(parameters, toolUrls(this.config, request).launchUrl);
      if (storage) return this.html(reply, 200, storagePutPage(storage, location));
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    });
  }

  /** Runs a route; a refusal (or anything unexpected) becomes a page, never a stack trace. */
  private async answer(reply: FastifyReply, route: () => Promise<unknown>) {
    try {
      return await route();
    } catch (error) {
      if (error instanceof LtiRefusal) {
        this.logger.warn(`LTI refused: ${error.reason}`);
        return this.html(reply, error.status, refusalPage(error.message));
      }
      this.logger.error(`LTI route failed: ${(error as Error).stack ?? String(error)}`);
      return this.html(reply, 500, refusalPage('Something went wrong on our side. Try again in a minute.'));
    }
  }

  private html(reply: FastifyReply, status: number, html: string, postsTo?: string) {
    return sendLtiPage(reply, status, html, { frameAncestors: this.config.http.frameAncestors, postsTo });
  }
}
