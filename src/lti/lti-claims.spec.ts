import { memberRoleOf } from './lti-claims';

const lis = (role: string) => `http://purl.imsglobal.org/vocab/lis/v2/membership${role}`;

describe('memberRoleOf', () => {
  it.each([
    [[lis('#Learner')], 'learner'],
    [[lis('#Instructor')], 'instructor'],
    [[lis('/Instructor#TeachingAssistant')], 'instructor'],
    [[lis('#ContentDeveloper')], 'instructor'],
    [[lis('#Administrator')], 'instructor'],
    [['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator'], 'instructor'],
    [['Instructor'], 'instructor'],
    [[lis('#Mentor')], 'learner'],
    [[], 'learner'],
    [[lis('#Learner'), lis('#Instructor')], 'instructor'],
    // A role that only looks like a teaching one is not.
    [['http://example.com/vocab#Instructor'], 'learner'],
    [[lis('#InstructorX')], 'learner'],
  ])('%j → %s', (roles, expected) => {
    expect(memberRoleOf(roles)).toBe(expected);
  });
});
