indicators-title = Kazalniki strategije
indicators-intro = Kako občini gre pri ukrepih strategije digitalne občine: za vsak ključni kazalnik izhodiščna vrednost 2022, zadnja vrednost z virom, ciljna vrednost 2027 in gibanje.
indicators-with-value = Kazalniki z vrednostjo
indicators-reached = doseženih ciljev
indicators-csv = Vse vrednosti (CSV)
indicators-staff = Urejanje kazalnikov
indicators-pillar = Steber
indicators-all = Vsi
indicators-area = Področje
indicators-show = Prikaži
indicators-pillar-1 = Mesto poslovnih priložnosti
indicators-pillar-2 = Okolju prijazno mesto
indicators-pillar-3 = Zakladnica tisočletij
indicators-pillar-4 = Mesto aktivnih, zdravih in ustvarjalnih ljudi
indicators-pillar-5 = Uprava, zaščita in reševanje ter telekomunikacije
indicators-area-economy = Gospodarstvo
indicators-area-agriculture = Kmetijstvo
indicators-area-energy = Energetika
indicators-area-environment = Okolje
indicators-area-mobility = Mobilnost
indicators-area-water = Vode
indicators-area-culture = Kultura
indicators-area-tourism = Turizem
indicators-area-health = Prebivalstvo in zdravje
indicators-area-sport = Šport
indicators-area-safety = Varnost
indicators-area-administration = Uprava
indicators-area-rescue = Zaščita in reševanje
indicators-area-telecom = Telekomunikacije
indicators-kpi = Kazalnik
indicators-baseline = Izhodišče
indicators-latest = Zadnja vrednost
indicators-target = Cilj
indicators-progress = Napredek
indicators-trend = Gibanje
indicators-computed-mark = izračuna platforma
indicators-iso = Kazalniki ISO 37120, 37122 in 37123
indicators-iso-caption = Kazalniki ISO, ki jih občina spremlja, po točkah standarda, s kazalniki strategije, s katerimi se prekrivajo
indicators-clause = Točka
indicators-theme = Tema
indicators-related = Povezani kazalniki
indicators-code = Oznaka
indicators-measure = Ukrep
indicators-unit = Enota
indicators-unit-percent = odstotek
indicators-unit-count = število
indicators-unit-flag = vzpostavljeno (da/ne)
indicators-unit-kW = kilovati
indicators-unit-km_per_year = kilometri na leto
indicators-unit-per_year = na leto
indicators-unit-per_employee = na zaposlenega
indicators-unit-per_resident_year = na občana na leto
indicators-frequency = Posodobitev
indicators-frequency-yearly = letno
indicators-owner = Odgovorni
indicators-source = Vir
indicators-source-computed = izračuna platforma
indicators-source-entered = vnese ali uvozi občina
indicators-history = Zgodovina
indicators-no-values = Vrednosti še ni.
indicators-history-caption = Vse zabeležene vrednosti, najnovejše prve
indicators-period = Obdobje
indicators-value = Vrednost
indicators-provenance = Izvor
indicators-provenance-computed = izračunano
indicators-provenance-imported = uvoženo
indicators-provenance-entered = vneseno
indicators-note-heading = Opomba
indicators-superseded = nadomeščena z vneseno ali uvoženo vrednostjo
indicators-report-title = Poročilo o izvajanju { $year }
indicators-report-intro = Letna evalvacija strategije digitalne občine za mestni svet: za vsak kazalnik izhodišče, vrednost leta in prejšnjega leta, cilj 2027 in koliko poti do njega je opravljene.
indicators-report-measured = Izmerjeni kazalniki do
indicators-report-halfway = Vsaj na pol poti do cilja
indicators-report-reached = Cilj dosežen
indicators-record = Vnos vrednosti
indicators-form-errors = Vrednost ni bila shranjena:
indicators-period-hint = Leto (2026) ali mesec (2026-06).
indicators-import = Uvoz vrednosti
indicators-import-label = CSV s stolpci code, period, value in po želji note
indicators-import-hint = Uvozi se cela datoteka ali nič, če je katera vrstica napačna; vsaka napačna vrstica je navedena.
indicators-recompute = Izračunaj zdaj
indicators-recompute-intro = Platforma vsak dan izračuna kazalnike, ki jih povedo njeni podatki (prijave napak, obveščanje, senzorji …); po spremembi jih izračunajte zdaj.
indicators-saved = Vrednost kazalnika { $code } je shranjena.
indicators-imported = { $count ->
    [one] Uvožena je { $count } vrednost.
    [two] Uvoženi sta { $count } vrednosti.
    [few] Uvožene so { $count } vrednosti.
   *[other] Uvoženih je { $count } vrednosti.
}
indicators-computed = { $count ->
    [one] Izračunan je { $count } kazalnik.
    [two] Izračunana sta { $count } kazalnika.
    [few] Izračunani so { $count } kazalniki.
   *[other] Izračunanih je { $count } kazalnikov.
}
indicators-yes = da
indicators-no = ne
indicators-note-unknown = neznano
indicators-note-not-measured = ni merjeno
indicators-note-not-set = ni določeno
field-indicator-unknown = Takega kazalnika ni.
field-period-invalid = Vpišite leto (2026) ali mesec (2026-06).
field-csv-invalid = Datoteke ni mogoče prebrati kot CSV s stolpci code, period in value.
field-csv-empty = V datoteki ni vrednosti.
