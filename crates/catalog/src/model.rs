//! What the catalogue knows about a dataset (the metadata the strategy asks
//! for, §4.1) and the controlled vocabularies it uses: the EU data themes,
//! frequencies, file types and licences, and the high-value-dataset
//! categories of Implementing Regulation (EU) 2023/138. No I/O.

use serde::{Deserialize, Serialize};

/// A text in Slovenian and English.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub sl: String,
    pub en: String,
}

impl Text {
    pub fn new(sl: &str, en: &str) -> Text {
        Text { sl: sl.into(), en: en.into() }
    }
    /// The text in a language: Slovenian for `sl`, English otherwise (falling back to the other).
    pub fn get(&self, lang: kernel::Lang) -> &str {
        let (first, second) = if lang == kernel::Lang::Sl { (&self.sl, &self.en) } else { (&self.en, &self.sl) };
        if first.is_empty() { second } else { first }
    }
}

/// Who may see a dataset's data. Decided per dataset.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone, through the portal, the CKAN API and DCAT-AP.
    Open,
    /// Partners holding a token with the `catalog:read` scope.
    Partners,
    /// The municipality only: described in the catalogue, never served.
    Internal,
}

impl Access {
    pub const ALL: [Access; 3] = [Access::Open, Access::Partners, Access::Internal];
    pub fn code(self) -> &'static str {
        match self {
            Access::Open => "open",
            Access::Partners => "partners",
            Access::Internal => "internal",
        }
    }
    pub fn parse(s: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.code() == s)
    }
    /// The EU access-right vocabulary.
    pub fn iri(self) -> &'static str {
        match self {
            Access::Open => "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
            Access::Partners => "http://publications.europa.eu/resource/authority/access-right/RESTRICTED",
            Access::Internal => "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
        }
    }
}

/// A code of an EU Publications Office vocabulary, with labels.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub code: &'static str,
    pub sl: &'static str,
    pub en: &'static str,
}

impl Term {
    pub fn label(&self, lang: kernel::Lang) -> &'static str {
        if lang == kernel::Lang::Sl { self.sl } else { self.en }
    }
}

const fn t(code: &'static str, sl: &'static str, en: &'static str) -> Term {
    Term { code, sl, en }
}

/// The EU data themes (`data-theme`), as CKAN groups.
pub const THEMES: &[Term] = &[
    t("AGRI", "Kmetijstvo, ribištvo, gozdarstvo in hrana", "Agriculture, fisheries, forestry and food"),
    t("ECON", "Gospodarstvo in finance", "Economy and finance"),
    t("EDUC", "Izobraževanje, kultura in šport", "Education, culture and sport"),
    t("ENER", "Energija", "Energy"),
    t("ENVI", "Okolje", "Environment"),
    t("GOVE", "Vlada in javni sektor", "Government and public sector"),
    t("HEAL", "Zdravje", "Health"),
    t("INTR", "Mednarodna vprašanja", "International issues"),
    t("JUST", "Pravosodje, pravni sistem in javna varnost", "Justice, legal system and public safety"),
    t("REGI", "Regije in mesta", "Regions and cities"),
    t("SOCI", "Prebivalstvo in družba", "Population and society"),
    t("TECH", "Znanost in tehnologija", "Science and technology"),
    t("TRAN", "Promet", "Transport"),
];
pub const THEME_BASE: &str = "http://publications.europa.eu/resource/authority/data-theme/";

/// Update intervals (`frequency`).
pub const FREQUENCIES: &[Term] = &[
    t("UPDATE_CONT", "Neprekinjeno posodabljanje", "Continuously updated"),
    t("HOURLY", "Vsako uro", "Hourly"),
    t("DAILY", "Dnevno", "Daily"),
    t("WEEKLY", "Tedensko", "Weekly"),
    t("MONTHLY", "Mesečno", "Monthly"),
    t("QUARTERLY", "Četrtletno", "Quarterly"),
    t("ANNUAL", "Letno", "Annual"),
    t("IRREG", "Neredno", "Irregular"),
    t("NEVER", "Nikoli", "Never"),
    t("UNKNOWN", "Neznano", "Unknown"),
];
pub const FREQUENCY_BASE: &str = "http://publications.europa.eu/resource/authority/frequency/";

