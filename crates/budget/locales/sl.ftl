budget-title = Participativni proračun
budget-intro = Prebivalci predlagajo projekte za svojo četrtno skupnost, občina jih preveri, prebivalci pa z glasovanjem odločijo, za kaj bo denar porabljen.
budget-no-cycles = Participativni proračun še ni objavljen.
budget-demo = demo podatki
budget-demo-note = Demo podatki: projekti in glasovi so izmišljeni.
budget-staff = Participativni proračun (uprava)
budget-phase = Faza
budget-phase-draft = V pripravi
budget-phase-submission = Zbiranje predlogov
budget-phase-review = Preverjanje
budget-phase-voting = Glasovanje
budget-phase-counting = Štetje
budget-phase-results = Rezultati
budget-phase-now = Trenutna faza: { $phase }.
budget-current = zdaj
budget-timeline = Časovnica
budget-propose = Predlagaj projekt
budget-vote = Glasuj
budget-you-voted = Glasovali ste
budget-results = Rezultati
budget-n-ideas = { $n ->
    [one] { $n } predlog
    [two] { $n } predloga
    [few] { $n } predlogi
   *[other] { $n } predlogov
}
budget-areas = Četrtne skupnosti in njihova sredstva
budget-area = Četrtna skupnost
budget-budget = Sredstva
budget-on-ballot = Projekti na glasovnici
budget-total = Skupaj
budget-how = Kako poteka
budget-secret = Glasovanje je tajno: občina zabeleži, da ste glasovali, ne pa tudi, kako.
budget-ballot-approval-rules = Izberite od { $min } do { $max } projektov.
budget-ballot-cumulative-rules = Med projekte razdelite največ { $total } točk, enemu projektu največ { $max }.
budget-ballot-ranked-rules = Razvrstite največ { $k } projektov, najljubšega na prvo mesto.
budget-rule-greedy = Projekti se financirajo po vrsti glede na število glasov; projekt, ki ne gre več v sredstva četrtne skupnosti, se preskoči in pride na vrsto naslednji.
budget-rule-greedy-noskip = Projekti se financirajo po vrsti glede na število glasov do prvega, ki ne gre več v sredstva četrtne skupnosti.
budget-rule-greedy-threshold = Projekti, ki dosežejo prag, se financirajo po vrsti glede na število glasov; projekt, ki ne gre več v sredstva, se preskoči.
budget-rule-mes = Metoda enakih deležev: sredstva se enakomerno razdelijo med glasovalce, projekt pa se financira, ko ga njegovi podporniki lahko plačajo iz svojih deležev; prednost ima tisti, ki podpornika stane najmanj na evro.
budget-threshold-is = { $n ->
    [one] Prag je { $n } glas.
    [two] Prag sta { $n } glasova.
    [few] Prag so { $n } glasovi.
   *[other] Prag je { $n } glasov (ali točk).
}
budget-eligible-emso = Za glasovanje potrebujete račun z vašim EMŠO v profilu ali nacionalno e-identiteto.
budget-eligible-age = { $age ->
    [one] Na dan glasovanja morate imeti vsaj { $age } leto.
    [two] Na dan glasovanja morate imeti vsaj { $age } leti.
    [few] Na dan glasovanja morate imeti vsaj { $age } leta.
   *[other] Na dan glasovanja morate imeti vsaj { $age } let.
}
budget-eligible-resident = Glasujejo lahko le prebivalci: naslov v vašem profilu mora imeti poštno številko { $postcodes }.
budget-projects = Projekti
budget-all-areas = Vse četrtne skupnosti
budget-review = Preverjanje
budget-all-reviews = Vsi
budget-review-pending = Čaka na preverjanje
budget-review-feasible = Izvedljiv, na glasovnici
budget-review-not_feasible = Ni izvedljiv
budget-search = Iskanje
budget-filter = Prikaži
budget-n-shown = { $n ->
    [one] Prikazan je { $n } projekt.
    [two] Prikazana sta { $n } projekta.
    [few] Prikazani so { $n } projekti.
   *[other] Prikazanih je { $n } projektov.
}
budget-project-no = Projekt { $n }
budget-cost = Vrednost
budget-estimate = Ocena predlagatelja
budget-estimate-was = ocena predlagatelja { $amount }
budget-cost-corrected = popravila občina
budget-location = Lokacija
budget-review-reason = Obrazložitev občine
budget-outcome = Izid
budget-description = Opis
budget-all-projects = Vsi projekti tega cikla
budget-form-errors = Popravite naslednje:
budget-idea-title = Naslov projekta
budget-optional = neobvezno
budget-estimate-eur = Ocenjena vrednost v evrih
budget-estimate-hint = Na primer 12500 ali 12.500,00.
budget-submit-idea = Oddaj predlog
budget-thanks = Hvala za vaš glas
budget-vote-counted = Vaša glasovnica je zabeležena in bo šteta.
budget-ballot = Glasovnica
budget-paper = Papirnate glasovnice
budget-go-profile = Na vaš profil
budget-choose-area = Izberite svojo četrtno skupnost
budget-n-on-ballot = { $n ->
    [one] { $n } projekt
    [two] { $n } projekta
    [few] { $n } projekti
   *[other] { $n } projektov
}
budget-ballot-area = Četrtna skupnost: { $area }
budget-ballot-budget = sredstva { $budget }
budget-other-area = izberite drugo četrtno skupnost
budget-choose-projects = Projekti, ki jih podpirate
budget-details = podrobnosti
budget-give-points = Vaše točke
budget-points-total = { $n ->
    [one] Razdelite lahko { $n } točko.
    [two] Razdelite lahko { $n } točki.
    [few] Razdelite lahko { $n } točke.
   *[other] Razdelite lahko { $n } točk.
}
budget-points-left-js = Preostale točke: {"{"}left{"}"} od {"{"}total{"}"}.
budget-rank-projects = Vaša razvrstitev
budget-place = { $n }. mesto
budget-no-choice = (brez)
budget-paper-details = O teh glasovnicah
budget-copies = Število enako izpolnjenih glasovnic
budget-copies-hint = Enake papirnate glasovnice vnesite naenkrat.
budget-station = Volišče
budget-paper-emso = EMŠO glasovalca (neobvezno, ena glasovnica)
budget-paper-emso-hint = Zabeleži, da je glasovalec že glasoval, zato ne more glasovati še spletno.
budget-paper-enter = Vnesi glasovnice
budget-paper-entered = { $n ->
    [one] Vnesena je { $n } glasovnica.
    [two] Vneseni sta { $n } glasovnici.
    [few] Vnesene so { $n } glasovnice.
   *[other] Vnesenih je { $n } glasovnic.
}
budget-cast = Oddaj glas
budget-counting = Štetje
budget-preview = Predogled: rezultati še niso objavljeni.
budget-ties = Pri enakem izidu ima prednost cenejši projekt, nato projekt z več glasovi, nato projekt z nižjo številko.
budget-score-means = Projekti so razvrščeni po:
budget-score-approval = številu glasovalcev, ki so projekt izbrali
budget-score-cumulative = točkah, ki jih je projekt dobil
budget-score-ranked = točkah: na glasovnici s k mesti dobi prvo mesto k točk, drugo k − 1 in tako naprej
budget-participation = Udeležba
budget-participation-total = Glasovnic: { $ballots }, od tega { $online } spletnih in { $paper } papirnatih.
budget-imported = Uvoženih: { $n }.
budget-turnout-total = Delež upravičencev: { $share }.
budget-online = Spletno
budget-paper-short = Papirnato
budget-ballots = Glasovnice
budget-eligible = Upravičenci
budget-turnout = Delež upravičencev
budget-spent = Vrednost financiranih projektov
budget-spent-by-rule = po pravilu štetja: { $amount }
budget-remaining = Preostala sredstva
budget-results-of = Rezultati: { $area }
budget-rank = Mesto
budget-project = Projekt
budget-votes = Glasovi
budget-score = Ocena
budget-override = Odločitev sveta
budget-funded = Financiran
budget-not-funded = Ni financiran
budget-why-funded = Financiran kot { $round }. po vrstnem redu štetja.
budget-why-mes-funded = Financiran v { $round }. krogu; vsak podpornik je plačal ρ = { $rho } na evro projekta.
budget-why-did-not-fit = Ni šel v sredstva: ko je prišel na vrsto, je ostalo { $left }.
budget-why-below-threshold = Pod pragom { $n } glasov.
budget-why-stopped = Štetje se je ustavilo pri prejšnjem projektu, ki ni šel v sredstva.
budget-why-unaffordable = Deleži njegovih podpornikov ga niso mogli več plačati.
budget-override-funded = Odločitev je spremenil v »financiran« { $who } dne { $when }: { $why }
budget-override-not-funded = Odločitev je spremenil v »ni financiran« { $who } dne { $when }: { $why }
budget-decided-by = Odločil (organ, seja)
budget-override-reason = Obrazložitev
budget-override-to-funded = Zabeleži: financiran
budget-override-to-not-funded = Zabeleži: ni financiran
budget-export = Prenesi glasovanje v skupnosti { $area } kot datoteko Pabulib
budget-new-cycle = Nov cikel
budget-create-cycle = Ustvari cikel
budget-year = Leto
budget-cycle-title = Naslov
budget-date-submission_from = Predlogi od
budget-date-submission_to = Predlogi do
budget-date-review_to = Preverjanje do
budget-date-voting_from = Glasovanje od
budget-date-voting_to = Glasovanje do
budget-date-results_on = Rezultati dne
budget-kind = Vrsta glasovnice
budget-kind-approval = Izbira (obkljukajte projekte)
budget-kind-cumulative = Točke (razdelite točke)
budget-kind-ranked = Razvrstitev (uredite projekte)
budget-min-projects = Izbira: vsaj toliko projektov
budget-max-projects = Izbira: največ toliko projektov; razvrstitev: mest
budget-total-points = Točke: toliko točk za razdelitev
budget-max-points = Točke: največ točk enemu projektu
budget-counting-rule = Štetje
budget-rule = Pravilo štetja
budget-threshold = Prag (požrešno s pragom: najmanj glasov ali točk)
budget-who-votes = Kdo glasuje
budget-min-age = Najnižja starost (0: brez)
budget-postcodes = Poštne številke prebivalcev
budget-postcodes-hint = Štirimestne poštne številke, ločene z vejicami; prazno: brez preverjanja prebivališča.
budget-public-page = Javna stran
budget-review-ideas = Preverjanje predlogov
budget-n-pending = čaka: { $n }
budget-advance-to-submission = Odpri zbiranje predlogov
budget-advance-to-review = Zaključi zbiranje in začni preverjanje
budget-advance-to-voting = Odpri glasovanje
budget-advance-to-counting = Zaključi glasovanje
budget-advance-to-results = Objavi rezultate
budget-area-name = Ime četrtne skupnosti
budget-budget-eur = Sredstva v evrih
budget-save = Shrani
budget-add-area = Dodaj četrtno skupnost
budget-settings = Nastavitve
budget-import = Uvozi datoteko Pabulib
budget-import-hint = Ustvari četrtno skupnost s sredstvi, projekti in glasovnicami iz datoteke (zgodovinski podatki). Vrsta glasovanja se mora ujemati z glasovnico tega cikla.
budget-import-file = Vsebina datoteke .pb
budget-no-ideas = Predlogov še ni.
budget-decision = Odločitev
budget-staff-cost = Vrednost v evrih (po potrebi popravite oceno)
budget-review-reason-hint = Objavljeno javno. Obvezno, če projekt ni izvedljiv ali je vrednost popravljena.
budget-save-review = Shrani preverjanje
budget-n-votes = { $n ->
    [one] { $n } glas
    [two] { $n } glasova
    [few] { $n } glasovi
   *[other] { $n } glasov
}
error-no-emso = Za glasovanje v profil vpišite svoj EMŠO (ali se prijavite z nacionalno e-identiteto).
error-too-young = Starostne meje za to glasovanje še niste dosegli.
error-no-address = Glasujejo lahko le prebivalci: v profil vpišite svoj naslov.
error-not-resident = Glasujejo lahko le prebivalci, naslov v vašem profilu pa ni v občini.
error-already-voted = V tem participativnem proračunu ste že glasovali.
error-voting-closed = Glasovanje ni odprto.
error-wrong-phase = V tej fazi to ni mogoče.
error-results-not-published = Rezultati še niso objavljeni.
error-ballot-fixed = Ko se glasovanje začne, se glasovnica ne more več spremeniti.
error-results-published = Ko so rezultati objavljeni, se pravilo štetja ne more več spremeniti.
error-last-phase = Rezultati so že objavljeni.
error-no-areas = Najprej dodajte vsaj eno četrtno skupnost.
error-phase-changed = Faza se je medtem spremenila; znova naložite stran.
error-busy = Poskusite znova.
field-unknown-area = Izberite četrtno skupnost tega cikla.
field-invalid-amount = Vpišite znesek v evrih, npr. 12500 ali 12.500,00.
field-not-a-number = Vpišite celo število.
field-invalid-characters = Vsebuje nedovoljene znake.
field-name-taken = To ime je v tem ciklu že uporabljeno.
field-year-taken = Za to leto cikel že obstaja.
field-reason-required = Navedite obrazložitev: objavljena bo javno.
field-min-above-max = Najmanjša vrednost je večja od največje.
field-invalid-date = Vpišite datum v obliki LLLL-MM-DD.
field-before-start = Konec je pred začetkom.
field-invalid-postcodes = Vpišite štirimestne poštne številke, ločene z vejicami.
field-one-with-emso = Z EMŠO vnesite eno glasovnico naenkrat.
field-pb-unreadable = To ni berljiva datoteka Pabulib.
field-vote-type-mismatch = Vrsta glasovanja v datoteki se ne ujema z glasovnico tega cikla.
field-budget-not-cents = Sredstva niso celo število centov.
field-cost-not-cents = Vrednost projekta ni celo število centov.
field-points-not-whole = Točke morajo biti cela števila.
field-no-projects = Datoteka nima projektov.
field-ballot-empty = Izberite vsaj en projekt.
field-ballot-too-few = Izberite več projektov: glejte pravila zgoraj.
field-ballot-too-many = Izbrali ste preveč projektov: glejte pravila zgoraj.
field-ballot-unknown-project = Izbrani projekt ni na tej glasovnici.
field-ballot-repeated-project = Projekt je izbran večkrat.
field-ballot-points-negative = Točke ne morejo biti negativne.
field-ballot-points-per-project = Projekt je dobil več točk, kot je dovoljeno.
field-ballot-points-total = Razdelili ste več točk, kot jih imate.
field-ballot-no-points = Projektom, ki jih podpirate, dodelite točke.
field-ballot-points-not-number = Točke morajo biti cela števila.
budget-voted-again = Že ste glasovali
budget-second-ballot-refused = Druge glasovnice ne sprejmemo: velja vaša prva glasovnica, ki bo prešteta.
budget-ballot-too-many = Izbrali ste { $n }, glasovnica pa dovoljuje največ { $max ->
    [one] { $max } projekt
    [two] { $max } projekta
    [few] { $max } projekte
   *[other] { $max } projektov
}. Odznačite nekatere.
budget-ballot-too-few = Izbrali ste { $n }, glasovnica pa zahteva vsaj { $min ->
    [one] { $min } projekt
    [two] { $min } projekta
    [few] { $min } projekte
   *[other] { $min } projektov
}.
