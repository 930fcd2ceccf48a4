/** Claim names and values of LTI 1.3 Core, Deep Linking 2.0, AGS 2.0 and NRPS 2.0. */
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  launchPresentation: `${LTI}launch_presentation`,
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  deepLinkingData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  agsEndpoint: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
} as const;

export const LTI_VERSION = '1.3.0';
export const MESSAGE_TYPES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';

/**
 * Context roles that teach: Instructor (and its sub-roles, TeachingAssistant among them),
 * ContentDeveloper and Administrator of the context, and the institution's and system's
 * administrators. The deprecated simple names ("Instructor") are read too.
 */
const TEACHING = [
  `${MEMBERSHIP}#Instructor`,
  `${MEMBERSHIP}#ContentDeveloper`,
  `${MEMBERSHIP}#Administrator`,
  'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
  'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator',
  'Instructor',
  'ContentDeveloper',
  'Administrator',
];

/**
 * The role a launch gives its person in the cohort: instructor for a
 * teaching role, learner otherwise (Learner, Mentor, a guest, no role: the
 * least a person may do). An LTI launch never makes anyone an admin here.
 */
export function memberRoleOf(roles: readonly string[]): 'instructor' | 'learner' {
  const teaches = roles.some(
    (role) =>
      TEACHING.includes(role) ||
      role.startsWith(`${MEMBERSHIP}/Instructor#`) ||
      role.startsWith(`${MEMBERSHIP}/ContentDeveloper#`) ||
      role.startsWith(`${MEMBERSHIP}/Administrator#`),
  );
  return teaches ? 'instructor' : 'learner';
}
