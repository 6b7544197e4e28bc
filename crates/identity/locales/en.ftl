label-email = E-mail address
label-password = Password
label-new_password = New password
hint-password = At least 10 characters. A sentence of several words works well; common and easily guessed passwords are not allowed.
hint-new_password = At least 10 characters. A sentence of several words works well; common and easily guessed passwords are not allowed.
label-code = Code from the app or a recovery code
hint-code = The six-digit code from your authenticator app (e.g. FreeOTP, Google Authenticator) or one of your recovery codes.
label-name = Full name
label-address = Permanent address
label-phone = Phone
hint-phone = E.g. +386 41 123 456
label-tax_number = Tax number
hint-tax_number = 8 digits, e.g. 12345679
label-emso = EMŠO (personal registration number)
hint-emso = 13 digits, as on your identity card
label-department = Department
label-legal_entity_tax_number = Tax number of the legal entity
field-required = This field is required.
field-email-invalid = Enter a valid e-mail address, e.g. ana.novak@example.si.
field-email-taken = This e-mail address is used by another account.
field-emso-format = EMŠO has exactly 13 digits.
field-emso-date = The first seven digits of EMŠO must be a valid date of birth (DDMMYYY).
field-emso-checksum = The EMŠO check digit does not match. Check that you copied the number correctly.
field-emso-taken = This EMŠO is already in another account. Please contact the municipality.
field-tax-format = The tax number has 8 digits and does not start with 0.
field-tax-checksum = The tax number check digit does not match. Check that you copied the number correctly.
field-phone-format = Enter a phone number with 6 to 15 digits, optionally starting with +.
field-too-long = The entry is too long.
field-password-too-short = The password must have at least 10 characters.
field-password-too-long = The password is too long (at most 128 characters).
field-password-weak = This password is too common or easy to guess. Choose a longer one, e.g. a sentence of several words.
field-password-reused = The new password must differ from the current one.
field-password-wrong = The password is not correct.
field-code-invalid = The code is wrong or has expired. Enter a new code from the app.
field-scope-unknown = Choose at least one valid scope.
field-role-unknown = Unknown role.
error-invalid-credentials = The e-mail address or password is not correct.
error-email-not-confirmed = Your e-mail address is not confirmed yet. Click the link we sent you by e-mail.
error-token-invalid = The link is not valid, has been used already or has expired.
error-sign-in-expired = The sign-in has expired. Please sign in again.
error-reauth-required = Enter your password again for this action.
error-second-factor-mandatory = Staff and administrators must keep two-factor verification on.
error-second-factor-needed = Enter the code for two-factor verification as well.
error-last-admin = The last administrator cannot lose the role or delete the account.
error-totp-not-started = Two-factor set-up was not started.
error-session-required = This action is only possible in a signed-in browser session.
error-json-expected = The request must be JSON.
error-json-invalid = The JSON does not have the expected shape.
error-json-malformed = The request is not valid JSON.
register-title = Register
register-intro = With an account you can submit applications, reports and bookings and follow them in one place.
register-submit = Create account
register-have-account = Already have an account?
register-done-title = Check your e-mail
register-done-body = If the address is correct, we have sent you a confirmation link. Click it, then sign in.
confirm-done-title = E-mail address confirmed
confirm-done-body = Thank you. You can sign in now.
confirm-failed-title = Confirmation failed
confirm-failed-body = The link is not valid, has been used already or has expired. Register again or contact the municipality.
login-title = Sign in
login-submit = Sign in
login-no-account = No account yet?
login-2fa-title = Two-factor verification
login-2fa-intro = Enter the code from your authenticator app or one of your recovery codes.
account-title = My profile
account-profile = Personal data
account-profile-intro = Your data is stored encrypted. We use it only for the services you choose.
account-save = Save
account-saved = Your changes are saved.
account-security = Sign-in and security
account-change-email = Change e-mail address
account-change-password = Change password
account-2fa = Two-factor verification
account-2fa-on = On
account-2fa-off = Off
account-sessions = Signed-in sessions
account-data = My data
account-delete = Delete account
reauth-title = Confirm it is you
reauth-intro = Enter your password again before changing sign-in details.
reauth-submit = Confirm
password-changed = Your password is changed. Other sessions were signed out.
totp-intro = Open the authenticator app on your phone and scan the QR code, or type the key. Then enter the six-digit code the app shows.
totp-qr-caption = QR code for the authenticator app
totp-manual = Key for typing in:
totp-enable = Turn on
totp-disable = Turn off two-factor verification
totp-enabled-now = Two-factor verification is on.
totp-recovery-title = Recovery codes
totp-recovery-intro = Keep these codes safe. Each works once if you do not have your phone. They are shown only now.
totp-codes-left = { $n ->
    [one] { $n } unused recovery code left.
   *[other] { $n } unused recovery codes left.
}
sessions-count = { $n ->
    [one] You are signed in in { $n } session.
   *[other] You are signed in in { $n } sessions.
}
sessions-device = Device
sessions-created = Signed in
sessions-last-seen = Last activity
sessions-action = Action
sessions-this = this session
sessions-end = Sign out
data-intro = This is all the data the platform holds about you. You can download it as a JSON file.
data-download = Download as JSON
delete-erased = We will delete your account, your personal data (name, address, phone, tax number, EMŠO, e-mail address), sessions, two-factor verification and recovery codes.
delete-kept-title = What stays and why
delete-kept-body = The audit trail of security events (sign-ins, data changes) stays, because the Slovenian Personal Data Protection Act (ZVOP-2, traceability of processing) requires it to prove lawful processing. It holds no name or e-mail, only a random account identifier that no longer links to you once the account is deleted (pseudonymisation).
delete-submit = Delete my account for good
delete-done-title = Account deleted
delete-done-body = Your personal data is deleted. Thank you for using the portal.
staff-department = Department: { $department }
staff-users = Users and roles
staff-tokens = API tokens
staff-audit = Audit trail
staff-roles = Roles
staff-change-role = Change role
staff-grant = Grant
staff-revoke = Revoke
role-citizen = Citizen
role-representative = Legal-entity representative
role-staff = Staff
role-dto = Digital transformation officer
role-admin = Administrator
tokens-new = New token
tokens-scopes = Scopes
tokens-create = Create token
tokens-revoke = Revoke
tokens-revoked = Revoked
tokens-shown-once = The token is shown only now; store it:
audit-intact = { $n ->
    [one] The chain is intact: { $n } entry.
   *[other] The chain is intact: { $n } entries.
}
audit-broken = The chain is broken
audit-when = When
audit-actor = Who
audit-action = Action
audit-subject = Subject
audit-outcome = Outcome
mail-confirm-subject = Confirm your e-mail address – { $municipality }
mail-confirm-body = Hello,

    to finish registering on the { $municipality } portal, open this link (valid for 48 hours):

    { $link }

    If you did not register, ignore this message.
