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

bookings-resources-staff = Risorse prenotabili
bookings-resource-new = Nuova risorsa
bookings-resource-edit = Modifica risorsa
bookings-resource-kind = Tipo
bookings-resource-state = Stato
bookings-resource-active = Prenotabile
bookings-resource-inactive = Disattivata
bookings-resource-approval-short = conferma l'amministrazione
bookings-resource-public-page = Pagina pubblica
bookings-resource-saved = Salvato. Le nuove regole valgono per le prenotazioni da ora in poi.
bookings-resource-errors = Impossibile salvare la risorsa. Correggere i campi segnati:
bookings-resource-name = Nome
bookings-resource-required = Obbligatorio.
bookings-resource-purpose = Finalità
bookings-resource-capacity = Capienza (persone; veicoli per una colonnina)
bookings-resource-capacity-hint = Un numero intero da 1 a 100000.
bookings-resource-slots = Fasce orarie e apertura (ora locale)
bookings-resource-slot-minutes = Durata di una fascia in minuti
bookings-resource-opens = La prima fascia inizia (HH:MM)
bookings-resource-closes = L'ultima fascia finisce (HH:MM)
bookings-resource-time-hint = Per es. 08:00.
bookings-resource-closes-hint = Per es. 22:00, o 24:00 per mezzanotte; fasce intere dall'apertura.
bookings-resource-price = Prezzo di una fascia in EUR
bookings-resource-price-hint = Per es. 25,00; 0 per gratuito.
bookings-resource-who = Chi può prenotare
bookings-resource-natural = Persone fisiche
bookings-resource-legal = Persone giuridiche (tramite un rappresentante)
bookings-resource-rules = Regole
bookings-resource-lead = Preavviso in minuti
bookings-resource-minutes-hint = 60 = un'ora, 1440 = un giorno.
bookings-resource-max-slots = Prenotazione più lunga in fasce
bookings-resource-cancel = Disdetta fino a tanti minuti prima dell'inizio
bookings-resource-horizon = Prenotabile al massimo tanti giorni prima
bookings-resource-approval = Le prenotazioni le conferma l'amministrazione
bookings-resource-bookable = Prenotabile sul portale
bookings-resource-save = Salva
bookings-resource-deactivate-hint = Disattivata, la risorsa resta in elenco ma non è prenotabile; le prenotazioni fatte restano. Registrato nel registro di controllo.
bookings-resource-deactivate = Disattiva
bookings-done-deactivated = La risorsa è disattivata.
field-resource-capacity = Inserire un numero intero da 1 a 100000.
field-resource-slot-minutes = Una fascia dura da 5 a 1440 minuti.
field-resource-price = Inserire un prezzo da 0 a 10000 EUR.
field-resource-minutes = Inserire minuti da 0 a 525600 (un anno).
field-resource-horizon = Inserire giorni da 1 a 730.
field-resource-max-slots = Almeno 1 e non più fasce di quante ne abbia un giorno.
field-resource-hours-order = L'ultima fascia deve finire dopo l'inizio della prima.
field-resource-hours-grid = L'orario di apertura deve contenere fasce intere.
field-resource-no-booker = Scegliere chi può prenotare: persone fisiche, giuridiche o entrambe.
