//! DEMO places of Ptuj, every layer populated. The 13 free Wi-Fi points
//! (WiFi4EU) are those the strategy lists (seed §5.5 c) and the 10 Eduroam
//! points its 2022 figure counts, and the 6 EV chargers of its 2022 figure
//! (measure mob.ev); positions are approximate, the rest
//! (defibrillators, heritage register numbers, prices, hours, businesses)
//! is plausible demo data to be replaced by the municipality's own.
//! Every row is marked `demo = 1`.

use crate::model::PlaceInput;
use crate::store;
use kernel::{AppResult, Ctx};
use serde_json::json;

fn point(layer: &str, names: [&str; 4], lat: f64, lon: f64) -> PlaceInput {
    let name = |s: &str| (!s.is_empty()).then(|| s.to_string());
    PlaceInput {
        layer: Some(layer.into()),
        name_sl: name(names[0]),
        name_en: name(names[1]),
        name_de: name(names[2]),
        name_it: name(names[3]),
        geometry: Some(json!({"type": "Point", "coordinates": [lon, lat]})),
        ..Default::default()
    }
}

fn with(mut p: PlaceInput, f: impl FnOnce(&mut PlaceInput)) -> PlaceInput {
    f(&mut p);
    p
}

fn attr(p: &mut PlaceInput, k: &str, v: &str) {
    p.attributes.insert(k.into(), v.into());
}

fn describe(p: &mut PlaceInput, d: [&str; 4]) {
    let s = |x: &str| (!x.is_empty()).then(|| x.to_string());
    (p.description_sl, p.description_en, p.description_de, p.description_it) = (s(d[0]), s(d[1]), s(d[2]), s(d[3]));
}

fn access(p: &mut PlaceInput, wheelchair: &str, notes: [&str; 2]) {
    p.wheelchair = Some(wheelchair.into());
    p.accessibility_sl = Some(notes[0].into()).filter(|s: &String| !s.is_empty());
    p.accessibility_en = Some(notes[1].into()).filter(|s: &String| !s.is_empty());
}

/// Automated external defibrillators (AED, 24/7 where outdoors).
fn aeds() -> Vec<PlaceInput> {
    let aed = |id: &str, sl: &str, en: &str, lat: f64, lon: f64, address: &str, hours: &str, wheelchair: &str| {
        with(point("aed", [sl, en, "", ""], lat, lon), |p| {
            p.id = Some(id.into());
            p.address = Some(address.into());
            p.opening_hours = Some(hours.into());
            p.wheelchair = Some(wheelchair.into());
            describe(
                p,
                [
                    "Avtomatski zunanji defibrilator. Ob srčnem zastoju pokličite 112 in sledite glasovnim navodilom naprave.",
                    "Automated external defibrillator. In a cardiac arrest call 112 and follow the device's spoken instructions.",
                    "Automatisierter externer Defibrillator. Bei Herzstillstand 112 anrufen und den Sprachanweisungen des Geräts folgen.",
                    "Defibrillatore automatico esterno. In caso di arresto cardiaco chiamare il 112 e seguire le istruzioni vocali.",
                ],
            );
        })
    };
    vec![
        aed("aed-mestna-hisa", "AED Mestna hiša", "AED Town Hall", 46.41990, 15.86995, "Mestni trg 1, 2250 Ptuj", "24/7", "yes"),
        aed("aed-grad", "AED Ptujski grad", "AED Ptuj Castle", 46.42190, 15.86870, "Na Gradu 1, 2250 Ptuj", "Mo-Su 09:00-18:00", "limited"),
        aed("aed-avtobusna", "AED Avtobusna postaja", "AED Bus Station", 46.42330, 15.87740, "Osojnikova cesta 11, 2250 Ptuj", "24/7", "yes"),
        aed(
            "aed-dvorana-center",
            "AED Športna dvorana Center",
            "AED Sports Hall Center",
            46.42350,
            15.87050,
            "Volkmerjeva cesta 6, 2250 Ptuj",
            "Mo-Fr 07:00-22:00; Sa-Su 08:00-20:00",
            "yes",
        ),
        aed("aed-terme", "AED Terme Ptuj", "AED Ptuj Thermal Spa", 46.41150, 15.85850, "Pot v toplice 9, 2250 Ptuj", "24/7", "yes"),
        aed("aed-zd", "AED Zdravstveni dom Ptuj", "AED Ptuj Health Centre", 46.42450, 15.87010, "Potrčeva cesta 19a, 2250 Ptuj", "24/7", "yes"),
        aed("aed-breg", "AED Gasilski dom Breg", "AED Breg Fire Station", 46.41250, 15.87350, "Rozmanova ulica, 2250 Ptuj", "24/7", "yes"),
        aed("aed-rogoznica", "AED Rogoznica", "AED Rogoznica", 46.43200, 15.86200, "Rogozniška cesta, 2250 Ptuj", "24/7", "yes"),
    ]
}

