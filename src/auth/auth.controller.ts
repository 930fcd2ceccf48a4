import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { AuthService, type ClientCredentials } from './auth.service';
import { RetryLaterProblem } from '../common/errors/problem';
import { TokenProblemDto, TokenRequestDto, TokenResponseDto } from './dto/token.dto';
import { Public } from './public.decorator';

@ApiTags('auth')
@ApiProblems()
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Get tokens (OAuth 2.0: password, client_credentials, refresh_token)',
    description:
      'RFC 6749 token endpoint. People use `password` and then `refresh_token` (refresh tokens rotate on every ' +
      'use; reusing one revokes its family). Machine clients use `client_credentials`, authenticating with HTTP ' +
      'Basic or `client_id`/`client_secret` in the body. Failed sign-ins are limited per account and per address.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblem(
    400,
    'Refused: invalid_request, invalid_grant, unsupported_grant_type or invalid_scope; or a malformed body',
    TokenProblemDto,
  )
  @ApiProblem(401, 'The client did not authenticate (invalid_client); WWW-Authenticate: Basic', TokenProblemDto)
  @ApiProblem(429, 'Too many sign-in attempts; see Retry-After', RetryLaterProblem)
  async token(
    @Body() body: TokenRequestDto,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    // RFC 6749 §5.1: token responses must not be cached.
    void reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
    return this.auth.grant(body, parseBasic(authorization), request.ip);
  }
}

/** RFC 6749 §2.3.1: HTTP Basic with form-encoded client id and secret. */
function parseBasic(header: string | undefined): ClientCredentials {
  const match = header && header.length <= 1024 ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (!match) return {};
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  const unescape = (value: string) => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return value;
    }
  };
  const clientId = unescape(decoded.slice(0, colon));
  const clientSecret = unescape(decoded.slice(colon + 1));
  // Same limits as the body fields; anything longer cannot be a client of ours.
  if (clientId.length > 64 || clientSecret.length > 256) return { clientId: '', clientSecret: '' };
  return { clientId, clientSecret };
}
