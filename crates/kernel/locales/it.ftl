skip-to-content = Vai al contenuto
nav-label = Navigazione principale
nav-languages = Lingue
nav-home = Pagina iniziale
nav-sign-in = Accedi
nav-register = Registrati
nav-account = Il mio profilo
nav-sign-out = Esci
nav-staff = Area personale
footer-accessibility = Dichiarazione di accessibilità
footer-privacy = Privacy
footer-api = API per sviluppatori
error-title = Errore
error-home = Alla pagina iniziale
error-status-code = Codice di errore: { $status }
error-status-404 = Pagina non trovata
error-status-403 = Accesso negato
error-status-500 = Errore del server
error-generic = Qualcosa è andato storto. Riprovare o contattare il comune.
error-not-found = La pagina cercata non esiste.

# Photos (kernel::photos), for every form that takes them.
field-photo-type = La foto deve essere in formato JPEG o PNG.
field-photo-too-large = La foto è troppo grande.
field-photo-unreadable = Impossibile leggere la foto.