/// The 13 WiFi4EU points of seed §5.5 c) and the 10 Eduroam points.
fn wifi() -> Vec<PlaceInput> {
    let free = [
        ("Tržnica", "Market", 46.41860, 15.87120),
        ("Mestni park", "City Park", 46.42330, 15.87700),
        ("Minoritski trg", "Minorite Square", 46.41905, 15.87440),
        ("Lackova ulica", "Lackova Street", 46.41880, 15.87050),
        ("Vrazov trg", "Vrazov Square", 46.41960, 15.87580),
        ("Mestni trg", "Town Square", 46.41992, 15.87003),
        ("Murkova ulica", "Murkova Street", 46.41930, 15.87350),
        ("Slovenski trg", "Slovenian Square", 46.42040, 15.87210),
        ("Prešernova ulica", "Prešernova Street", 46.42080, 15.86940),
        ("Slomškova ulica", "Slomškova Street", 46.42000, 15.87420),
        ("Ptujski grad – spodnje dvorišče", "Ptuj Castle – lower courtyard", 46.42150, 15.86920),
        ("Ptujski grad – zgornje dvorišče", "Ptuj Castle – upper courtyard", 46.42200, 15.86860),
        ("Parkirišče pod gradom", "Car park below the castle", 46.42110, 15.86780),
    ];
    let eduroam = [
        ("Knjižnica Ivana Potrča Ptuj", "Ivan Potrč Library", 46.41900, 15.87500),
        ("Gimnazija Ptuj", "Ptuj Grammar School", 46.41920, 15.87650),
        ("Šolski center Ptuj", "Ptuj School Centre", 46.42750, 15.87320),
        ("OŠ Ljudski vrt", "Ljudski vrt Primary School", 46.42400, 15.86700),
        ("OŠ Mladika", "Mladika Primary School", 46.42200, 15.88000),
        ("OŠ Olge Meglič", "Olga Meglič Primary School", 46.42320, 15.87350),
        ("OŠ dr. Ljudevita Pivka", "Dr Ljudevit Pivko Primary School", 46.42550, 15.87900),
        ("OŠ Breg", "Breg Primary School", 46.41220, 15.87500),
        ("Glasbena šola Karola Pahorja Ptuj", "Karol Pahor Music School", 46.42030, 15.87480),
        ("Ljudska univerza Ptuj", "Ptuj Adult Education Centre", 46.41940, 15.87250),
    ];
    let mut v: Vec<PlaceInput> = free
        .iter()
        .enumerate()
        .map(|(i, (sl, en, lat, lon))| {
            with(point("wifi", [&format!("Wi-Fi {sl}"), &format!("Wi-Fi {en}"), "", ""], *lat, *lon), |p| {
                p.id = Some(format!("wifi-{:02}", i + 1));
                attr(p, "network", "WiFi4EU");
                p.opening_hours = Some("24/7".into());
                describe(
                    p,
                    [
                        "Brezplačen javni Wi-Fi (WiFi4EU).",
                        "Free public Wi-Fi (WiFi4EU).",
                        "Kostenloses öffentliches WLAN (WiFi4EU).",
                        "Wi-Fi pubblico gratuito (WiFi4EU).",
                    ],
                );
            })
        })
        .collect();
    v.extend(eduroam.iter().enumerate().map(|(i, (sl, en, lat, lon))| {
        with(point("wifi", [&format!("Eduroam {sl}"), &format!("Eduroam {en}"), "", ""], *lat, *lon), |p| {
            p.id = Some(format!("eduroam-{:02}", i + 1));
            attr(p, "network", "eduroam");
            describe(
                p,
                [
                    "Dostopna točka omrežja Eduroam za učence, dijake, študente in zaposlene v izobraževanju.",
                    "Eduroam access point for pupils, students and staff of education.",
                    "Eduroam-Zugangspunkt für Schüler, Studierende und Lehrkräfte.",
                    "Punto di accesso Eduroam per studenti e personale dell'istruzione.",
                ],
            );
        })
    }));
    v
}

