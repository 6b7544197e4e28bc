skip-to-content = Zum Inhalt springen
nav-label = Hauptnavigation
nav-languages = Sprachen
nav-home = Startseite
nav-sign-in = Anmelden
nav-register = Registrieren
nav-account = Mein Profil
nav-sign-out = Abmelden
nav-staff = Für Mitarbeiter
footer-accessibility = Erklärung zur Barrierefreiheit
footer-privacy = Datenschutz
footer-api = API für Entwickler
error-title = Fehler
error-home = Zur Startseite
error-status-code = Fehlercode: { $status }
error-status-404 = Seite nicht gefunden
error-status-403 = Zugriff verweigert
error-status-500 = Serverfehler
error-generic = Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut oder wenden Sie sich an die Gemeinde.
error-not-found = Die gesuchte Seite gibt es nicht.

# Photos (kernel::photos), for every form that takes them.
field-photo-type = Ein Foto muss im Format JPEG oder PNG sein.
field-photo-too-large = Das Foto ist zu groß.
field-photo-unreadable = Das Foto kann nicht gelesen werden.
