notify-settings = Nastavitve obvestil
notify-inbox = Sporočila
notify-saved = Nastavitve so shranjene.
notify-form-errors = Popravite naslednje:
notify-topics = Teme in kanali
notify-topic = Tema
notify-topic-road_works = Dela na cestah
notify-topic-traffic = Promet
notify-topic-utilities = Komunala (voda, ogrevanje, elektrika)
notify-topic-disasters = Nesreče in krizna opozorila
notify-topic-events = Dogodki
notify-topic-my_reports = Moje prijave okvar
notify-topic-my_bookings = Moje rezervacije
notify-topic-my_proposals = Moji predlogi in vprašanja
notify-topic-alarms = Alarmi senzorjev mojega oddelka
notify-channel = Kanal
notify-channel-app = V aplikaciji
notify-channel-email = E-pošta
notify-channel-sms = SMS
notify-channel-push = Obvestilo brskalnika
notify-push-hint = Obvestila brskalnika potrebujejo vaše dovoljenje v tem brskalniku; SMS potrebuje telefonsko številko.
notify-push-enable = Dovoli obvestila v tem brskalniku
notify-push-on = Obvestila so v tem brskalniku dovoljena.
notify-push-denied = Ta brskalnik zavrača obvestila s te strani.
notify-quiet = Tihe ure
notify-quiet-hint = V teh urah e-pošta, SMS in obvestila brskalnika počakajo do konca; krizna opozorila pridejo takoj.
notify-quiet-from = Od
notify-quiet-to = Do
notify-phone = Mobilni telefon za SMS
notify-phone-hint = Na primer 041 123 456 ali +386 41 123 456.
notify-area = Moje območje
notify-area-hint = Prejmete le obvestila za kraje blizu te točke. Pustite prazno za vso občino.
notify-lat = Zemljepisna širina
notify-lon = Zemljepisna dolžina
notify-radius-km = Polmer (km)
notify-use-my-position = Uporabi moj trenutni položaj
notify-location = Opozorila tam, kjer sem
notify-location-hint = Če se strinjate, aplikacija hrani zadnji položaj, ki ga deli, samo zato, da vas opozori, ko krizno opozorilo zajame ta kraj. Privolitev lahko kadar koli prekličete; položaj se takrat izbriše.
notify-location-consent = Strinjam se, da se moj zadnji deljeni položaj hrani za krizna opozorila
notify-save = Shrani nastavitve
notify-unread = { $n ->
    [one] { $n } neprebrano sporočilo
    [two] { $n } neprebrani sporočili
    [few] { $n } neprebrana sporočila
   *[other] { $n } neprebranih sporočil
}
notify-inbox-empty = Še ni sporočil.
notify-new = novo
notify-urgent = nujno
notify-read-more = Več
notify-mark-read = Označi kot prebrano
notify-choose = Izberite, katera obvestila prejemate
notify-warning-prefix = OPOZORILO za kraj, kjer ste:
notify-staff = Obvestila
notify-compose = Novo obvestilo
notify-urgent-label = Nujno (ne upošteva tihih ur)
notify-lang-sl = Slovenščina (obvezno)
notify-lang-en = Angleščina
notify-lang-de = Nemščina
notify-lang-it = Italijanščina
notify-title = Naslov
notify-body = Besedilo
notify-url = Povezava na stran portala
notify-url-hint = Neobvezno, npr. /events/123.
notify-notice-area = Območje
notify-notice-area-hint = Neobvezno: krog; obvestilo prejmejo le naročniki, katerih območje se ga dotika.
notify-send = Pošlji obvestilo
notify-sent-notices = Poslana obvestila in opozorila
notify-none-yet = Še ni obvestil.
notify-when = Poslano
notify-recipients = Prejemniki
notify-recipients-n = { $n ->
    [one] Poslano { $n } osebi.
    [two] Poslano { $n } osebama.
   *[other] Poslano { $n } osebam.
}
notify-status-sent = Predano kanalu
notify-status-pending = Čaka
notify-status-failed = Neuspešno
notify-delivery = Dostava po kanalih
notify-errors = Zadnje napake pri dostavi
notify-attempts = { $n ->
    [one] { $n } poskus
    [two] { $n } poskusa
    [few] { $n } poskusi
   *[other] { $n } poskusov
}
notify-mail-footer = To sporočilo prejemate zaradi svojih nastavitev obvestil. Spremenite jih na
notify-mail-footer-visitor = To sporočilo prejemate, ker ste občini pustili ta naslov.
notify-report-title = Vaša prijava: { $status }
notify-report-body = Stanje vaše prijave { $report } je zdaj: { $status }.
notify-report-received = prejeta
notify-report-in-progress = v delu
notify-report-fixed = odpravljena
notify-report-closed = zaključena
notify-report-rejected = zavrnjena
notify-report-duplicate = združena z drugo prijavo
notify-report-investigating = v preverjanju
notify-report-action-scheduled = ukrep je načrtovan
notify-report-internal-referral = posredovana pristojni službi
notify-report-not-responsible = ni v pristojnosti občine
notify-report-reason = Razlog
notify-alarm-title = Alarm: { $rule } ({ $device })
notify-alarm-severity = Resnost
field-invalid-time = Vnesite čas v obliki HH:MM ter različna začetek in konec.
field-both-or-neither = Vnesite začetek in konec tihih ur ali nobenega.
field-invalid-phone = Vnesite mobilno številko, npr. 041 123 456.
field-phone-needed-for-sms = Za prejemanje SMS vnesite mobilno številko.
field-invalid-area = Vnesite zemljepisno širino, dolžino in polmer do 100 km.
field-area-circle = Vnesite zemljepisno širino, dolžino in polmer do 100 km.
field-area-polygon = Območje potrebuje vsaj tri točke z veljavnimi koordinatami.
field-local-path = Povezava mora kazati na stran tega portala in se začeti z /.
field-personal-topic = Na to temo ni mogoče pošiljati obvestil.
field-out-of-range = Položaj je zunaj dovoljenega obsega.
field-invalid-url = To ni veljaven naslov storitve za obvestila.
field-invalid-key = To ni veljaven ključ.
error-no-location-consent = Najprej se strinjajte, da se vaš položaj hrani za krizna opozorila.