fn polygon(layer: &str, names: [&str; 4], ring: &[[f64; 2]]) -> PlaceInput {
    let mut p = point(layer, names, 0.0, 0.0);
    p.geometry = Some(json!({"type": "Polygon", "coordinates": [ring]}));
    p
}

fn line(layer: &str, names: [&str; 4], coords: &[[f64; 2]]) -> PlaceInput {
    let mut p = point(layer, names, 0.0, 0.0);
    p.geometry = Some(json!({"type": "LineString", "coordinates": coords}));
    p
}

fn sports() -> Vec<PlaceInput> {
    vec![
        with(
            polygon(
                "sports",
                [
                    "Rekreacijsko območje Ptujsko jezero",
                    "Ptuj Lake recreation area",
                    "Erholungsgebiet Ptujer See",
                    "Area ricreativa del lago di Ptuj",
                ],
                &[[15.8380, 46.4085], [15.8520, 46.4090], [15.8540, 46.4125], [15.8400, 46.4135], [15.8380, 46.4085]],
            ),
            |p| {
                p.id = Some("sports-jezero".into());
                describe(
                    p,
                    [
                        "Veslanje, ribolov, sprehodi in kolesarjenje ob jezeru.",
                        "Rowing, fishing, walks and cycling by the lake.",
                        "Rudern, Angeln, Spaziergänge und Radfahren am See.",
                        "Canottaggio, pesca, passeggiate e ciclismo sul lago.",
                    ],
                );
                access(p, "limited", ["Utrjene poti ob severni obali.", "Paved paths along the north shore."]);
            },
        ),
        with(
            point(
                "sports",
                ["Športna dvorana Center", "Sports Hall Center", "Sporthalle Center", "Palazzetto dello sport Center"],
                46.42350,
                15.87050,
            ),
            |p| {
                p.id = Some("sports-dvorana-center".into());
                p.address = Some("Volkmerjeva cesta 6, 2250 Ptuj".into());
                p.opening_hours = Some("Mo-Fr 07:00-22:00; Sa-Su 08:00-20:00".into());
                access(p, "yes", ["Vhod brez stopnic, prilagojene garderobe.", "Step-free entrance, adapted changing rooms."]);
            },
        ),
        with(point("sports", ["Mestni stadion Ptuj", "Ptuj City Stadium", "Stadion Ptuj", "Stadio di Ptuj"], 46.42620, 15.87780), |p| {
            p.id = Some("sports-stadion".into());
            p.opening_hours = Some("Mo-Su 07:00-21:00".into());
            p.wheelchair = Some("yes".into());
        }),
        with(
            point("sports", ["Kopališče Terme Ptuj", "Ptuj Thermal Spa pools", "Thermalbad Ptuj", "Piscine Terme Ptuj"], 46.41100, 15.85800),
            |p| {
                p.id = Some("sports-terme".into());
                p.opening_hours = Some("Mo-Su 09:00-21:00".into());
                p.website = Some("https://www.terme-ptuj.si/".into());
                p.wheelchair = Some("yes".into());
            },
        ),
    ]
}

