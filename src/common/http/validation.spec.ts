import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { ValidationFailed } from '../errors/domain-error';
import { Optional } from './optional';
import { createValidationPipe } from './validation';

class Address {
  @IsString()
  city: string;
}

class Person {
  @IsEmail()
  email: string;

  @IsInt()
  @Min(0)
  age: number;

  @ValidateNested()
  @Type(() => Address)
  address: Address;
}

async function faultsOf(body: unknown) {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: Person });
  } catch (error) {
    if (error instanceof ValidationFailed) return error.errors;
    throw error;
  }
  throw new Error('expected validation to fail');
}

describe('validation pipe', () => {
  it('lists each field at fault, nested ones by dotted path', async () => {
    const faults = await faultsOf({ email: 'nope', age: -1, address: { city: 7 } });
    expect(faults.map((f) => f.field).sort()).toEqual(['address.city', 'age', 'email']);
    expect(faults.find((f) => f.field === 'age')?.messages).toEqual([expect.stringMatching(/not be less than 0/)]);
  });

  it('refuses properties the DTO does not declare', async () => {
    const faults = await faultsOf({ email: 'a@b.example', age: 3, address: { city: 'Oslo' }, roles: ['admin'] });
    expect(faults).toEqual([{ field: 'roles', messages: [expect.stringMatching(/should not exist/)] }]);
  });

  it('passes a valid body through as an instance of the DTO', async () => {
    const value = await createValidationPipe().transform(
      { email: 'a@b.example', age: 3, address: { city: 'Oslo' } },
      { type: 'body', metatype: Person },
    );
    expect(value).toBeInstanceOf(Person);
  });
});

class Nickname {
  @Optional()
  @IsString()
  nickname?: string;
}

describe('Optional', () => {
  const validate = (body: unknown) =>
    createValidationPipe().transform(body, { type: 'body', metatype: Nickname }) as Promise<Nickname>;

  it('lets a property be left out, and checks it when given', async () => {
    await expect(validate({})).resolves.toBeInstanceOf(Nickname);
    await expect(validate({ nickname: 'Ada' })).resolves.toMatchObject({ nickname: 'Ada' });
    await expect(validate({ nickname: 7 })).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('refuses null, which IsOptional lets through unchecked', async () => {
    await expect(validate({ nickname: null })).rejects.toMatchObject({
      errors: [{ field: 'nickname', messages: [expect.stringMatching(/must be a string/)] }],
    });
  });
});