/// Licences (`licence`); CC BY 4.0 is the default for open data.
pub const LICENCES: &[Term] = &[
    t("CC_BY_4_0", "Creative Commons Priznanje avtorstva 4.0", "Creative Commons Attribution 4.0"),
    t("CC0", "Creative Commons CC0 1.0", "Creative Commons CC0 1.0"),
    t("CC_BYSA_4_0", "Creative Commons Priznanje avtorstva-Deljenje pod enakimi pogoji 4.0", "Creative Commons Attribution-ShareAlike 4.0"),
];
pub const LICENCE_BASE: &str = "http://publications.europa.eu/resource/authority/licence/";
pub const DEFAULT_LICENCE: &str = "CC_BY_4_0";

/// CKAN's licence id and the licence's own page, for a licence code.
pub fn licence_ckan(code: &str) -> (&'static str, &'static str) {
    match code {
        "CC0" => ("cc-zero", "https://creativecommons.org/publicdomain/zero/1.0/"),
        "CC_BYSA_4_0" => ("CC-BY-SA-4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        _ => ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    }
}

/// High-value dataset categories of Implementing Regulation (EU) 2023/138.
pub const HVD_CATEGORIES: &[Term] = &[
    t("c_ac64a52d", "Geoprostorski podatki", "Geospatial"),
    t("c_dd313021", "Opazovanje Zemlje in okolje", "Earth observation and environment"),
    t("c_164e0bf5", "Meteorološki podatki", "Meteorological"),
    t("c_e1da4e07", "Statistika", "Statistics"),
    t("c_a9135398", "Podjetja in lastništvo podjetij", "Companies and company ownership"),
    t("c_b79e35eb", "Mobilnost", "Mobility"),
];
pub const HVD_BASE: &str = "http://data.europa.eu/bna/";
pub const HVD_LEGISLATION: &str = "http://data.europa.eu/eli/reg_impl/2023/138/oj";
pub const HVD_EARTH: &str = "c_dd313021";
pub const HVD_METEO: &str = "c_164e0bf5";
pub const HVD_MOBILITY: &str = "c_b79e35eb";

pub fn term<'a>(list: &'a [Term], code: &str) -> Option<&'a Term> {
    list.iter().find(|t| t.code == code)
}

/// A file format of a distribution: the EU file-type code, its media type and CKAN's name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    GeoJson,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Json, Format::GeoJson];
    /// CKAN's `format` (also the facet value).
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Json => "JSON",
            Format::GeoJson => "GeoJSON",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::GeoJson => "geojson",
        }
    }
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Json => "application/json",
            Format::GeoJson => "application/geo+json",
        }
    }
    /// The EU file-type vocabulary code.
    pub fn file_type(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Json => "JSON",
            Format::GeoJson => "GEOJSON",
        }
    }
    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }
}
pub const FILE_TYPE_BASE: &str = "http://publications.europa.eu/resource/authority/file-type/";

/// A column's type, as the Frictionless Table Schema names it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    String,
    Integer,
    Number,
    Boolean,
    /// RFC 3339 in UTC (`2026-12-02T14:00:00Z`).
    Datetime,
    /// `YYYY-MM-DD`.
    Date,
}

impl ColumnType {
    pub fn table_schema(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Boolean => "boolean",
            ColumnType::Datetime => "datetime",
            ColumnType::Date => "date",
        }
    }
    /// The CKAN DataStore type.
    pub fn datastore(self) -> &'static str {
        match self {
            ColumnType::String => "text",
            ColumnType::Integer => "int",
            ColumnType::Number => "numeric",
            ColumnType::Boolean => "bool",
            ColumnType::Datetime => "timestamp",
            ColumnType::Date => "date",
        }
    }
}

/// One column of a dataset's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
    pub title: Text,
    /// Tells about a person: never published, whatever the dataset's access.
    pub personal: bool,
}

impl Column {
    pub fn new(name: &str, kind: ColumnType, sl: &str, en: &str) -> Column {
        Column { name: name.into(), kind, title: Text::new(sl, en), personal: false }
    }
    pub fn personal(mut self) -> Column {
        self.personal = true;
        self
    }
}

/// A period, in ISO dates; open at either end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

/// A live API that serves the dataset (a DCAT-AP DataService).
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    pub title: Text,
    /// Path on this server (`/api/v1/reports`) or an absolute URL.
    pub url: String,
    /// The standard it follows (an IRI), e.g. Open311 or CAP.
    pub conforms_to: Option<String>,
}