fn paths() -> Vec<PlaceInput> {
    vec![
        with(
            line(
                "paths",
                ["Kolesarska pot ob Dravi", "Cycle path along the Drava", "Radweg entlang der Drau", "Pista ciclabile lungo la Drava"],
                &[
                    [15.8420, 46.4140],
                    [15.8550, 46.4152],
                    [15.8620, 46.4166],
                    [15.8679, 46.4176],
                    [15.8706, 46.4181],
                    [15.8725, 46.4172],
                    [15.8800, 46.4160],
                    [15.8900, 46.4150],
                ],
            ),
            |p| {
                p.id = Some("path-drava".into());
                attr(p, "kind", "cycling");
                attr(p, "length_km", "3.7");
                describe(
                    p,
                    [
                        "Ravninska pot od Ptujskega jezera mimo Dravskega mostu proti Budini, del Dravske kolesarske poti.",
                        "A flat route from Ptuj Lake past the Drava bridge towards Budina, part of the Drava Cycle Route.",
                        "Flache Strecke vom Ptujer See an der Draubrücke vorbei Richtung Budina, Teil des Drauradwegs.",
                        "Percorso pianeggiante dal lago di Ptuj oltre il ponte sulla Drava verso Budina, parte della ciclovia della Drava.",
                    ],
                );
                access(p, "yes", ["Asfaltirana, brez stopnic.", "Paved, no steps."]);
            },
        ),
        with(
            line(
                "paths",
                ["Sprehod po starem mestnem jedru", "Old town walk", "Altstadtspaziergang", "Passeggiata nel centro storico"],
                &[[15.87003, 46.41992], [15.87210, 46.42040], [15.87440, 46.41905], [15.87460, 46.42150], [15.86900, 46.42170]],
            ),
            |p| {
                p.id = Some("path-staro-mesto".into());
                attr(p, "kind", "walking");
                attr(p, "length_km", "1.6");
                access(p, "limited", ["Tlakovane ulice, vzpon na grad je strm.", "Cobbled streets; the climb to the castle is steep."]);
            },
        ),
    ]
}

