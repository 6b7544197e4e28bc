label-email = E-poštni naslov
label-password = Geslo
label-new_password = Novo geslo
hint-password = Vsaj 10 znakov. Uporabite lahko stavek iz več besed; pogosta in lahko uganljiva gesla niso dovoljena.
hint-new_password = Vsaj 10 znakov. Uporabite lahko stavek iz več besed; pogosta in lahko uganljiva gesla niso dovoljena.
label-code = Koda iz aplikacije ali obnovitvena koda
hint-code = Šestmestna koda iz aplikacije za preverjanje (npr. FreeOTP, Google Authenticator) ali ena od obnovitvenih kod.
label-name = Ime in priimek
label-address = Naslov stalnega prebivališča
label-phone = Telefon
hint-phone = Npr. +386 41 123 456
label-tax_number = Davčna številka
hint-tax_number = 8 števk, npr. 12345679
label-emso = EMŠO
hint-emso = 13 števk z osebne izkaznice
label-department = Oddelek
label-legal_entity_tax_number = Davčna številka pravne osebe
field-required = To polje je obvezno.
field-email-invalid = Vpišite veljaven e-poštni naslov, npr. ana.novak@primer.si.
field-email-taken = Ta e-poštni naslov že uporablja drug račun.
field-emso-format = EMŠO ima natanko 13 števk.
field-emso-date = Prvih sedem števk EMŠO mora biti veljaven datum rojstva (DDMMLLL).
field-emso-checksum = Kontrolna števka EMŠO se ne ujema. Preverite, ali ste številko pravilno prepisali.
field-emso-taken = Ta EMŠO je že vpisan v drugem računu. Obrnite se na občino.
field-tax-format = Davčna številka ima 8 števk in se ne začne z 0.
field-tax-checksum = Kontrolna števka davčne številke se ne ujema. Preverite, ali ste številko pravilno prepisali.
field-phone-format = Vpišite telefonsko številko s 6 do 15 števkami, po želji z + na začetku.
field-too-long = Vnos je predolg.
field-password-too-short = Geslo mora imeti vsaj 10 znakov.
field-password-too-long = Geslo je predolgo (največ 128 znakov).
field-password-weak = To geslo je preveč pogosto ali lahko uganljivo. Izberite daljše, npr. stavek iz več besed.
field-password-reused = Novo geslo mora biti drugačno od sedanjega.
field-password-wrong = Geslo ni pravilno.
field-code-invalid = Koda ni pravilna ali je potekla. Vpišite novo kodo iz aplikacije.
field-scope-unknown = Izberite vsaj en veljaven obseg.
field-role-unknown = Neznana vloga.
error-invalid-credentials = E-poštni naslov ali geslo ni pravilno.
error-email-not-confirmed = E-poštni naslov še ni potrjen. Kliknite povezavo, ki smo vam jo poslali po e-pošti.
error-token-invalid = Povezava ni veljavna, je že bila uporabljena ali je potekla.
error-sign-in-expired = Prijava je potekla. Prijavite se znova.
error-reauth-required = Za to dejanje znova vpišite geslo.
error-second-factor-mandatory = Zaposleni in skrbniki morajo imeti dvofaktorsko preverjanje vedno vklopljeno.
error-second-factor-needed = Vpišite še kodo za dvofaktorsko preverjanje.
error-last-admin = Zadnjemu skrbniku vloge ni mogoče odvzeti in njegovega računa ni mogoče izbrisati.
error-totp-not-started = Nastavitev dvofaktorskega preverjanja ni bila začeta.
error-session-required = To dejanje je mogoče le v prijavljeni seji brskalnika.
error-json-expected = Zahteva mora biti v obliki JSON.
error-json-invalid = Podatki JSON nimajo pričakovane oblike.
error-json-malformed = Zahteva ni veljaven JSON.
register-title = Registracija
register-intro = Z računom lahko oddajate vloge, prijave in rezervacije ter spremljate njihovo stanje na enem mestu.
register-submit = Ustvari račun
register-have-account = Že imate račun?
register-done-title = Preverite e-pošto
register-done-body = Če je naslov pravilen, smo vam poslali povezavo za potrditev. Kliknite jo, nato se prijavite.
confirm-done-title = E-poštni naslov je potrjen
confirm-done-body = Hvala. Zdaj se lahko prijavite.
confirm-failed-title = Potrditev ni uspela
confirm-failed-body = Povezava ni veljavna, je že bila uporabljena ali je potekla. Registrirajte se znova ali se obrnite na občino.
login-title = Prijava
login-submit = Prijava
login-no-account = Še nimate računa?
login-2fa-title = Dvofaktorsko preverjanje
login-2fa-intro = Vpišite kodo iz aplikacije za preverjanje ali eno od obnovitvenih kod.
account-title = Moj profil
account-profile = Osebni podatki
account-profile-intro = Podatki so shranjeni šifrirano. Uporabljamo jih le za storitve, ki jih izberete.
account-save = Shrani
account-saved = Spremembe so shranjene.
account-security = Prijava in varnost
account-change-email = Spremeni e-poštni naslov
account-change-password = Spremeni geslo
account-2fa = Dvofaktorsko preverjanje
account-2fa-on = Vklopljeno
account-2fa-off = Izklopljeno
account-sessions = Prijavljene seje
account-data = Moji podatki
account-delete = Izbriši račun
reauth-title = Potrdite, da ste to vi
reauth-intro = Pred spremembo prijavnih podatkov znova vpišite geslo.
reauth-submit = Potrdi
password-changed = Geslo je spremenjeno. Ostale seje so bile odjavljene.
totp-intro = Odprite aplikacijo za preverjanje na telefonu in skenirajte kodo QR ali vpišite ključ ročno. Nato vpišite šestmestno kodo, ki jo prikaže aplikacija.
totp-qr-caption = Koda QR za aplikacijo za preverjanje
totp-manual = Ključ za ročni vnos:
totp-enable = Vklopi
totp-disable = Izklopi dvofaktorsko preverjanje
totp-enabled-now = Dvofaktorsko preverjanje je vklopljeno.
totp-recovery-title = Obnovitvene kode
totp-recovery-intro = Kode shranite na varno. Vsaka deluje enkrat, če nimate telefona pri roki. Prikazane so samo zdaj.
totp-codes-left = { $n ->
    [one] Ostaja še { $n } neuporabljena obnovitvena koda.
    [two] Ostajata še { $n } neuporabljeni obnovitveni kodi.
    [few] Ostajajo še { $n } neuporabljene obnovitvene kode.
   *[other] Ostaja še { $n } neuporabljenih obnovitvenih kod.
}
sessions-count = { $n ->
    [one] Prijavljeni ste v { $n } seji.
    [two] Prijavljeni ste v { $n } sejah.
    [few] Prijavljeni ste v { $n } sejah.
   *[other] Prijavljeni ste v { $n } sejah.
}
sessions-device = Naprava
sessions-created = Prijava
sessions-last-seen = Zadnja dejavnost
sessions-action = Dejanje
sessions-this = ta seja
sessions-end = Odjavi
data-intro = To so vsi podatki, ki jih platforma hrani o vas. Prenesete jih lahko kot datoteko JSON.
data-download = Prenesi kot JSON
delete-erased = Izbrisali bomo vaš račun, osebne podatke (ime, naslov, telefon, davčno številko, EMŠO, e-poštni naslov), seje, dvofaktorsko preverjanje in obnovitvene kode.
delete-kept-title = Kaj ostane in zakaj
delete-kept-body = Revizijska sled varnostnih dogodkov (prijave, spremembe podatkov) ostane, ker jo zahteva zakon o varstvu osebnih podatkov (ZVOP-2, sledljivost obdelave) za dokazovanje zakonitosti obdelave. V njej ni vašega imena ali e-pošte, le naključni identifikator računa, ki po izbrisu ni več povezan z vami (psevdonimizacija).
delete-submit = Dokončno izbriši račun
delete-done-title = Račun je izbrisan
delete-done-body = Vaši osebni podatki so izbrisani. Hvala, da ste uporabljali portal.
staff-department = Oddelek: { $department }
staff-users = Uporabniki in vloge
staff-tokens = Žetoni API
staff-audit = Revizijska sled
staff-roles = Vloge
staff-change-role = Spremeni vlogo
staff-grant = Dodeli
staff-revoke = Odvzemi
role-citizen = Občan
role-representative = Zastopnik pravne osebe
role-staff = Zaposleni
role-dto = Pooblaščenec za digitalno preobrazbo
role-admin = Skrbnik
tokens-new = Nov žeton
tokens-scopes = Obseg
tokens-create = Ustvari žeton
tokens-revoke = Prekliči
tokens-revoked = Preklican
tokens-shown-once = Žeton je prikazan samo zdaj; shranite ga:
audit-intact = { $n ->
    [one] Veriga je nedotaknjena: { $n } zapis.
    [two] Veriga je nedotaknjena: { $n } zapisa.
    [few] Veriga je nedotaknjena: { $n } zapisi.
   *[other] Veriga je nedotaknjena: { $n } zapisov.
}
audit-broken = Veriga je prekinjena
audit-when = Čas
audit-actor = Kdo
audit-action = Dejanje
audit-subject = Predmet
audit-outcome = Izid
mail-confirm-subject = Potrdite e-poštni naslov – { $municipality }
mail-confirm-body = Pozdravljeni,

    za dokončanje registracije na portalu { $municipality } odprite to povezavo (velja 48 ur):

    { $link }

    Če se niste registrirali vi, to sporočilo prezrite.
