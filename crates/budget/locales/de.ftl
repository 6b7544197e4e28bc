budget-title = Bürgerhaushalt
budget-intro = Die Einwohner schlagen Projekte für ihren Stadtteil vor, die Gemeinde prüft sie, und die Einwohner stimmen darüber ab, wofür das Geld ausgegeben wird.
budget-no-cycles = Es wurde noch kein Bürgerhaushalt veröffentlicht.
budget-demo = Demodaten
budget-demo-note = Demodaten: Die Projekte und Stimmen sind erfunden.
budget-phase = Phase
budget-phase-draft = In Vorbereitung
budget-phase-submission = Vorschläge
budget-phase-review = Prüfung
budget-phase-voting = Abstimmung
budget-phase-counting = Auszählung
budget-phase-results = Ergebnisse
budget-phase-now = Aktuelle Phase: { $phase }.
budget-current = jetzt
budget-timeline = Zeitplan
budget-propose = Ein Projekt vorschlagen
budget-vote = Abstimmen
budget-you-voted = Sie haben abgestimmt
budget-results = Ergebnisse
budget-n-ideas = { $n ->
    [one] { $n } Projektidee
   *[other] { $n } Projektideen
}
budget-areas = Stadtteile und ihre Budgets
budget-area = Stadtteil
budget-budget = Budget
budget-on-ballot = Projekte auf dem Stimmzettel
budget-total = Insgesamt
budget-how = So funktioniert es
budget-secret = Ihre Stimme ist geheim: Die Gemeinde vermerkt, dass Sie abgestimmt haben, aber nicht mit Ihrem Stimmzettel.
budget-ballot-approval-rules = Wählen Sie { $min } bis { $max } Projekte.
budget-ballot-cumulative-rules = Verteilen Sie bis zu { $total } Punkte auf die Projekte, höchstens { $max } auf ein Projekt.
budget-ballot-ranked-rules = Ordnen Sie bis zu { $k } Projekte, das liebste zuerst.
budget-rule-greedy = Die Projekte werden in der Reihenfolge ihrer Stimmen finanziert; eines, das nicht mehr in das Budget des Stadtteils passt, wird übersprungen und das nächste geprüft.
budget-rule-greedy-noskip = Die Projekte werden in der Reihenfolge ihrer Stimmen finanziert, bis zum ersten, das nicht mehr in das Budget des Stadtteils passt.
budget-rule-greedy-threshold = Projekte, die die Schwelle erreichen, werden in der Reihenfolge ihrer Stimmen finanziert; eines, das nicht mehr passt, wird übersprungen.
budget-rule-mes = Die Methode der gleichen Anteile: Das Budget wird gleichmäßig auf die Abstimmenden verteilt, und ein Projekt wird finanziert, wenn seine Unterstützer es aus ihren Anteilen bezahlen können, zuerst das, das jeden Unterstützer pro Euro am wenigsten kostet.
budget-threshold-is = { $n ->
    [one] Die Schwelle liegt bei { $n } Stimme.
   *[other] Die Schwelle liegt bei { $n } Stimmen (oder Punkten).
}
budget-eligible-emso = Zum Abstimmen brauchen Sie ein Konto mit Ihrer EMŠO (persönliche Identifikationsnummer) im Profil oder die nationale eID.
budget-eligible-age = { $age ->
    [one] Sie müssen am Tag der Abstimmung mindestens { $age } Jahr alt sein.
   *[other] Sie müssen am Tag der Abstimmung mindestens { $age } Jahre alt sein.
}
budget-eligible-resident = Nur Einwohner dürfen abstimmen: Die Adresse in Ihrem Profil muss die Postleitzahl { $postcodes } haben.
budget-projects = Projekte
budget-all-areas = Alle Stadtteile
budget-review = Prüfung
budget-all-reviews = Alle
budget-review-pending = Wartet auf Prüfung
budget-review-feasible = Umsetzbar, auf dem Stimmzettel
budget-review-not_feasible = Nicht umsetzbar
budget-search = Suchen
budget-filter = Anzeigen
budget-n-shown = { $n ->
    [one] { $n } Projekt angezeigt.
   *[other] { $n } Projekte angezeigt.
}
budget-project-no = Projekt { $n }
budget-cost = Kosten
budget-estimate = Schätzung des Vorschlagenden
budget-estimate-was = geschätzt auf { $amount }
budget-cost-corrected = von der Gemeinde korrigiert
budget-location = Ort
budget-review-reason = Begründung der Gemeinde
budget-outcome = Ergebnis
budget-description = Beschreibung
budget-all-projects = Alle Projekte dieses Zyklus
budget-form-errors = Bitte korrigieren Sie Folgendes:
budget-idea-title = Titel des Projekts
budget-optional = freiwillig
budget-estimate-eur = Geschätzte Kosten in Euro
budget-estimate-hint = Zum Beispiel 12500 oder 12.500,00.
budget-submit-idea = Vorschlag einreichen
budget-thanks = Danke für Ihre Stimme
budget-vote-counted = Ihr Stimmzettel ist erfasst und wird ausgezählt.
budget-ballot = Stimmzettel
budget-go-profile = Zu Ihrem Profil
budget-choose-area = Wählen Sie Ihren Stadtteil
budget-n-on-ballot = { $n ->
    [one] { $n } Projekt
   *[other] { $n } Projekte
}
budget-ballot-area = Stadtteil: { $area }
budget-ballot-budget = Budget { $budget }
budget-other-area = anderen Stadtteil wählen
budget-choose-projects = Projekte, die Sie unterstützen
budget-details = Einzelheiten
budget-give-points = Ihre Punkte
budget-points-total = { $n ->
    [one] Sie haben { $n } Punkt zu verteilen.
   *[other] Sie haben { $n } Punkte zu verteilen.
}
budget-points-left-js = Verbleibende Punkte: {"{"}left{"}"} von {"{"}total{"}"}.
budget-rank-projects = Ihre Reihenfolge
budget-place = Platz { $n }
budget-no-choice = (keines)
budget-cast = Meine Stimme abgeben
budget-counting = Auszählung
budget-ties = Bei Gleichstand entscheiden zuerst die niedrigeren Kosten, dann mehr Stimmen, dann die niedrigere Projektnummer.
budget-score-means = Wonach die Projekte gereiht werden:
budget-score-approval = die Zahl der Abstimmenden, die das Projekt gewählt haben
budget-score-cumulative = die Punkte, die das Projekt erhalten hat
budget-score-ranked = auf jedem Stimmzettel mit k Plätzen k Punkte für den ersten Platz, k − 1 für den zweiten und so weiter
budget-participation = Beteiligung
budget-participation-total = { $ballots } Stimmzettel: { $online } online und { $paper } auf Papier.
budget-imported = { $n } importiert.
budget-turnout-total = Anteil der Stimmberechtigten: { $share }.
budget-online = Online
budget-paper-short = Papier
budget-ballots = Stimmzettel
budget-eligible = Stimmberechtigte
budget-turnout = Anteil der Stimmberechtigten
budget-spent = Kosten der finanzierten Projekte
budget-spent-by-rule = nach der Zählregel: { $amount }
budget-remaining = Verbleibendes Budget
budget-results-of = Ergebnisse in { $area }
budget-rank = Rang
budget-project = Projekt
budget-votes = Stimmen
budget-score = Wertung
budget-override = Beschluss des Gemeinderats
budget-funded = Finanziert
budget-not-funded = Nicht finanziert
budget-why-funded = Finanziert als Nummer { $round } in der Reihenfolge der Auszählung.
budget-why-mes-funded = Finanziert in Runde { $round }; jeder Unterstützer zahlte ρ = { $rho } pro Euro des Projekts.
budget-why-did-not-fit = Es passte nicht: Als es an der Reihe war, waren noch { $left } übrig.
budget-why-below-threshold = { $n ->
    [one] Unter der Schwelle von { $n } Stimme.
   *[other] Unter der Schwelle von { $n } Stimmen.
}
budget-why-stopped = Die Auszählung endete bei einem früheren Projekt, das nicht passte.
budget-why-unaffordable = Die Anteile seiner Unterstützer am Budget reichten nicht mehr aus.
budget-override-funded = Die Entscheidung wurde von { $who } am { $when } auf finanziert geändert: { $why }
budget-override-not-funded = Die Entscheidung wurde von { $who } am { $when } auf nicht finanziert geändert: { $why }
budget-export = Die Abstimmung in { $area } als Pabulib-Datei herunterladen
budget-n-votes = { $n ->
    [one] { $n } Stimme
   *[other] { $n } Stimmen
}
budget-voted-again = Sie haben bereits abgestimmt
budget-second-ballot-refused = Ein zweiter Stimmzettel wird nicht angenommen: Ihr erster Stimmzettel gilt und wird ausgezählt.
budget-ballot-too-many = Sie haben { $n } gewählt, dieser Stimmzettel erlaubt aber höchstens { $max ->
    [one] { $max } Projekt
   *[other] { $max } Projekte
}. Entfernen Sie einige Häkchen.
budget-ballot-too-few = Sie haben { $n } gewählt, dieser Stimmzettel verlangt aber mindestens { $min ->
    [one] { $min } Projekt
   *[other] { $min } Projekte
}.
error-no-emso = Um abzustimmen, tragen Sie Ihre EMŠO in Ihr Profil ein (oder melden Sie sich mit der nationalen eID an).
error-too-young = Sie haben die Altersgrenze für diese Abstimmung noch nicht erreicht.
error-no-address = Nur Einwohner dürfen abstimmen: Tragen Sie Ihre Adresse in Ihr Profil ein.
error-not-resident = Nur Einwohner dürfen abstimmen, und die Adresse in Ihrem Profil liegt nicht in der Gemeinde.
error-already-voted = Sie haben in diesem Bürgerhaushalt bereits abgestimmt.
error-voting-closed = Die Abstimmung ist nicht geöffnet.
error-wrong-phase = Das ist in der aktuellen Phase nicht möglich.
error-results-not-published = Die Ergebnisse sind noch nicht veröffentlicht.
field-unknown-area = Wählen Sie einen Stadtteil dieses Zyklus.
field-invalid-amount = Geben Sie einen Betrag in Euro ein, z. B. 12500 oder 12.500,00.
field-ballot-empty = Wählen Sie mindestens ein Projekt.
field-ballot-too-few = Wählen Sie mehr Projekte: siehe die Regeln oben.
field-ballot-too-many = Sie haben zu viele Projekte gewählt: siehe die Regeln oben.
field-ballot-unknown-project = Ein gewähltes Projekt steht nicht auf diesem Stimmzettel.
field-ballot-repeated-project = Ein Projekt ist mehr als einmal gewählt.
field-ballot-points-negative = Punkte können nicht negativ sein.
field-ballot-points-per-project = Ein Projekt hat mehr Punkte erhalten als erlaubt.
field-ballot-points-total = Sie haben mehr Punkte vergeben, als Sie haben.
field-ballot-no-points = Geben Sie den Projekten, die Sie unterstützen, Punkte.
field-ballot-points-not-number = Punkte müssen ganze Zahlen sein.