fn heritage() -> Vec<PlaceInput> {
    let monument = |id: &str, names: [&str; 4], lat: f64, lon: f64, esd: &str, level: &str, d: [&str; 4]| {
        with(point("heritage", names, lat, lon), |p| {
            p.id = Some(id.into());
            p.heritage_id = Some(esd.into());
            p.heritage_level = Some(level.into());
            describe(p, d);
            // For the tourist guide's filters: a look from outside.
            attr(p, "interests", "history,culture");
            attr(p, "ages", "children,teens,adults,seniors");
            attr(p, "visit_min", "15");
        })
    };
    vec![
        monument(
            "heritage-grad",
            ["Ptujski grad", "Ptuj Castle", "Burg Ptuj", "Castello di Ptuj"],
            46.42170,
            15.86900,
            "572",
            "national",
            [
                "Grad nad mestom z zbirkami Pokrajinskega muzeja Ptuj-Ormož.",
                "The castle above the town with the collections of the Ptuj-Ormož Regional Museum.",
                "Die Burg über der Stadt mit den Sammlungen des Regionalmuseums Ptuj-Ormož.",
                "Il castello sopra la città con le collezioni del Museo regionale di Ptuj-Ormož.",
            ],
        ),
        monument(
            "heritage-orfej",
            ["Orfejev spomenik", "Orpheus Monument", "Orpheus-Denkmal", "Monumento di Orfeo"],
            46.42035,
            15.87180,
            "593",
            "national",
            [
                "Rimski nagrobnik iz 2. stoletja na Slovenskem trgu.",
                "A Roman tombstone of the 2nd century on Slovenski trg.",
                "Ein römischer Grabstein aus dem 2. Jahrhundert am Slovenski trg.",
                "Una lapide romana del II secolo in Slovenski trg.",
            ],
        ),
        monument(
            "heritage-minoriti",
            ["Minoritski samostan", "Minorite Monastery", "Minoritenkloster", "Convento dei Minoriti"],
            46.41890,
            15.87470,
            "595",
            "national",
            [
                "Samostan minoritov s cerkvijo sv. Petra in Pavla, od 13. stoletja.",
                "The Minorite friary with the church of Saints Peter and Paul, since the 13th century.",
                "Das Minoritenkloster mit der Kirche St. Peter und Paul, seit dem 13. Jahrhundert.",
                "Il convento dei Minoriti con la chiesa dei Santi Pietro e Paolo, dal XIII secolo.",
            ],
        ),
        monument(
            "heritage-dominikanci",
            ["Dominikanski samostan", "Dominican Monastery", "Dominikanerkloster", "Convento dei Domenicani"],
            46.42150,
            15.87460,
            "596",
            "national",
            [
                "Nekdanji dominikanski samostan, danes prireditveni in razstavni prostor.",
                "The former Dominican monastery, now a venue for events and exhibitions.",
                "Das ehemalige Dominikanerkloster, heute Veranstaltungs- und Ausstellungsort.",
                "L'ex convento domenicano, oggi sede di eventi e mostre.",
            ],
        ),
        monument(
            "heritage-stolp",
            ["Mestni stolp", "City Tower", "Stadtturm", "Torre civica"],
            46.42050,
            15.87200,
            "594",
            "national",
            [
                "Zvonik iz 16. stoletja z vzidanimi rimskimi kamni.",
                "A 16th-century bell tower with Roman stones built into its walls.",
                "Ein Glockenturm aus dem 16. Jahrhundert mit eingemauerten Römersteinen.",
                "Un campanile del XVI secolo con pietre romane murate.",
            ],
        ),
        monument(
            "heritage-mestna-hisa",
            ["Mestna hiša Ptuj", "Ptuj Town Hall", "Rathaus Ptuj", "Municipio di Ptuj"],
            46.41985,
            15.87000,
            "18130",
            "local",
            [
                "Neogotska mestna hiša iz leta 1907.",
                "The neo-Gothic town hall of 1907.",
                "Das neugotische Rathaus von 1907.",
                "Il municipio neogotico del 1907.",
            ],
        ),
    ]
}

