import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { CsrfRefused, InvalidCredentials, Unauthorized, ValidationFailed } from '../common/errors/domain-error';
import { RetryLaterProblem } from '../common/errors/problem';
import { AuthService } from './auth.service';
import { SessionDto, SignInDto } from './dto/session.dto';
import { Public } from './public.decorator';
import { csrfMatches, SESSION_COOKIE, WebSessionService } from './web-session.service';

/** Loopback hosts are the one place a cookie may go without `Secure` (plain http in development). */
const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

function cookieOptions(request: FastifyRequest, maxAgeSeconds?: number) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    path: '/',
    secure: !LOOPBACK.test(request.headers.host ?? ''),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/**
 * The pages' sign-in: a server-side session in an HttpOnly cookie (web-session.service.ts), with the
 * same password check and sign-in limits as the token endpoint. With the cookie, every /v1 route works
 * as with that person's bearer token; state-changing calls also need the session's X-CSRF-Token.
 */
@ApiTags('auth')
@ApiProblems()
@Controller('v1/auth/session')
export class SessionController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: WebSessionService,
  ) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in with email and password: opens a page session (cookie) and returns its CSRF token',
    description:
      'JSON only (a cross-site form cannot send it). Sets `session`, HttpOnly, SameSite=Lax, Secure outside ' +
      'localhost. Failed sign-ins count against the same limits as POST /v1/auth/token.',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiProblem(400, 'Not JSON, or the email or password missing')
  @ApiProblem(401, 'The email or password is wrong')
  @ApiProblem(429, 'Too many sign-in attempts; see Retry-After', RetryLaterProblem)
  async signIn(
    @Body() body: SignInDto,
    @Headers('content-type') contentType: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    if (!/^application\/json\b/i.test(contentType ?? '')) {
      throw new ValidationFailed([{ field: 'body', messages: ['send the sign-in as application/json'] }]);
    }
    const user = await this.auth.checkPassword(body.email, body.password, request.ip);
    if (!user) throw new InvalidCredentials('The email or password is wrong');
    const opened = await this.sessions.open(user.id, 'password');
    const ttlSeconds = Math.round((opened.expiresAt.getTime() - Date.now()) / 1000);
    void reply.setCookie(SESSION_COOKIE, opened.token, cookieOptions(request, ttlSeconds));
    void reply.header('cache-control', 'no-store');
    return this.sessions.view(user.id, opened.csrfToken, opened.expiresAt);
  }

  @Get()
  @Public()
  @ApiCookieAuth('session')
  @ApiOperation({ summary: 'The current page session: who is signed in, and its CSRF token' })
  @ApiOkResponse({ type: SessionDto })
  @ApiProblem(401, 'No session, or it has ended')
  async current(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionDto> {
    const session = await this.sessions.resolve(request.cookies[SESSION_COOKIE]);
    if (!session) throw new Unauthorized('Not signed in, or the session has ended');
    void reply.header('cache-control', 'no-store');
    return this.sessions.view(session.principal.id, session.csrfToken, session.expiresAt);
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiCookieAuth('session')
  @ApiOperation({ summary: 'Sign out: ends the page session (needs X-CSRF-Token) and clears the cookie' })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblem(401, 'No session, or it has ended')
  @ApiProblem(403, 'X-CSRF-Token missing or wrong')
  async signOut(
    @Headers('x-csrf-token') csrf: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const session = await this.sessions.resolve(request.cookies[SESSION_COOKIE]);
    if (!session) throw new Unauthorized('Not signed in, or the session has ended');
    if (!csrfMatches(csrf, session.csrfToken)) throw new CsrfRefused('X-CSRF-Token is missing or wrong');
    await this.sessions.close(session.id);
    void reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
  }
}
