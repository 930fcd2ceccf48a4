export { AgsClient, scoresUrl } from './ags-client';
export { NrpsClient, toNrpsMember } from './nrps-client';
export { httpsOrLoopback, nextLink, parseLinkHeader, PlatformCallError } from './platform-http';
export { CLIENT_ASSERTION_TYPE, PlatformTokens } from './platform-tokens';
export * from './types';