fn sights() -> Vec<PlaceInput> {
    vec![
        with(
            point(
                "sights",
                [
                    "Pokrajinski muzej na Ptujskem gradu",
                    "Regional Museum at Ptuj Castle",
                    "Regionalmuseum auf der Burg Ptuj",
                    "Museo regionale al castello di Ptuj",
                ],
                46.42180,
                15.86890,
            ),
            |p| {
                p.id = Some("sight-muzej-grad".into());
                p.address = Some("Na Gradu 1, 2250 Ptuj".into());
                p.opening_hours = Some("Mo-Su 09:00-18:00; 2026-12-25 off; 2027-01-01 off".into());
                p.price_cents = Some(800);
                p.website = Some("https://pmpo.si/".into());
                p.audio_url = Some("https://pmpo.si/audio/grad-sl.mp3".into());
                attr(p, "interests", "history,culture");
                attr(p, "ages", "children,teens,adults,seniors");
                attr(p, "visit_min", "60");
                access(
                    p,
                    "limited",
                    ["Dvigalo do prvega nadstropja; dostop na grad je strm.", "Lift to the first floor; the way up to the castle is steep."],
                );
                describe(
                    p,
                    [
                        "Zbirke orožja, glasbil, fevdalne umetnosti in pustnih mask (kurenti).",
                        "Collections of arms, musical instruments, feudal art and carnival masks (kurenti).",
                        "Sammlungen von Waffen, Musikinstrumenten, feudaler Kunst und Faschingsmasken (Kurenti).",
                        "Collezioni di armi, strumenti musicali, arte feudale e maschere di carnevale (kurenti).",
                    ],
                );
            },
        ),
        with(
            point(
                "sights",
                ["Mestni stolp – razgledna točka", "City Tower viewpoint", "Stadtturm – Aussichtspunkt", "Torre civica – belvedere"],
                46.42052,
                15.87205,
            ),
            |p| {
                p.id = Some("sight-stolp".into());
                p.opening_hours = Some("Tu-Su 10:00-18:00".into());
                p.price_cents = Some(300);
                access(p, "no", ["Samo po stopnicah.", "Stairs only."]);
                attr(p, "interests", "history");
                attr(p, "ages", "teens,adults");
                attr(p, "visit_min", "20");
                describe(
                    p,
                    [
                        "Razgled po strehah starega mesta in Dravi z vrha zvonika.",
                        "A view over the old town's roofs and the Drava from the top of the bell tower.",
                        "Ein Blick über die Dächer der Altstadt und die Drau von der Spitze des Glockenturms.",
                        "Una vista sui tetti della città vecchia e sulla Drava dalla cima del campanile.",
                    ],
                );
            },
        ),
        with(point("sights", ["Vinska klet Ptuj", "Ptuj Wine Cellar", "Weinkeller Ptuj", "Cantina vinicola di Ptuj"], 46.41960, 15.86870), |p| {
            p.id = Some("sight-klet".into());
            p.address = Some("Vinarski trg 1, 2250 Ptuj".into());
            p.opening_hours = Some("Mo-Sa 10:00-18:00".into());
            p.price_cents = Some(1200);
            p.wheelchair = Some("limited".into());
            attr(p, "interests", "wine,culture");
            attr(p, "ages", "adults,seniors");
            attr(p, "visit_min", "45");
            describe(
                p,
                [
                    "Ena najstarejših vinskih kleti v Sloveniji z arhivom vin in degustacijo.",
                    "One of the oldest wine cellars in Slovenia, with an archive of wines and tasting.",
                    "Einer der ältesten Weinkeller Sloweniens mit Weinarchiv und Verkostung.",
                    "Una delle cantine più antiche della Slovenia, con archivio dei vini e degustazione.",
                ],
            );
        }),
    ]
}

fn chargers() -> Vec<PlaceInput> {
    let ev = |id: &str, sl: &str, en: &str, lat: f64, lon: f64, kw: &str, sockets: &str| {
        with(point("ev_chargers", [sl, en, "", ""], lat, lon), |p| {
            p.id = Some(id.into());
            p.opening_hours = Some("24/7".into());
            attr(p, "power_kw", kw);
            attr(p, "sockets", sockets);
        })
    };
    vec![
        ev("ev-trznica", "Polnilnica Tržnica", "Charger Market", 46.41840, 15.87160, "22", "2 × Type 2"),
        ev("ev-grad", "Polnilnica Parkirišče pod gradom", "Charger Castle car park", 46.42100, 15.86760, "22", "2 × Type 2"),
        ev("ev-terme", "Polnilnica Terme Ptuj", "Charger Thermal Spa", 46.41190, 15.85920, "50", "CCS, CHAdeMO, Type 2"),
        ev("ev-ormoska", "Polnilnica Ormoška cesta", "Charger Ormoška cesta", 46.42310, 15.88300, "150", "2 × CCS"),
        // The charging points that are booked online (bookings' demo).
        ev("ev-mestni-trg", "Polnilnica Parkirišče ob Mestnem trgu", "Charger Mestni trg car park", 46.41930, 15.87080, "22", "2 × Type 2"),
        ev("ev-potrceva", "Polnilnica Potrčeva cesta", "Charger Potrčeva cesta", 46.41720, 15.87820, "22", "2 × Type 2"),
    ]
}

