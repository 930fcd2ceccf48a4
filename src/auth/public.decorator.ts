import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** Declares that a route (or every route of a controller) may be called without credentials. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
