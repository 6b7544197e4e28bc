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
