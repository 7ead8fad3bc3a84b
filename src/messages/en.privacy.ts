/** English sentences for data retention and erasure (merged into en.ts). */
export const enPrivacy = {
  'notice.contactsDeleted.subject': 'Your PIN reset contacts were deleted',
  'notice.contactsDeleted.text': 'At your request or the service desk\'s, the alternate email and mobile number registered to reset the portal PIN of {uid} were deleted on {when}. Links and codes sent to them no longer work.\n\nTo reset your PIN yourself again, register new contacts with the PIN reset assistant (type register). If you did not expect this, contact {serviceDesk}.',
} as const;
