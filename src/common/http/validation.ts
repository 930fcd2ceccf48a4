import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldFault, ValidationFailed } from '../errors/domain-error';

/** Flattens class-validator's tree into one entry per field at fault. */
export function toFieldFaults(errors: ValidationError[], parent = ''): FieldFault[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...toFieldFaults(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailed(toFieldFaults(errors)),
  });
}
