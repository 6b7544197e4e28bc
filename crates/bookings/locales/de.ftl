bookings-title = Gemeinderäume reservieren
bookings-intro = Reservieren Sie Säle, Sitzungsräume, Sportplätze, Jugendräume und Ladestationen für Elektrofahrzeuge der Gemeinde. Freie Termine sehen Sie ohne Anmeldung; zum Reservieren melden Sie sich an.
bookings-mine = Meine Reservierungen
bookings-capacity = Kapazität: { $n }
bookings-hours-open = Geöffnet: { $hours }
bookings-needs-approval = Die Gemeindeverwaltung bestätigt Reservierungen.
bookings-not-bookable = Dieser Raum kann noch nicht über das Portal reserviert werden.
bookings-kpi = Anteil der reservierbaren Gemeinderäume
bookings-kpi-text = Über das Portal reservierbar:
bookings-date = Datum
bookings-show-day = Tag anzeigen
bookings-prev-day = Vorheriger Tag
bookings-next-day = Nächster Tag
bookings-day-caption = Termine am { $date }
bookings-time = Zeit
bookings-state = Status
bookings-book = Reservieren
bookings-sign-in-to-book = Zum Reservieren anmelden
bookings-start = Beginn
bookings-length = Dauer
bookings-on-behalf-of = Reservierung für
bookings-for-myself = Mich selbst (natürliche Person)
bookings-legal-person = Juristische Person mit Steuernummer { $tax }
bookings-note = Zweck oder Anmerkung (optional)
bookings-book-send = Termin reservieren
bookings-no-free-slots = An diesem Tag gibt es keine freien Termine.
bookings-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}
bookings-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
bookings-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
bookings-who-both = Natürliche und juristische Personen können reservieren.
bookings-who-natural = Nur natürliche Personen können reservieren.
bookings-who-legal = Nur juristische Personen können reservieren.
bookings-rule-lead = Mindestens { $time } im Voraus reservieren.
bookings-rule-max = Höchstens { $time } auf einmal.
bookings-rule-cancel = Stornierung bis { $time } vor Beginn.
bookings-rule-cancel-any = Stornierung bis zum Beginn.
bookings-rule-horizon = { $n ->
    [one] Höchstens { $n } Tag im Voraus.
   *[other] Höchstens { $n } Tage im Voraus.
}
bookings-kind-hall = Saal
bookings-kind-meeting_room = Sitzungsraum
bookings-kind-sports_ground = Sportplatz
bookings-kind-youth_space = Jugendraum
bookings-kind-ev_charging = Ladestation für Elektrofahrzeuge
bookings-free-of-charge = Kostenlos
bookings-price-per-slot = { $price }
bookings-slot-free = Frei
bookings-slot-taken = Belegt
bookings-slot-blocked = Geschlossen (Wartung)
bookings-slot-closed = Nicht reservierbar
bookings-status-pending = Wartet auf Bestätigung
bookings-status-confirmed = Bestätigt
bookings-status-rejected = Abgelehnt
bookings-status-cancelled = Storniert
error-booking-slot-taken = Jemand anderes hat diesen Termin soeben reserviert. Bitte wählen Sie einen anderen.
field-booking-lead-time = Dieser Termin ist zu früh: Bitte rechtzeitig reservieren.
field-booking-too-far = Dieser Termin liegt zu weit in der Zukunft.
field-booking-too-long = Die Reservierung ist zu lang.
field-booking-natural-only = Diesen Raum können nur natürliche Personen reservieren.
field-booking-legal-only = Diesen Raum können nur juristische Personen reservieren.

bookings-resources-staff = Buchbare Ressourcen
bookings-resource-new = Neue Ressource
bookings-resource-edit = Ressource bearbeiten
bookings-resource-kind = Art
bookings-resource-state = Stand
bookings-resource-active = Buchbar
bookings-resource-inactive = Deaktiviert
bookings-resource-approval-short = Verwaltung bestätigt
bookings-resource-public-page = Öffentliche Seite
bookings-resource-saved = Gespeichert. Neue Regeln gelten für Buchungen ab jetzt.
bookings-resource-errors = Die Ressource konnte nicht gespeichert werden. Bitte korrigieren Sie die markierten Felder:
bookings-resource-name = Name
bookings-resource-required = Pflichtfeld.
bookings-resource-purpose = Zweck
bookings-resource-capacity = Kapazität (Personen; bei einer Ladestation Fahrzeuge)
bookings-resource-capacity-hint = Eine ganze Zahl von 1 bis 100000.
bookings-resource-slots = Zeitfenster und Öffnungszeiten (Ortszeit)
bookings-resource-slot-minutes = Länge eines Zeitfensters in Minuten
bookings-resource-opens = Erstes Zeitfenster beginnt (HH:MM)
bookings-resource-closes = Letztes Zeitfenster endet (HH:MM)
bookings-resource-time-hint = Z. B. 08:00.
bookings-resource-closes-hint = Z. B. 22:00, oder 24:00 für Mitternacht; ganze Zeitfenster ab Öffnung.
bookings-resource-price = Preis eines Zeitfensters in EUR
bookings-resource-price-hint = Z. B. 25,00; 0 für kostenlos.
bookings-resource-who = Wer buchen darf
bookings-resource-natural = Natürliche Personen
bookings-resource-legal = Juristische Personen (über eine Vertretung)
bookings-resource-rules = Regeln
bookings-resource-lead = Vorlaufzeit in Minuten
bookings-resource-minutes-hint = 60 = eine Stunde, 1440 = ein Tag.
bookings-resource-max-slots = Längste Buchung in Zeitfenstern
bookings-resource-cancel = Stornierung bis so viele Minuten vor Beginn
bookings-resource-horizon = Höchstens so viele Tage im Voraus buchbar
bookings-resource-approval = Buchungen bestätigt die Verwaltung
bookings-resource-bookable = Auf dem Portal buchbar
bookings-resource-save = Speichern
bookings-resource-deactivate-hint = Deaktiviert bleibt die Ressource gelistet, ist aber nicht buchbar; bestehende Buchungen bleiben. Im Prüfprotokoll vermerkt.
bookings-resource-deactivate = Deaktivieren
bookings-done-deactivated = Die Ressource ist deaktiviert.
field-resource-capacity = Geben Sie eine ganze Zahl von 1 bis 100000 ein.
field-resource-slot-minutes = Ein Zeitfenster dauert 5 bis 1440 Minuten.
field-resource-price = Geben Sie einen Preis von 0 bis 10000 EUR ein.
field-resource-minutes = Geben Sie Minuten von 0 bis 525600 (ein Jahr) ein.
field-resource-horizon = Geben Sie Tage von 1 bis 730 ein.
field-resource-max-slots = Mindestens 1 und nicht mehr Zeitfenster, als ein Tag hat.
field-resource-hours-order = Das letzte Zeitfenster muss nach dem Beginn des ersten enden.
field-resource-hours-grid = Die Öffnungszeiten müssen ganze Zeitfenster umfassen.
field-resource-no-booker = Wählen Sie, wer buchen darf: natürliche, juristische Personen oder beide.
