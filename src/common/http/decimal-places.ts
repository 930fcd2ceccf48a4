import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Digits after the decimal point of a finite number, however JavaScript prints it.
 * class-validator's `IsNumber({ maxDecimalPlaces })` splits `String(value)` on '.', which
 * throws (a 500) for numbers printed in exponent notation without one, such as 5e-324 or 1e-7.
 */
export function decimalPlacesOf(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return 0;
  // toExponential() prints the shortest digits that identify the value: "1.2345e+3", "5e-324".
  const [mantissa, exponent] = value.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/** A finite number with at most `places` decimal places (use beside `@IsNumber()`). */
export function MaxDecimalPlaces(places: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxDecimalPlaces',
      constraints: [places],
      validator: {
        validate: (value: unknown) => typeof value === 'number' && decimalPlacesOf(value) <= places,
        defaultMessage: () => `$property must have at most ${places} decimal places`,
      },
    },
    options,
  );
}
