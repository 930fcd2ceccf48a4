import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../auth/access.types';
import type { SessionDto } from '../auth/dto/session.dto';
import { Public } from '../auth/public.decorator';
import { type ResolvedSession, SESSION_COOKIE, WebSessionService } from '../auth/web-session.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { pageShell } from './web-files';

/** Where each role starts. */
function homeOf(roles: readonly Role[]): string {
  if (roles.includes('admin')) return '/admin';
  if (roles.includes('instructor')) return '/teach';
  return '/learn';
}

/**
 * The pages for people, under / beside the JSON API under /v1. Every page is
 * the same HTML shell; the client (web/) renders it from the URL and reads
 * and writes through /v1 with the session cookie, like any other client. The
 * server decides only who may open a page at all: signed-out visitors go to
 * the sign-in page, and the staff pages answer 404 to anyone else, so their
 * existence is not confirmed.
 *
 * Every page carries a strict Content-Security-Policy: scripts and styles
 * from this origin only, nothing inline, no eval; who may frame the pages is
 * FRAME_ANCESTORS (an LMS), nobody by default.
 */
@ApiExcludeController()
@Public()
@Controller()
export class PagesController {
  private readonly policy: string;

  constructor(
    private readonly sessions: WebSessionService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.policy = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      `frame-ancestors ${config.http.frameAncestors}`,
    ].join('; ');
  }

  @Get()
  async home(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const session = await this.session(request);
    return reply.redirect(session ? homeOf(session.principal.roles) : '/sign-in', 303);
  }

  @Get('sign-in')
  signIn(@Res() reply: FastifyReply) {
    return this.page(reply, 200);
  }

  @Get(['learn', 'learn/*'])
  async learn(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.pageFor(request, reply, null);
  }

  @Get(['teach', 'teach/*'])
  async teach(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.pageFor(request, reply, ['instructor', 'admin']);
  }

  @Get(['admin', 'admin/*'])
  async admin(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.pageFor(request, reply, ['admin']);
  }

  /** The page for a signed-in person holding one of `roles` (null: anyone signed in); 404 for others. */
  private async pageFor(request: FastifyRequest, reply: FastifyReply, roles: Role[] | null) {
    const session = await this.session(request);
    if (!session) return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
    const allowed = !roles || roles.some((role) => session.principal.roles.includes(role));
    const view = await this.sessions.view(session.principal.id, session.csrfToken, session.expiresAt);
    return this.page(reply, allowed ? 200 : 404, view);
  }

  private session(request: FastifyRequest): Promise<ResolvedSession | null> {
    return this.sessions.resolve(request.cookies[SESSION_COOKIE]);
  }

  private page(reply: FastifyReply, status: number, session?: SessionDto) {
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', this.policy)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'same-origin')
      .removeHeader('x-frame-options')
      .send(pageShell(status, session));
  }
}
