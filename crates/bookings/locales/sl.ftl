bookings-title = Rezervacije prostorov
bookings-intro = Rezervirajte dvorane, sejne sobe, igrišča, mladinske prostore in polnilnice za električna vozila v lasti občine. Proste termine vidite brez prijave; za rezervacijo se prijavite.
bookings-mine = Moje rezervacije
bookings-capacity = Zmogljivost: { $n }
bookings-hours-open = Odprto: { $hours }
bookings-needs-approval = Rezervacijo potrdi občinska uprava.
bookings-not-bookable = Tega prostora še ni mogoče rezervirati prek portala.
bookings-kpi = Delež občinskih prostorov, ki jih je mogoče rezervirati
bookings-kpi-text = Prek portala je mogoče rezervirati
bookings-date = Datum
bookings-show-day = Prikaži dan
bookings-prev-day = Prejšnji dan
bookings-next-day = Naslednji dan
bookings-day-caption = Termini dne { $date }
bookings-time = Čas
bookings-state = Stanje
bookings-book = Rezerviraj
bookings-sign-in-to-book = Za rezervacijo se prijavite
bookings-start = Začetek
bookings-length = Trajanje
bookings-on-behalf-of = Rezervacija za
bookings-for-myself = Zase (fizična oseba)
bookings-legal-person = Pravna oseba z davčno številko { $tax }
bookings-note = Namen ali opomba (neobvezno)
bookings-book-send = Rezerviraj termin
bookings-no-free-slots = Ta dan ni prostih terminov.
bookings-none = Nimate rezervacij.
bookings-resource = Prostor
bookings-price = Cena
bookings-booking = Rezervacija
bookings-booked = Rezervacija je potrjena. Potrditev ste prejeli tudi med obvestila.
bookings-booked-pending = Rezervacija je sprejeta in čaka na potrditev občinske uprave. O odločitvi vas obvestimo.
bookings-cancelled = Rezervacija je preklicana.
bookings-location = Kraj
bookings-ics = Prenesi v koledar (.ics)
bookings-cancel-until = Prekličete lahko do { $time }.
bookings-cancel = Prekliči rezervacijo
bookings-cancel-closed = Rok za preklic je potekel { $time }.
bookings-staff = Rezervacije – zasedenost in potrjevanje
bookings-pending = Čakajo na potrditev
bookings-none-pending = Nobena rezervacija ne čaka na potrditev.
bookings-confirm = Potrdi
bookings-reject = Zavrni
bookings-occupancy = Zasedenost
bookings-occupied = Zasedeni termini: { $share }
bookings-of-day = Rezervacije tega dne
bookings-blocks = Zapore
bookings-unblock = Odstrani zaporo
bookings-block = Zapri termine (vzdrževanje)
bookings-block-reason = Razlog
bookings-block-send = Zapri termine
bookings-form-errors = Rezervacije ni bilo mogoče shraniti:
bookings-days = { $n ->
    [one] { $n } dan
    [two] { $n } dneva
    [few] { $n } dni
   *[other] { $n } dni
}
bookings-hours = { $n ->
    [one] { $n } ura
    [two] { $n } uri
    [few] { $n } ure
   *[other] { $n } ur
}
bookings-minutes = { $n ->
    [one] { $n } minuta
    [two] { $n } minuti
    [few] { $n } minute
   *[other] { $n } minut
}
bookings-who-both = Rezervirajo lahko fizične in pravne osebe.
bookings-who-natural = Rezervirajo lahko samo fizične osebe.
bookings-who-legal = Rezervirajo lahko samo pravne osebe.
bookings-rule-lead = Rezervirajte vsaj { $time } vnaprej.
bookings-rule-max = Največ { $time } naenkrat.
bookings-rule-cancel = Preklic do { $time } pred začetkom.
bookings-rule-cancel-any = Preklic do začetka.
bookings-rule-horizon = { $n ->
    [one] Največ { $n } dan vnaprej.
    [two] Največ { $n } dneva vnaprej.
   *[other] Največ { $n } dni vnaprej.
}
bookings-kind-hall = Dvorana
bookings-kind-meeting_room = Sejna soba
bookings-kind-sports_ground = Športno igrišče
bookings-kind-youth_space = Mladinski prostor
bookings-kind-ev_charging = Polnilnica za električna vozila
bookings-free-of-charge = Brezplačno
bookings-price-per-slot = { $price }
bookings-slot-free = Prosto
bookings-slot-taken = Zasedeno
bookings-slot-blocked = Zaprto (vzdrževanje)
bookings-slot-closed = Ni mogoče rezervirati
bookings-status-pending = Čaka na potrditev
bookings-status-confirmed = Potrjena
bookings-status-rejected = Zavrnjena
bookings-status-cancelled = Preklicana
bookings-booker-natural = fizična oseba
bookings-booker-legal = pravna oseba { $tax }
bookings-done-blocked = Termini so zaprti.
bookings-done-unblocked = Zapora je odstranjena.
bookings-done-confirmed = Rezervacija je potrjena.
bookings-done-rejected = Rezervacija je zavrnjena.
bookings-done-cancelled = Rezervacija je preklicana.
bookings-notice-confirmed-title = Rezervacija potrjena: { $resource }
bookings-notice-confirmed-body = Vaša rezervacija ({ $resource }, { $location }) je potrjena: { $when }.
bookings-notice-pending-title = Rezervacija sprejeta: { $resource }
bookings-notice-pending-body = Vaša rezervacija ({ $resource }, { $location }, { $when }) čaka na potrditev občinske uprave.
bookings-notice-rejected-title = Rezervacija zavrnjena: { $resource }
bookings-notice-rejected-body = Vaše rezervacije ({ $resource }, { $when }) občinska uprava ni potrdila.
bookings-notice-cancelled-title = Rezervacija preklicana: { $resource }
bookings-notice-cancelled-body = Občinska uprava je preklicala vašo rezervacijo ({ $resource }, { $when }).
bookings-ics-summary = Rezervacija: { $resource }
bookings-ics-description = Stanje: { $status }. Cena: { $price }.
error-booking-slot-taken = Ta termin je medtem že rezerviral nekdo drug. Izberite drug termin.
error-booking-cancel-too-late = Rok za preklic te rezervacije je že potekel.
error-booking-not-active = Ta rezervacija ni več veljavna.
error-booking-not-pending = O tej rezervaciji je že odločeno.
error-not-representative = Te pravne osebe ne zastopate.
field-booking-lead-time = Ta termin je prekmalu: rezervirati je treba dovolj vnaprej.
field-booking-too-far = Ta termin je predaleč v prihodnosti.
field-booking-too-long = Rezervacija je predolga.
field-booking-natural-only = Ta prostor lahko rezervirajo samo fizične osebe.
field-booking-legal-only = Ta prostor lahko rezervirajo samo pravne osebe.
field-resource-not-bookable = Tega prostora ni mogoče rezervirati.
field-resource-unknown = Tega prostora ni.
field-not-a-slot = Izberite enega od ponujenih terminov.
field-after-closing = Rezervacija se mora končati do zaprtja.
field-ends-before-start = Konec mora biti za začetkom.

