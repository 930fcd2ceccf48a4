import { AuditEvent } from '../audit/audit-event.entity';
import { LoginFailure } from '../auth/login-failure.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { MachineClient } from '../clients/machine-client.entity';
import { User } from '../users/user.entity';

/**
 * Every entity the data source knows. Listed by hand (not globbed) so the same
 * list works from TypeScript sources under jest and from compiled output.
 */
export const entities: Function[] = [User, MachineClient, RefreshToken, LoginFailure, AuditEvent];
