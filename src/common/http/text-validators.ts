import { isEmail, ValidateBy, type ValidationOptions } from 'class-validator';

/*
 * validator.js measures bytes with encodeURI, which throws a URIError on a lone UTF-16 surrogate
 * ("\ud800" is valid JSON): IsByteLength and IsEmail (which measures its parts) answered 500 for
 * such text. These measure with Buffer.byteLength and refuse ill-formed text before isEmail sees it.
 */

/** Text of min to max bytes in UTF-8 (a lone surrogate counts as the 3 bytes of U+FFFD it is stored as). */
export function IsUtf8ByteLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUtf8ByteLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const bytes = Buffer.byteLength(value, 'utf8');
          return bytes >= min && bytes <= max;
        },
        defaultMessage: () => `$property must be ${min} to ${max} bytes of UTF-8`,
      },
    },
    options,
  );
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether the text is well-formed UTF-16 (String#isWellFormed, which ES2023 typings lack). */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** An email address (validator.js's rules), in well-formed Unicode. */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isWellFormedText(value) && isEmail(value),
        defaultMessage: () => '$property must be an email',
      },
    },
    options,
  );
}