/// A download kept elsewhere (staff-registered datasets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalFile {
    pub title: String,
    pub url: String,
    /// A CKAN-style format name: CSV, XLSX, PDF, SHP, …
    pub format: String,
}

/// Where a dataset's description comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Registered by the capability that owns it (code of the capability).
    Capability(&'static str),
    /// Registered by staff for data kept elsewhere.
    Staff,
}

/// Everything the catalogue knows about one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The slug: CKAN's `name`, the portal address `/data/{name}`.
    pub name: String,
    pub title: Text,
    pub description: Text,
    /// An EU data-theme code.
    pub theme: &'static str,
    pub keywords: Vec<String>,
    /// Department or public company that owns it (the CKAN organisation).
    pub owner: String,
    pub contact_email: String,
    /// An EU frequency code.
    pub frequency: &'static str,
    /// The period the data covers.
    pub temporal: Period,
    /// The period the data may be used for.
    pub usable: Period,
    pub access: Access,
    /// An EU licence code.
    pub licence: &'static str,
    /// Spatial coverage; empty: the municipality.
    pub spatial: String,
    /// Names of related datasets.
    pub related: Vec<String>,
    /// Names of datasets this one is derived from.
    pub derived_from: Vec<String>,
    /// Who uses it (departments, companies, the national portal, …).
    pub consumers: Vec<String>,
    /// An HVD category code, when the dataset is a high-value dataset.
    pub hvd: Option<&'static str>,
    pub columns: Vec<Column>,
    pub apis: Vec<Api>,
    pub external: Vec<ExternalFile>,
    pub origin: Origin,
    /// When the description was first published (ms).
    pub issued: kernel::Timestamp,
    /// Too many rows to hold in memory (a history): downloads stream it
    /// page by page and the CKAN DataStore does not serve it.
    pub large: bool,
}

impl Dataset {
    /// Holds personal data (in some column): the personal-data flag.
    pub fn personal_data(&self) -> bool {
        self.columns.iter().any(|c| c.personal)
    }
    /// Its rows come from this platform (so CSV, JSON and GeoJSON are generated).
    pub fn has_rows(&self) -> bool {
        matches!(self.origin, Origin::Capability(_)) && !self.columns.is_empty()
    }
    /// Published columns have `lat` and `lon`: GeoJSON is offered.
    pub fn located(&self) -> bool {
        let public = |n: &str| self.columns.iter().any(|c| c.name == n && !c.personal);
        public("lat") && public("lon")
    }
    /// The formats generated from current data.
    pub fn formats(&self) -> Vec<Format> {
        if !self.has_rows() {
            return vec![];
        }
        let mut f = vec![Format::Csv, Format::Json];
        if self.located() {
            f.push(Format::GeoJson);
        }
        f
    }
    /// The CKAN organisation: the owner as a slug.
    pub fn organisation(&self) -> String {
        slug(&self.owner)
    }
}

/// A URL-safe lower-case slug: Slovenian letters folded, other runs become `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'č' | 'ć' => 'c',
            'š' => 's',
            'ž' => 'z',
            'đ' => 'd',
            'á' | 'à' | 'ä' => 'a',
            'é' | 'è' | 'ë' => 'e',
            'í' => 'i',
            'ó' | 'ö' => 'o',
            'ú' | 'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(100).collect()
}

/// A valid dataset name: 2–100 of `a-z0-9-_`, as CKAN requires.
pub fn valid_name(s: &str) -> bool {
    (2..=100).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A stable UUID-shaped id for a name (CKAN clients expect ids that look like UUIDs).
pub fn stable_id(kind: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("obcina:{kind}:{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &x[0..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_slovenian_letters() {
        assert_eq!(slug("Oddelek za gospodarske dejavnosti in promet"), "oddelek-za-gospodarske-dejavnosti-in-promet");
        assert_eq!(slug("Komunalno podjetje Ptuj d.d."), "komunalno-podjetje-ptuj-d-d");
        assert_eq!(slug("  Čistilna naprava Šturmovci – Žabjak "), "cistilna-naprava-sturmovci-zabjak");
        assert!(valid_name(&slug("Čistilna naprava")));
        assert!(!valid_name("Bad Name"));
    }

    #[test]
    fn stable_ids_look_like_uuids_and_do_not_change() {
        let a = stable_id("dataset", "fault-reports");
        assert_eq!(a, stable_id("dataset", "fault-reports"));
        assert_ne!(a, stable_id("dataset", "fault-report"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
    }
}
