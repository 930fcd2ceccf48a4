import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** Declares that a route may be called without credentials. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
