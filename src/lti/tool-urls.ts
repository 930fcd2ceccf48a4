import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/config';
import type { ToolConfigurationDto } from './dto/platform.dto';

/**
 * The tool's URLs as a platform registers them: from PUBLIC_URL, else from
 * the request (its Host, and the scheme a trusted proxy forwarded).
 */
export function toolUrls(config: AppConfig, request: FastifyRequest): ToolConfigurationDto {
  const origin = config.lti.publicUrl ?? `${request.protocol}://${request.host}`;
  return {
    loginUrl: `${origin}/lti/login`,
    launchUrl: `${origin}/lti/launch`,
    jwksUrl: `${origin}/lti/jwks`,
  };
}