mail-already-registered-subject = Registration attempt – { $municipality }
mail-already-registered-body = Hello,

    someone tried to create an account with this e-mail address, but you already have one. Sign in here: { $link }

    If this was not you, you need not do anything.
mail-password-changed-subject = Your password was changed – { $municipality }
mail-password-changed-body = The password of your account was just changed. If this was not you, contact the municipality at once.
mail-email-changed-subject = Your e-mail address was changed – { $municipality }
mail-email-changed-body = The e-mail address of your account was just changed. If this was not you, contact the municipality at once.
mail-2fa-enabled-subject = Two-factor verification turned on – { $municipality }
mail-2fa-enabled-body = Two-factor verification was turned on for your account. If this was not you, contact the municipality at once.
mail-2fa-disabled-subject = Two-factor verification turned off – { $municipality }
mail-2fa-disabled-body = Two-factor verification was turned off for your account. If this was not you, contact the municipality at once.
mail-recovery-used-subject = A recovery code was used – { $municipality }
mail-recovery-used-body = A recovery code was used to sign in to your account. If this was not you, contact the municipality at once.
mail-account-deleted-subject = Account deleted – { $municipality }
mail-account-deleted-body = Your account and personal data have been deleted.
organisations-title = Municipal administration, public institutions and companies
organisations-intro = The bodies whose staff work on the platform (strategy, Table 5).
organisation-kind-administration = Municipal administration
organisation-kind-public_company = Public companies
organisation-kind-public_institution = Public institutions
demo-marker = demo data
login-eid = Sign in with the national eID (SI-PASS)
account-eid-link = Link the national eID (SI-PASS)
email-change-sent-title = Confirm the new address
email-change-sent-body = We have sent a link to the new e-mail address. The address changes when you open it; until then the old one stays.
email-changed-title = E-mail address changed
email-changed-body = From now on, sign in with the new address.
mail-email-change-confirm-subject = Confirm your new e-mail address – { $municipality }
mail-email-change-confirm-body = Hello,

    to change the e-mail address of your account on the { $municipality } portal, open this link (valid for 48 hours):

    { $link }

    If you did not ask for this, ignore this message.
mail-email-change-requested-subject = E-mail address change requested – { $municipality }
mail-email-change-requested-body = A change of the e-mail address of your account was requested. If this was not you, change your password at once and contact the municipality.