fn bookable() -> Vec<PlaceInput> {
    vec![
        with(
            point(
                "bookable",
                [
                    "Dominikanski samostan – velika dvorana",
                    "Dominican Monastery – great hall",
                    "Dominikanerkloster – großer Saal",
                    "Convento domenicano – sala grande",
                ],
                46.42155,
                15.87455,
            ),
            |p| {
                p.id = Some("book-dominikanci".into());
                attr(p, "capacity", "250");
                p.wheelchair = Some("yes".into());
            },
        ),
        with(
            point(
                "bookable",
                ["Narodni dom Ptuj – dvorana", "Narodni dom Ptuj – hall", "Narodni dom Ptuj – Saal", "Narodni dom Ptuj – sala"],
                46.42080,
                15.87380,
            ),
            |p| {
                p.id = Some("book-narodni-dom".into());
                attr(p, "capacity", "120");
                p.wheelchair = Some("limited".into());
            },
        ),
        with(
            point(
                "bookable",
                ["Mestna hiša – poročna dvorana", "Town Hall – wedding hall", "Rathaus – Trauungssaal", "Municipio – sala matrimoni"],
                46.41988,
                15.87005,
            ),
            |p| {
                p.id = Some("book-porocna".into());
                attr(p, "capacity", "60");
                p.wheelchair = Some("yes".into());
            },
        ),
    ]
}

fn premises() -> Vec<PlaceInput> {
    let shop = |id: &str, sl: &str, en: &str, lat: f64, lon: f64, address: &str, m2: &str, rent: &str| {
        with(point("premises", [sl, en, "", ""], lat, lon), |p| {
            p.id = Some(id.into());
            p.address = Some(address.into());
            attr(p, "area_m2", m2);
            attr(p, "rent_eur_month", rent);
        })
    };
    vec![
        shop(
            "prem-murkova",
            "Poslovni prostor Murkova ulica",
            "Premises Murkova Street",
            46.41935,
            15.87330,
            "Murkova ulica 5, 2250 Ptuj",
            "48",
            "390",
        ),
        shop(
            "prem-presernova",
            "Lokal Prešernova ulica",
            "Shop Prešernova Street",
            46.42075,
            15.86960,
            "Prešernova ulica 10, 2250 Ptuj",
            "65",
            "520",
        ),
        shop("prem-slovenski", "Pisarna Slovenski trg", "Office Slovenski trg", 46.42030, 15.87240, "Slovenski trg 6, 2250 Ptuj", "32", "260"),
    ]
}

