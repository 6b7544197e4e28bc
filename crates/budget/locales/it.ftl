budget-title = Bilancio partecipativo
budget-intro = I residenti propongono progetti per il loro quartiere, il comune li verifica e i residenti votano su come spendere il denaro.
budget-no-cycles = Non è ancora stato pubblicato alcun bilancio partecipativo.
budget-demo = dati dimostrativi
budget-demo-note = Dati dimostrativi: i progetti e i voti sono inventati.
budget-phase = Fase
budget-phase-draft = In preparazione
budget-phase-submission = Proposte
budget-phase-review = Verifica
budget-phase-voting = Votazione
budget-phase-counting = Scrutinio
budget-phase-results = Risultati
budget-phase-now = Fase attuale: { $phase }.
budget-current = ora
budget-timeline = Calendario
budget-propose = Proponi un progetto
budget-vote = Vota
budget-you-voted = Hai votato
budget-results = Risultati
budget-n-ideas = { $n ->
    [one] { $n } idea di progetto
   *[other] { $n } idee di progetto
}
budget-areas = Quartieri e i loro bilanci
budget-area = Quartiere
budget-budget = Bilancio
budget-on-ballot = Progetti sulla scheda
budget-total = Totale
budget-how = Come funziona
budget-secret = Il tuo voto è segreto: il comune registra che hai votato, ma non insieme alla tua scheda.
budget-ballot-approval-rules = Scegli da { $min } a { $max } progetti.
budget-ballot-cumulative-rules = Distribuisci fino a { $total } punti tra i progetti, al massimo { $max } a un progetto.
budget-ballot-ranked-rules = Ordina fino a { $k } progetti, il preferito per primo.
budget-rule-greedy = I progetti sono finanziati in ordine di voti; quello che non rientra più nel bilancio del quartiere viene saltato e si considera il successivo.
budget-rule-greedy-noskip = I progetti sono finanziati in ordine di voti fino al primo che non rientra più nel bilancio del quartiere.
budget-rule-greedy-threshold = I progetti che raggiungono la soglia sono finanziati in ordine di voti; quello che non rientra più viene saltato.
budget-rule-mes = Il metodo delle quote uguali: il bilancio è diviso in parti uguali tra i votanti, e un progetto è finanziato quando i suoi sostenitori possono pagarlo con le loro quote, per primo quello che costa meno a ciascun sostenitore per euro.
budget-threshold-is = { $n ->
    [one] La soglia è di { $n } voto.
   *[other] La soglia è di { $n } voti (o punti).
}
budget-eligible-emso = Per votare serve un account con il tuo EMŠO (numero di identificazione personale) nel profilo, oppure l'eID nazionale.
budget-eligible-age = { $age ->
    [one] Devi avere almeno { $age } anno il giorno del voto.
   *[other] Devi avere almeno { $age } anni il giorno del voto.
}
budget-eligible-resident = Possono votare solo i residenti: l'indirizzo nel tuo profilo deve avere il codice postale { $postcodes }.
budget-projects = Progetti
budget-all-areas = Tutti i quartieri
budget-review = Verifica
budget-all-reviews = Tutti
budget-review-pending = In attesa di verifica
budget-review-feasible = Realizzabile, sulla scheda
budget-review-not_feasible = Non realizzabile
budget-search = Cerca
budget-filter = Mostra
budget-n-shown = { $n ->
    [one] { $n } progetto mostrato.
   *[other] { $n } progetti mostrati.
}
budget-project-no = Progetto { $n }
budget-cost = Costo
budget-estimate = Stima del proponente
budget-estimate-was = stimato in { $amount }
budget-cost-corrected = corretto dal comune
budget-location = Luogo
budget-review-reason = Motivazione del comune
budget-outcome = Esito
budget-description = Descrizione
budget-all-projects = Tutti i progetti di questo ciclo
budget-form-errors = Correggi quanto segue:
budget-idea-title = Titolo del progetto
budget-optional = facoltativo
budget-estimate-eur = Costo stimato in euro
budget-estimate-hint = Per esempio 12500 o 12.500,00.
budget-submit-idea = Invia la proposta
budget-thanks = Grazie per il tuo voto
budget-vote-counted = La tua scheda è stata registrata e sarà scrutinata.
budget-ballot = Scheda
budget-go-profile = Vai al tuo profilo
budget-choose-area = Scegli il tuo quartiere
budget-n-on-ballot = { $n ->
    [one] { $n } progetto
   *[other] { $n } progetti
}
budget-ballot-area = Quartiere: { $area }
budget-ballot-budget = bilancio { $budget }
budget-other-area = scegli un altro quartiere
budget-choose-projects = Progetti che sostieni
budget-details = dettagli
budget-give-points = I tuoi punti
budget-points-total = { $n ->
    [one] Hai { $n } punto da distribuire.
   *[other] Hai { $n } punti da distribuire.
}
budget-points-left-js = Punti rimasti: {"{"}left{"}"} di {"{"}total{"}"}.
budget-rank-projects = La tua classifica
budget-place = Posto { $n }
budget-no-choice = (nessuno)
budget-cast = Esprimi il mio voto
budget-counting = Scrutinio
budget-ties = In caso di parità decide prima il costo più basso, poi il maggior numero di voti, poi il numero di progetto più basso.
budget-score-means = Come sono ordinati i progetti:
budget-score-approval = il numero di votanti che hanno scelto il progetto
budget-score-cumulative = i punti dati al progetto
budget-score-ranked = su ogni scheda di k posti, k punti per il primo posto, k − 1 per il secondo e così via
budget-participation = Partecipazione
budget-participation-total = { $ballots } schede: { $online } online e { $paper } cartacee.
budget-imported = { $n } importate.
budget-turnout-total = Quota degli aventi diritto: { $share }.
budget-online = Online
budget-paper-short = Cartacee
budget-ballots = Schede
budget-eligible = Aventi diritto al voto
budget-turnout = Quota degli aventi diritto
budget-spent = Costo dei progetti finanziati
budget-spent-by-rule = secondo la regola di scrutinio: { $amount }
budget-remaining = Bilancio rimanente
budget-results-of = Risultati in { $area }
budget-rank = Posizione
budget-project = Progetto
budget-votes = Voti
budget-score = Punteggio
budget-override = Decisione del consiglio
budget-funded = Finanziato
budget-not-funded = Non finanziato
budget-why-funded = Finanziato come numero { $round } nell'ordine dello scrutinio.
budget-why-mes-funded = Finanziato al turno { $round }; ogni sostenitore ha pagato ρ = { $rho } per euro del progetto.
budget-why-did-not-fit = Non rientrava: al suo turno restavano { $left }.
budget-why-below-threshold = { $n ->
    [one] Sotto la soglia di { $n } voto.
   *[other] Sotto la soglia di { $n } voti.
}
budget-why-stopped = Lo scrutinio si è fermato a un progetto precedente che non rientrava.
budget-why-unaffordable = Le quote del bilancio dei suoi sostenitori non bastavano più a pagarlo.
budget-override-funded = La decisione è stata cambiata in finanziato da { $who } il { $when }: { $why }
budget-override-not-funded = La decisione è stata cambiata in non finanziato da { $who } il { $when }: { $why }
budget-export = Scarica la votazione in { $area } come file Pabulib
budget-n-votes = { $n ->
    [one] { $n } voto
   *[other] { $n } voti
}
budget-voted-again = Hai già votato
budget-second-ballot-refused = Una seconda scheda non è accettata: vale la tua prima scheda, che sarà scrutinata.
budget-ballot-too-many = Ne hai scelti { $n }, ma questa scheda ne consente al massimo { $max ->
    [one] { $max } progetto
   *[other] { $max } progetti
}. Togli qualche segno di spunta.
budget-ballot-too-few = Ne hai scelti { $n }, ma questa scheda ne richiede almeno { $min ->
    [one] { $min } progetto
   *[other] { $min } progetti
}.
error-no-emso = Per votare, aggiungi il tuo EMŠO al profilo (oppure accedi con l'eID nazionale).
error-too-young = Non hai ancora raggiunto il limite di età per questa votazione.
error-no-address = Possono votare solo i residenti: aggiungi il tuo indirizzo al profilo.
error-not-resident = Possono votare solo i residenti, e l'indirizzo nel tuo profilo non è nel comune.
error-already-voted = Hai già votato in questo bilancio partecipativo.
error-voting-closed = La votazione non è aperta.
error-wrong-phase = Non è possibile nella fase attuale.
error-results-not-published = I risultati non sono ancora pubblicati.
field-unknown-area = Scegli un quartiere di questo ciclo.
field-invalid-amount = Inserisci un importo in euro, per es. 12500 o 12.500,00.
field-ballot-empty = Scegli almeno un progetto.
field-ballot-too-few = Scegli più progetti: vedi le regole sopra.
field-ballot-too-many = Hai scelto troppi progetti: vedi le regole sopra.
field-ballot-unknown-project = Un progetto scelto non è su questa scheda.
field-ballot-repeated-project = Un progetto è scelto più di una volta.
field-ballot-points-negative = I punti non possono essere negativi.
field-ballot-points-per-project = Un progetto ha ricevuto più punti del consentito.
field-ballot-points-total = Hai dato più punti di quelli che hai.
field-ballot-no-points = Dai punti ai progetti che sostieni.
field-ballot-points-not-number = I punti devono essere numeri interi.
