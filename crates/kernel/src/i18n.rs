//! Languages and messages. Each crate contributes Fluent sources per language;
//! the registry fails at start-up if two crates define the same message.
//! Slovenian is the default, English is complete, German and Italian cover
//! visitor-facing pages and fall back to English elsewhere.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Sl,
    En,
    De,
    It,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Sl, Lang::En, Lang::De, Lang::It];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sl => "sl",
            Lang::En => "en",
            Lang::De => "de",
            Lang::It => "it",
        }
    }
    pub fn from_code(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sl" | "sl-si" => Some(Lang::Sl),
            "en" | "en-gb" | "en-us" => Some(Lang::En),
            "de" | "de-de" | "de-at" => Some(Lang::De),
            "it" | "it-it" => Some(Lang::It),
            _ => None,
        }
    }
    /// The language's own name, as shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Sl => "Slovenščina",
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::It => "Italiano",
        }
    }

    /// Pick from an `Accept-Language` header by quality, Slovenian if none fits.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim();
            let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::from_code(primary)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Sl)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

pub struct I18n {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

impl I18n {
    /// Build the registry from every crate's message sources.
    pub fn new(sources: &[&[(Lang, &str)]]) -> Result<I18n, String> {
        let mut bundles = Vec::new();
        for lang in Lang::ALL {
            let id: unic_langid::LanguageIdentifier = lang.code().parse().map_err(|_| format!("bad language id {lang}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks: they show up as stray characters in HTML attributes.
            bundle.set_use_isolating(false);
            for crate_sources in sources {
                for (l, src) in crate_sources.iter().filter(|(l, _)| *l == lang) {
                    let res = FluentResource::try_new(src.to_string()).map_err(|(_, errs)| format!("{l}: {errs:?}"))?;
                    bundle.add_resource(res).map_err(|errs| format!("{l}: duplicate messages {errs:?}"))?;
                }
            }
            bundles.push((lang, bundle));
        }
        Ok(I18n { bundles })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        &self.bundles.iter().find(|(l, _)| *l == lang).expect("all languages loaded").1
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }

    /// The message in `lang`, else English, else Slovenian, else the key itself.
    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.t_args(lang, key, &[])
    }

    pub fn t_args(&self, lang: Lang, key: &str, args: &[(&str, FluentValue)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        for l in [lang, Lang::En, Lang::Sl] {
            let bundle = self.bundle(l);
            if let Some(msg) = bundle.get_message(key)
                && let Some(pattern) = msg.value()
            {
                let mut errors = vec![];
                let out = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
                return out.into_owned();
            }
        }
        key.to_string()
    }

    /// All message ids the sources define for a language (for completeness tests).
    pub fn keys(sources: &[&[(Lang, &str)]], lang: Lang) -> Vec<String> {
        let mut keys = Vec::new();
        for crate_sources in sources {
            for (_, src) in crate_sources.iter().filter(|(l, _)| *l == lang) {
                if let Ok(res) = FluentResource::try_new(src.to_string()) {
                    for entry in res.entries() {
                        if let fluent_syntax::ast::Entry::Message(m) = entry {
                            keys.push(m.id.name.to_string());
                        }
                    }
                }
            }
        }
        keys
    }
}

/// Lower case, without the accents of our four languages, punctuation as
/// spaces, single spaces: how typed names are compared (places, streets).
pub fn fold(s: &str) -> String {
    let mapped: String = s
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'č' | 'ć' => 'c',
            'š' => 's',
            'ž' => 'z',
            'đ' => 'd',
            'ä' | 'à' | 'á' => 'a',
            'ö' | 'ò' | 'ó' => 'o',
            'ü' | 'ù' | 'ú' => 'u',
            'è' | 'é' => 'e',
            'ì' | 'í' => 'i',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Euros as typed ("8", "8,50", "8.50") in cents.
pub fn parse_cents(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', ".");
    let (e, c) = s.split_once('.').unwrap_or((&s, ""));
    if e.is_empty() || !e.chars().all(|ch| ch.is_ascii_digit()) || c.len() > 2 || !c.chars().all(|ch| ch.is_ascii_digit()) {
        return None;
    }
    let c = if c.len() == 1 { format!("{c}0") } else { c.to_string() };
    Some(e.parse::<i64>().ok()? * 100 + c.parse::<i64>().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_quality_known_language() {
        assert_eq!(Lang::from_accept_language("de-AT,de;q=0.9,en;q=0.8"), Lang::De);
        assert_eq!(Lang::from_accept_language("fr-FR,en;q=0.5,sl;q=0.7"), Lang::Sl);
        assert_eq!(Lang::from_accept_language("fr"), Lang::Sl);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
    }

    #[test]
    fn slovenian_has_four_plural_forms() {
        let src: &[(Lang, &str)] =
            &[(Lang::Sl, "n-sessions = { $n ->\n [one] { $n } seja\n [two] { $n } seji\n [few] { $n } seje\n *[other] { $n } sej\n}\n")];
        let i = I18n::new(&[src]).unwrap();
        let f = |n: i64| i.t_args(Lang::Sl, "n-sessions", &[("n", n.into())]);
        assert_eq!(f(1), "1 seja");
        assert_eq!(f(2), "2 seji");
        assert_eq!(f(3), "3 seje");
        assert_eq!(f(5), "5 sej");
        assert_eq!(f(101), "101 seja");
    }

    #[test]
    fn falls_back_to_english_then_key() {
        let src: &[(Lang, &str)] = &[(Lang::En, "hello = Hello\n")];
        let i = I18n::new(&[src]).unwrap();
        assert_eq!(i.t(Lang::De, "hello"), "Hello");
        assert_eq!(i.t(Lang::De, "missing"), "missing");
    }

    #[test]
    fn duplicate_messages_across_crates_are_refused() {
        let a: &[(Lang, &str)] = &[(Lang::En, "x = 1\n")];
        let b: &[(Lang, &str)] = &[(Lang::En, "x = 2\n")];
        assert!(I18n::new(&[a, b]).is_err());
    }

    #[test]
    fn euros_as_typed() {
        assert_eq!(parse_cents("8"), Some(800));
        assert_eq!(parse_cents("8,5"), Some(850));
        assert_eq!(parse_cents(" 12.05 "), Some(1205));
        assert_eq!(parse_cents("8,505"), None);
        assert_eq!(parse_cents("-1"), None);
        assert_eq!(parse_cents("abc"), None);
    }
}
