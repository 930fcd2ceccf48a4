import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

export const IS_PUBLIC = 'auth:public';

/** OpenAPI `security: []`: this operation needs no credentials. */
function ApiNoSecurity(): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(DECORATORS.API_SECURITY, [], descriptor ? (descriptor.value as object) : target);
  };
}

/** Declares that a route (or every route of a controller) may be called without credentials. */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiNoSecurity());
