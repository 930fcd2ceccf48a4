import fc from 'fast-check';
import { IsString } from 'class-validator';
import { ValidationFailed } from '../errors/domain-error';
import { IsEmailAddress, IsUtf8ByteLength, isWellFormedText } from './text-validators';
import { createValidationPipe } from './validation';

class Contact {
  @IsEmailAddress()
  email: string;

  @IsString()
  @IsUtf8ByteLength(1, 8)
  note: string;
}

const validate = (body: unknown) => createValidationPipe().transform(body, { type: 'body', metatype: Contact });

describe('text validators', () => {
  it('accept well-formed values and measure bytes in UTF-8', async () => {
    await expect(validate({ email: 'ada@example.com', note: 'ß€x' })).resolves.toBeInstanceOf(Contact);
    await expect(validate({ email: 'ada@example.com', note: '😀😀😀' })).rejects.toBeInstanceOf(ValidationFailed);
  });

  it.each(['\ud800', 'a\udfffb', 'ada\ud83d@example.com'])(
    'refuse %j with a 400, where validator.js threw',
    async (text) => {
      await expect(validate({ email: text, note: text })).rejects.toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ field: 'email' })]),
      });
    },
  );

  it('tell well-formed text from text with a lone surrogate, as String#isWellFormed does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(isWellFormedText(text)).toBe((text as unknown as { isWellFormed(): boolean }).isWellFormed());
      }),
    );
  });
});
