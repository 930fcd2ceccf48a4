import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * The property may be left out. Unlike class-validator's `IsOptional`, `null` is not "left out":
 * it is validated like any other value, so `IsString` and the like refuse it (400, naming the
 * field). With `IsOptional`, `{"name": null}` reached the services, where it became a NOT NULL
 * violation (500) or quietly cleared a field the document does not call nullable. Properties that
 * are nullable say so with `IsOptional` (or `ValidateIf(value !== null)`) and `nullable: true`.
 */
export function Optional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