bookings-resources-staff = Prostori in viri za rezervacije
bookings-resource-new = Nov vir
bookings-resource-edit = Uredi vir
bookings-resource-kind = Vrsta
bookings-resource-state = Stanje
bookings-resource-active = Rezervacije mogoče
bookings-resource-inactive = Izključeno
bookings-resource-approval-short = potrdi uprava
bookings-resource-public-page = Javna stran
bookings-resource-saved = Shranjeno. Nova pravila veljajo za rezervacije od zdaj naprej.
bookings-resource-errors = Vira ni bilo mogoče shraniti. Popravite označena polja:
bookings-resource-name = Ime
bookings-resource-required = Obvezno.
bookings-resource-purpose = Namen
bookings-resource-capacity = Zmogljivost (oseb; pri polnilnici vozil)
bookings-resource-capacity-hint = Celo število od 1 do 100000.
bookings-resource-slots = Termini in odprtost (lokalni čas)
bookings-resource-slot-minutes = Dolžina termina v minutah
bookings-resource-opens = Prvi termin se začne (HH:MM)
bookings-resource-closes = Zadnji termin se konča (HH:MM)
bookings-resource-time-hint = Npr. 08:00.
bookings-resource-closes-hint = Npr. 22:00 ali 24:00 za polnoč; celi termini od začetka.
bookings-resource-price = Cena termina v EUR
bookings-resource-price-hint = Npr. 25,00; 0 za brezplačno.
bookings-resource-who = Kdo lahko rezervira
bookings-resource-natural = Fizične osebe
bookings-resource-legal = Pravne osebe (prek zastopnika)
bookings-resource-rules = Pravila
bookings-resource-lead = Najmanj vnaprej, v minutah
bookings-resource-minutes-hint = 60 = ura, 1440 = dan.
bookings-resource-max-slots = Najdaljša rezervacija v terminih
bookings-resource-cancel = Odpoved najpozneje toliko minut pred začetkom
bookings-resource-horizon = Rezervacija največ toliko dni vnaprej
bookings-resource-approval = Rezervacije potrdi uprava
bookings-resource-bookable = Rezervacije na portalu mogoče
bookings-resource-save = Shrani
bookings-resource-deactivate-hint = Izključen vir ostane na seznamu, rezervirati ga ni mogoče; narejene rezervacije ostanejo. Zapisano v revizijsko sled.
bookings-resource-deactivate = Izključi
bookings-done-deactivated = Vir je izključen.
field-resource-capacity = Vpišite celo število od 1 do 100000.
field-resource-slot-minutes = Termin traja od 5 do 1440 minut.
field-resource-price = Vpišite ceno od 0 do 10000 EUR.
field-resource-minutes = Vpišite minute od 0 do 525600 (eno leto).
field-resource-horizon = Vpišite dni od 1 do 730.
field-resource-max-slots = Vpišite vsaj 1 in ne več terminov, kot jih ima dan.
field-resource-hours-order = Zadnji termin se mora končati po začetku prvega.
field-resource-hours-grid = V odprtost morajo iti celi termini.
field-resource-no-booker = Izberite, kdo lahko rezervira: fizične osebe, pravne osebe ali oboji.
