import { ApiProperty } from '@nestjs/swagger';
import type { JWK } from 'jose';

export class JwkDto {
  @ApiProperty({ example: 'RSA' }) kty: string;
  @ApiProperty({ example: '5b1c…' }) kid: string;
  @ApiProperty({ example: 'RS256' }) alg: string;
  @ApiProperty({ example: 'sig' }) use: string;
  @ApiProperty({ description: 'RSA modulus, base64url' }) n: string;
  @ApiProperty({ example: 'AQAB' }) e: string;
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto], description: 'The signing key first, then retired keys still published' })
  keys: JWK[];
}

export class KeyRotatedDto {
  @ApiProperty({ description: 'The `kid` of the new signing key' }) kid: string;
}