mail-already-registered-subject = Poskus registracije – { $municipality }
mail-already-registered-body = Pozdravljeni,

    nekdo je poskusil ustvariti račun s tem e-poštnim naslovom, vendar račun že imate. Prijavite se tukaj: { $link }

    Če to niste bili vi, vam ni treba storiti ničesar.
mail-password-changed-subject = Geslo je bilo spremenjeno – { $municipality }
mail-password-changed-body = Geslo vašega računa je bilo pravkar spremenjeno. Če tega niste storili vi, se takoj obrnite na občino.
mail-email-changed-subject = E-poštni naslov je bil spremenjen – { $municipality }
mail-email-changed-body = E-poštni naslov vašega računa je bil pravkar spremenjen. Če tega niste storili vi, se takoj obrnite na občino.
mail-2fa-enabled-subject = Dvofaktorsko preverjanje je vklopljeno – { $municipality }
mail-2fa-enabled-body = Za vaš račun je bilo vklopljeno dvofaktorsko preverjanje. Če tega niste storili vi, se takoj obrnite na občino.
mail-2fa-disabled-subject = Dvofaktorsko preverjanje je izklopljeno – { $municipality }
mail-2fa-disabled-body = Za vaš račun je bilo izklopljeno dvofaktorsko preverjanje. Če tega niste storili vi, se takoj obrnite na občino.
mail-recovery-used-subject = Uporabljena je bila obnovitvena koda – { $municipality }
mail-recovery-used-body = Za prijavo v vaš račun je bila uporabljena obnovitvena koda. Če to niste bili vi, se takoj obrnite na občino.
mail-account-deleted-subject = Račun je izbrisan – { $municipality }
mail-account-deleted-body = Vaš račun in osebni podatki so bili izbrisani.
organisations-title = Občinska uprava, javni zavodi in podjetja
organisations-intro = Ustanove, katerih zaposleni delajo na platformi (strategija, tabela 5).
organisation-kind-administration = Občinska uprava
organisation-kind-public_company = Javna podjetja
organisation-kind-public_institution = Javni zavodi
demo-marker = demo podatek
login-eid = Prijava z nacionalno e-identiteto (SI-PASS)
account-eid-link = Poveži nacionalno e-identiteto (SI-PASS)
email-change-sent-title = Potrdite novi naslov
email-change-sent-body = Na novi e-poštni naslov smo poslali povezavo. Naslov se zamenja, ko jo odprete; do takrat velja stari.
email-changed-title = E-poštni naslov je zamenjan
email-changed-body = Za prijavo odslej uporabljajte novi naslov.
mail-email-change-confirm-subject = Potrdite novi e-poštni naslov – { $municipality }
mail-email-change-confirm-body = Pozdravljeni,

    za zamenjavo e-poštnega naslova vašega računa na portalu { $municipality } odprite to povezavo (velja 48 ur):

    { $link }

    Če tega niste zahtevali vi, sporočilo prezrite.
mail-email-change-requested-subject = Zahteva za zamenjavo e-poštnega naslova – { $municipality }
mail-email-change-requested-body = Za vaš račun je bila zahtevana zamenjava e-poštnega naslova. Če tega niste storili vi, takoj zamenjajte geslo in se obrnite na občino.
