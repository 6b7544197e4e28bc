//! A light Slovenian stemmer for searching questions: lower case, split into
//! words, drop the commonest function words, strip noun, adjective and verb
//! endings until none is left, and undo the fleeting vowel of `-ec`/`-ek`
//! (vrtec → vrtc, as in vrtca). Different forms of a word end up on the same
//! stem (ceste, cesti, cesto, cestah → cest). Diacritics stay in the stem;
//! `fold` gives its ASCII form, so a query typed without č, š and ž (or ć, đ)
//! still finds it.

/// Endings, longest first. None holds č/š/ž, so a word typed without them
/// loses the same ending.
const SUFFIXES: &[&str] = &[
    // verbal nouns (parkiranje, parkiranja, parkiranjem)
    "anjem", "enjem", "anje", "anja", "anju", "anji", "enje", "enja", "enju", "enji", // adjectives and pronouns
    "ega", "emu", "ima", "imi", // nouns
    "ama", "ami", "ovi", "ove", "ovo", "evi", // verbs: infinitive and present tense
    "ati", "iti", "eti", "amo", "ate", "ajo", "imo", "ite", "ijo", "emo", "ete", "ejo", // two letters
    "ah", "eh", "ih", "om", "em", "im", "am", "ov", "ev", // one letter
    "a", "e", "i", "o", "u",
];

/// Stems shorter than this are not cut further.
const MIN_STEM: usize = 3;

/// Function words that say nothing about the subject of a question.
const STOP: &[&str] = &[
    "in", "ali", "je", "so", "se", "na", "za", "v", "z", "s", "k", "h", "o", "pri", "po", "od", "do", "iz", "ki", "da", "kot", "pa", "ter", "bo",
    "bi", "biti", "sem", "smo", "ste", "si", "kdaj", "kje", "kako", "kaj", "zakaj", "kdo", "koliko", "lahko", "tudi", "se", "ze", "ne", "ni", "mi",
    "me", "moj", "moja", "moje", "jaz", "ta", "to", "te", "ti", "tega", "tem", "tej", "ga", "jih", "jo", "nas", "vas", "bodo", "bil", "bila", "bilo",
    "vec", "zelo", "ali", "ker", "ce", "samo", "le", "ob", "med", "nad", "pod", "pred", "brez", "cez", "vse", "vsi", "ima", "imam", "imamo", "the",
    "a", "an", "of", "and", "or", "to", "is", "are", "in", "on", "for", "what", "when", "how", "can", "i", "my",
];

/// ASCII form of a lower-case word: č, ć → c; š → s; ž → z; đ → d.
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'č' | 'ć' => 'c',
            'š' => 's',
            'ž' => 'z',
            'đ' => 'd',
            other => other,
        })
        .collect()
}

/// Whether a word holds a letter that `fold` changes.
pub fn has_diacritics(s: &str) -> bool {
    s.chars().any(|c| matches!(c, 'č' | 'ć' | 'š' | 'ž' | 'đ'))
}

/// The stem of one lower-case word.
pub fn stem(word: &str) -> String {
    let mut w: Vec<char> = word.chars().collect();
    loop {
        let len = w.len();
        let cut = SUFFIXES.iter().find(|s| {
            let n = s.chars().count();
            len >= n + MIN_STEM && w[len - n..].iter().copied().eq(s.chars())
        });
        if let Some(s) = cut {
            w.truncate(len - s.chars().count());
            continue;
        }
        // The fleeting vowel: vrtec → vrtc (vrtca, vrtcu), odpadek → odpadk (odpadka).
        if len > MIN_STEM + 1 && w[len - 2] == 'e' && matches!(w[len - 1], 'c' | 'k') {
            w.remove(len - 2);
        }
        break;
    }
    w.into_iter().collect()
}

/// The words of a text, lower case, in order (letters and digits; the rest separates).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

/// The stems of a text worth indexing or searching for, without repeats.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for w in words(text) {
        if w.chars().count() < 2 || STOP.contains(&fold(&w).as_str()) {
            continue;
        }
        let s = stem(&w);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_stem(family: &[&str]) -> String {
        let stems: Vec<String> = family.iter().map(|w| stem(w)).collect();
        assert!(stems.iter().all(|s| s == &stems[0]), "{family:?} → {stems:?}");
        stems[0].clone()
    }

    #[test]
    fn noun_forms_share_a_stem() {
        assert_eq!(same_stem(&["cesta", "ceste", "cesti", "cesto", "cestah", "cestam", "cestami", "cest"]), "cest");
        assert_eq!(same_stem(&["parkirišče", "parkirišča", "parkirišču", "parkiriščem", "parkirišči", "parkiriščih", "parkiriščema"]), "parkirišč");
        assert_eq!(same_stem(&["vrtec", "vrtca", "vrtcu", "vrtcem", "vrtci", "vrtcev", "vrtcih"]), "vrtc");
        assert_eq!(same_stem(&["odpadek", "odpadka", "odpadku", "odpadki", "odpadkov", "odpadke", "odpadkih"]), "odpadk");
        assert_eq!(same_stem(&["ulica", "ulice", "ulici", "ulico", "ulicah", "ulicami"]), "ulic");
        assert_eq!(same_stem(&["vpis", "vpisa", "vpisu", "vpisom", "vpisi", "vpisov"]), "vpis");
        assert_eq!(same_stem(&["odvoz", "odvoza", "odvozu", "odvozom"]), "odvoz");
        assert_eq!(same_stem(&["smeti", "smeteh", "smet"]), "smet");
    }

    #[test]
    fn masculine_nouns_ending_like_a_suffix_stay_consistent() {
        // "problem" ends in -em: both it and "problema" must meet on one stem.
        same_stem(&["problem", "problema", "problemu", "problemom", "problemi", "problemov"]);
        same_stem(&["kanal", "kanala", "kanalu", "kanali"]);
    }

    #[test]
    fn adjective_and_verb_forms_share_a_stem() {
        assert_eq!(same_stem(&["mestna", "mestni", "mestno", "mestnega", "mestnemu", "mestnih", "mestnimi"]), "mestn");
        assert_eq!(same_stem(&["parkirati", "parkiram", "parkiramo", "parkirate", "parkirajo", "parkiranje", "parkiranja"]), "parkir");
        assert_eq!(same_stem(&["vpisati", "vpisa", "vpisi"]), "vpis");
    }

    #[test]
    fn short_words_are_kept_whole() {
        assert_eq!(stem("koš"), "koš");
        assert_eq!(stem("vod"), "vod");
        assert_eq!(stem("voda"), "vod");
    }

    #[test]
    fn diacritics_are_kept_and_folded() {
        let s = stem("parkirišča");
        assert!(has_diacritics(&s));
        assert_eq!(fold(&s), stem("parkirisca"), "typed without č/š the word meets the folded stem");
        assert_eq!(fold("žganje čaša šola đak"), "zganje casa sola dak");
        assert!(!has_diacritics("cesta"));
    }

    #[test]
    fn terms_drop_function_words_and_repeats() {
        assert_eq!(terms("Kdaj bo odvoz smeti na Ormoški cesti? Cesta je polna."), vec!["odvoz", "smet", "ormošk", "cest", "poln"]);
        assert!(terms("in ali je").is_empty());
        assert_eq!(terms("Vpis v vrtec 2026"), vec!["vpis", "vrtc", "2026"]);
    }
}
