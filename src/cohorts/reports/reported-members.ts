/**
 * The members cohort reports count (SQL, aliases `m` and `u`): people not deleted, and people erased
 * while members, who still count without identity ("Erased learner"; README, "Personal data").
 */
export const REPORTED_MEMBERS =
  'cohort_members m JOIN users u ON u.id = m.user_id AND (u.deleted_at IS NULL OR u.erased_at IS NOT NULL)';
