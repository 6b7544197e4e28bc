bookings-title = Prenotare spazi comunali
bookings-intro = Prenotate sale, sale riunioni, campi sportivi, spazi per i giovani e colonnine di ricarica del Comune. Gli orari liberi sono visibili senza accesso; per prenotare accedete.
bookings-mine = Le mie prenotazioni
bookings-capacity = Capienza: { $n }
bookings-hours-open = Aperto: { $hours }
bookings-needs-approval = L'amministrazione comunale conferma le prenotazioni.
bookings-not-bookable = Questo spazio non si può ancora prenotare tramite il portale.
bookings-kpi = Quota di spazi comunali prenotabili
bookings-kpi-text = Prenotabili tramite il portale:
bookings-date = Data
bookings-show-day = Mostra giorno
bookings-prev-day = Giorno precedente
bookings-next-day = Giorno successivo
bookings-day-caption = Orari del { $date }
bookings-time = Orario
bookings-state = Stato
bookings-book = Prenota
bookings-sign-in-to-book = Accedete per prenotare
bookings-start = Inizio
bookings-length = Durata
bookings-on-behalf-of = Prenotazione per
bookings-for-myself = Me stesso (persona fisica)
bookings-legal-person = Persona giuridica con codice fiscale { $tax }
bookings-note = Scopo o nota (facoltativo)
bookings-book-send = Prenota l'orario
bookings-no-free-slots = Nessun orario libero in questo giorno.
bookings-days = { $n ->
    [one] { $n } giorno
   *[other] { $n } giorni
}
bookings-hours = { $n ->
    [one] { $n } ora
   *[other] { $n } ore
}
bookings-minutes = { $n ->
    [one] { $n } minuto
   *[other] { $n } minuti
}
bookings-who-both = Possono prenotare persone fisiche e giuridiche.
bookings-who-natural = Possono prenotare solo persone fisiche.
bookings-who-legal = Possono prenotare solo persone giuridiche.
bookings-rule-lead = Prenotate almeno { $time } prima.
bookings-rule-max = Al massimo { $time } alla volta.
bookings-rule-cancel = Disdetta fino a { $time } prima dell'inizio.
bookings-rule-cancel-any = Disdetta fino all'inizio.
bookings-rule-horizon = { $n ->
    [one] Al massimo { $n } giorno prima.
   *[other] Al massimo { $n } giorni prima.
}
bookings-kind-hall = Sala
bookings-kind-meeting_room = Sala riunioni
bookings-kind-sports_ground = Campo sportivo
bookings-kind-youth_space = Spazio giovani
bookings-kind-ev_charging = Colonnina di ricarica
bookings-free-of-charge = Gratuito
bookings-price-per-slot = { $price }
bookings-slot-free = Libero
bookings-slot-taken = Occupato
bookings-slot-blocked = Chiuso (manutenzione)
bookings-slot-closed = Non prenotabile
bookings-status-pending = In attesa di conferma
bookings-status-confirmed = Confermata
bookings-status-rejected = Respinta
bookings-status-cancelled = Disdetta
error-booking-slot-taken = Qualcun altro ha appena prenotato questo orario. Sceglietene un altro.
field-booking-lead-time = Questo orario è troppo vicino: prenotate con sufficiente anticipo.
field-booking-too-far = Questo orario è troppo lontano nel futuro.
field-booking-too-long = La prenotazione è troppo lunga.
field-booking-natural-only = Questo spazio può essere prenotato solo da persone fisiche.
field-booking-legal-only = Questo spazio può essere prenotato solo da persone giuridiche.