fn tourism() -> Vec<PlaceInput> {
    vec![
        with(point("accommodation", ["Hotel Mitra", "Hotel Mitra", "Hotel Mitra", "Hotel Mitra"], 46.42060, 15.86980), |p| {
            p.id = Some("stay-mitra".into());
            p.address = Some("Prešernova ulica 6, 2250 Ptuj".into());
            p.wheelchair = Some("limited".into());
            p.price_cents = Some(9500);
            attr(p, "ages", "adults,seniors");
            describe(
                p,
                [
                    "Hotel v meščanski hiši v starem mestnem jedru; cena za dvoposteljno sobo na noč.",
                    "A hotel in a town house in the old centre; price per double room and night.",
                    "Ein Hotel in einem Bürgerhaus in der Altstadt; Preis pro Doppelzimmer und Nacht.",
                    "Un albergo in una casa borghese nel centro storico; prezzo per camera doppia a notte.",
                ],
            );
        }),
        with(
            point("accommodation", ["Grand hotel Primus", "Grand Hotel Primus", "Grand Hotel Primus", "Grand Hotel Primus"], 46.41130, 15.85700),
            |p| {
                p.id = Some("stay-primus".into());
                p.wheelchair = Some("yes".into());
                p.price_cents = Some(14000);
                attr(p, "ages", "children,teens,adults,seniors");
                describe(
                    p,
                    [
                        "Hotel ob termah s kopališčem; cena za dvoposteljno sobo na noč.",
                        "A hotel at the spa with its pools; price per double room and night.",
                        "Ein Hotel an der Therme mit Badelandschaft; Preis pro Doppelzimmer und Nacht.",
                        "Un albergo alle terme con le piscine; prezzo per camera doppia a notte.",
                    ],
                );
            },
        ),
        with(
            point("food", ["Kavarna na Mestnem trgu", "Café on Town Square", "Café am Stadtplatz", "Caffè in piazza"], 46.41975, 15.87030),
            |p| {
                p.id = Some("food-kavarna".into());
                p.opening_hours = Some("Mo-Th 07:00-22:00; Fr-Sa 07:00-01:00; Su 08:00-20:00".into());
                p.wheelchair = Some("yes".into());
                p.price_cents = Some(400);
                attr(p, "interests", "food");
                attr(p, "ages", "children,teens,adults,seniors");
                describe(
                    p,
                    [
                        "Kava in sladice na Mestnem trgu; cena za kavo in rogljiček.",
                        "Coffee and cakes on Mestni trg; price for a coffee and a croissant.",
                        "Kaffee und Kuchen am Mestni trg; Preis für Kaffee und Croissant.",
                        "Caffè e dolci in Mestni trg; prezzo per un caffè e un cornetto.",
                    ],
                );
            },
        ),
        with(point("food", ["Gostilna ob Dravi", "Inn by the Drava", "Gasthaus an der Drau", "Osteria sulla Drava"], 46.41800, 15.86800), |p| {
            p.id = Some("food-gostilna".into());
            p.opening_hours = Some("Tu-Su 11:00-22:00".into());
            p.wheelchair = Some("limited".into());
            p.price_cents = Some(1800);
            attr(p, "interests", "food,wine");
            attr(p, "ages", "children,teens,adults,seniors");
            describe(
                p,
                [
                    "Domača štajerska kuhinja ob reki; cena za kosilo.",
                    "Home-style Styrian cooking by the river; price for a lunch.",
                    "Steirische Hausmannskost am Fluss; Preis für ein Mittagessen.",
                    "Cucina stiriana casalinga sul fiume; prezzo per un pranzo.",
                ],
            );
        }),
    ]
}

/// Every demo place.
pub fn places() -> Vec<PlaceInput> {
    [aeds(), wifi(), sports(), paths(), heritage(), sights(), chargers(), bookable(), premises(), tourism()].concat()
}

/// Load the demo places into an empty table; how many were loaded.
pub async fn load_if_empty(ctx: &Ctx) -> AppResult<usize> {
    if store::any(ctx.db.conn()).await? {
        return Ok(0);
    }
    let all = places();
    let txn = ctx.db.begin().await?;
    for (i, p) in all.iter().enumerate() {
        let d = p.validate(&format!("demo[{i}]."), "geometry", None).map_err(|e| kernel::AppError::internal(format!("demo place {i}: {e:?}")))?;
        let id = d.id.clone().unwrap_or_else(|| crate::service::new_id(ctx));
        store::insert(&txn, &id, &d, ctx.now(), true).await?;
    }
    txn.commit().await?;
    Ok(all.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Layer;

    #[test]
    fn every_demo_place_is_valid_and_every_layer_has_some() {
        let all = places();
        let mut layers = std::collections::BTreeSet::new();
        let mut ids = std::collections::BTreeSet::new();
        for (i, p) in all.iter().enumerate() {
            let d = p.validate("", "geometry", None).unwrap_or_else(|e| panic!("{i}: {e:?}"));
            layers.insert(d.layer);
            assert!(ids.insert(d.id.clone().unwrap()), "ids are unique");
        }
        assert_eq!(layers.len(), Layer::ALL.len(), "{layers:?}");
        let wifi: Vec<_> = all.iter().filter(|p| p.layer.as_deref() == Some("wifi")).collect();
        assert_eq!(wifi.iter().filter(|p| p.attributes["network"] == "WiFi4EU").count(), 13, "seed §5.5 c): 13 points");
        assert_eq!(wifi.iter().filter(|p| p.attributes["network"] == "eduroam").count(), 10);
    }
}
