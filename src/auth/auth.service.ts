import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { MachineClient } from '../clients/machine-client.entity';
import { TooManyRequests } from '../common/errors/domain-error';
import { User } from '../users/user.entity';
import { SCOPES, type Scope } from './access.types';
import type { TokenRequestDto } from './dto/token.dto';
import { LoginThrottleService } from './login-throttle.service';
import { OAuthError } from './oauth-error';
import { decoyHash, verifySecret } from './passwords';
import { type IssuedTokens, TokenService } from './token.service';

export interface ClientCredentials {
  clientId?: string;
  clientSecret?: string;
}

/** The three grants of POST /v1/auth/token. */
@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottleService,
  ) {}

  async grant(request: TokenRequestDto, basic: ClientCredentials, address: string): Promise<IssuedTokens> {
    switch (request.grant_type) {
      case 'password':
        return this.passwordGrant(request, address);
      case 'client_credentials':
        return this.clientCredentialsGrant(request, basic, address);
      case 'refresh_token':
        return this.refreshTokenGrant(request);
    }
  }

  private async passwordGrant(request: TokenRequestDto, address: string): Promise<IssuedTokens> {
    const { username, password } = request;
    if (!username || !password) throw new OAuthError('invalid_request', 'username and password are required');
    const user = await this.checkPassword(username, password, address);
    if (!user) throw new OAuthError('invalid_grant', 'The email or password is wrong');

    const refreshToken = await this.dataSource.transaction((manager) =>
      this.tokens.issueRefreshToken(manager, user.id),
    );
    const access = this.tokens.signAccessToken({ kind: 'user', id: user.id, roles: user.roles });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refreshToken,
    };
  }

  /**
   * The person whose email and password these are, or null; counted against the sign-in limits per
   * account and per address (429 past them) for the token endpoint and the pages' sign-in alike.
   */
  async checkPassword(
    username: string,
    password: string,
    address: string,
  ): Promise<{ id: string; roles: User['roles'] } | null> {
    const email = username.trim().toLowerCase();
    await this.countAttempt({ account: email, address });
    const user = await this.dataSource.getRepository(User).findOne({
      select: { id: true, roles: true, passwordHash: true },
      where: { email, deletedAt: IsNull() },
    });
    const valid = await verifySecret(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !user.passwordHash || !valid) return null;
    await this.throttle.succeeded({ account: email, address });
    return user;
  }

  private async clientCredentialsGrant(
    request: TokenRequestDto,
    basic: ClientCredentials,
    address: string,
  ): Promise<IssuedTokens> {
    if (request.client_id && basic.clientId) {
      throw new OAuthError('invalid_request', 'Send client credentials once: in the Authorization header or the body');
    }
    const clientId = basic.clientId ?? request.client_id;
    const secret = basic.clientSecret ?? request.client_secret;
    if (!clientId || !secret) throw new OAuthError('invalid_client', 'Client authentication is required');
    await this.countAttempt({ account: `client:${clientId}`, address });

    const client = await this.dataSource.getRepository(MachineClient).findOne({
      select: { id: true, clientId: true, scopes: true, secretHash: true },
      where: { clientId, revokedAt: IsNull() },
    });
    const valid = await verifySecret(client?.secretHash ?? (await decoyHash()), secret);
    if (!client || !valid) throw new OAuthError('invalid_client', 'Unknown client or wrong secret');
    await this.throttle.succeeded({ account: `client:${clientId}`, address });

    const scopes = this.grantedScopes(request.scope, client.scopes);
    const access = this.tokens.signAccessToken({ kind: 'client', id: client.id, clientId: client.clientId, scopes });
    return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope: scopes.join(' ') };
  }

  private async refreshTokenGrant(request: TokenRequestDto): Promise<IssuedTokens> {
    if (!request.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
    const token = request.refresh_token;
    // Consuming the old token and issuing its successor commit together, so a concurrent
    // reuse either revokes the family before the successor exists or revokes the successor
    // with it. A refusal is returned, not thrown, so that the revocation commits.
    type Rotation =
      { refused: string } | { refused?: undefined; user: Pick<User, 'id' | 'roles'>; refreshToken: string };
    const result = await this.dataSource.transaction(async (manager): Promise<Rotation> => {
      const outcome = await this.tokens.consumeRefreshToken(manager, token);
      if (!outcome.ok) return { refused: 'The refresh token is invalid, expired or already used' };
      const user = await manager.findOne(User, {
        select: { id: true, roles: true },
        where: { id: outcome.userId, deletedAt: IsNull() },
      });
      if (!user) return { refused: 'The account no longer exists' };
      const refreshToken = await this.tokens.issueRefreshToken(manager, user.id, outcome.familyId);
      return { user, refreshToken };
    });
    if (result.refused !== undefined) throw new OAuthError('invalid_grant', result.refused);
    const access = this.tokens.signAccessToken({ kind: 'user', id: result.user.id, roles: result.user.roles });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: result.refreshToken,
    };
  }

  /** RFC 6749 §3.3: a requested scope must be within what the client holds. */
  private grantedScopes(requested: string | undefined, held: Scope[]): Scope[] {
    if (!requested?.trim()) return held;
    const wanted = [...new Set(requested.trim().split(/\s+/))];
    const unknown = wanted.filter(
      (scope) => !(SCOPES as readonly string[]).includes(scope) || !held.includes(scope as Scope),
    );
    if (unknown.length > 0) throw new OAuthError('invalid_scope', `Not granted to this client: ${unknown.join(' ')}`);
    return wanted as Scope[];
  }

  private async countAttempt(keys: { account: string; address: string }) {
    const retryAfter = await this.throttle.attempt(keys);
    if (retryAfter !== null) {
      throw new TooManyRequests(`Too many sign-in attempts; try again in ${retryAfter} seconds`, retryAfter);
    }
  }
}
