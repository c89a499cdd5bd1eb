//! Which font a chart's text is drawn with.
//!
//! plotters' `ab_glyph` text backend never looks at the system: it draws only with fonts
//! registered by name through `plotters::style::register_font`, and fails with
//! `FontUnavailable` otherwise, for SVG too (it measures text with the font). So:
//!
//! - a Latin font (DejaVu Sans) is compiled in, so charts render on a machine with no fonts;
//! - so is a subset of a CJK font (WenQuanYi Micro Hei) holding every Chinese character of
//!   truce's own labels and of the shipped scenarios' titles, so their charts are the same on
//!   every machine;
//! - other Chinese text (a title of your own) needs a font that covers it: the `--font` path if
//!   given, else well-known paths, else a scan of the usual font folders. A candidate counts only
//!   if it really has glyphs (glyph id ≠ 0) for every character the chart needs;
//! - if none does, the chart is drawn with the embedded fonts, the text they cannot draw is
//!   replaced (a title by the scenario name), and a warning lists the missing characters in the
//!   order they appear, so a chart never shows empty boxes.
//!
//! `register_font` keeps a `FontRef<'static>` in a process-wide table, so the bytes it reads
//! must live until the process ends. A font read from disk is therefore leaked
//! (`Box::leak`) when it is registered, once per file and face: a process that draws many runs
//! pays a few megabytes once, not per chart. Registration is global and permanent; each font
//! gets its own family name so two fonts never replace each other under a running draw.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ab_glyph::{Font, FontRef};
use plotters::style::FontStyle;

use super::ChartError;

static LATIN_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// A subset of WenQuanYi Micro Hei (Apache-2.0) with every Chinese character truce's own labels
/// and shipped scenarios use, made by `scripts/font-subset.sh`.
static CJK_BYTES: &[u8] = include_bytes!("../../assets/fonts/truce-cjk.ttf");
const CJK_FAMILY: &str = "truce CJK, WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";
/// Also what an SVG viewer is asked for: DejaVu if it has it, else any sans-serif.
const LATIN_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
/// SVG viewers resolve the family themselves; these are the names of common CJK sans fonts.
const CJK_FAMILY_TAIL: &str = "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";

/// Paths tried first, in order, before the folders are scanned.
const WELL_KNOWN: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
];

/// File-name fragments (lower case) of CJK fonts looked for in the scanned folders.
const NAME_HINTS: &[&str] = &["wqy", "notosanscjk", "notosanssc", "sourcehansans", "droidsansfallback"];

/// Where to look for a CJK font when the text needs one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FontSearch {
    /// `ChartOptions::font`, then well-known paths and the usual font folders.
    #[default]
    System,
    /// Only `ChartOptions::font`, and the embedded Latin font: as on a machine with no fonts.
    EmbeddedOnly,
}

/// A registered font: its plotters family name and a handle to check glyph coverage.
pub struct LoadedFont {
    pub family: &'static str,
    pub font: FontRef<'static>,
    /// `None` for the embedded font.
    pub path: Option<PathBuf>,
}

impl LoadedFont {
    pub fn covers_char(&self, c: char) -> bool {
        c.is_whitespace() || c.is_control() || self.font.glyph_id(c).0 != 0
    }

    pub fn covers(&self, s: &str) -> bool {
        s.chars().all(|c| self.covers_char(c))
    }

    /// The characters of `s` this font has no glyph for, deduplicated, in order.
    pub fn missing(&self, s: &str) -> String {
        let mut seen = BTreeSet::new();
        s.chars().filter(|c| !self.covers_char(*c) && seen.insert(*c)).collect()
    }
}

/// True if `c` is in a CJK block (ideographs, kana, hangul, CJK punctuation, full-width forms):
/// a character the embedded Latin font cannot draw.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF   // radicals
        | 0x3000..=0x30FF // CJK punctuation, hiragana, katakana
        | 0x3100..=0x31FF // bopomofo, kanbun, strokes
        | 0x3400..=0x4DBF // extension A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xAC00..=0xD7AF // hangul
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFE30..=0xFE4F // compatibility forms
        | 0xFF00..=0xFFEF // full-width forms
        | 0x20000..=0x3134F)
}

/// The compiled-in Latin font, registered on first use.
pub fn latin() -> &'static LoadedFont {
    static LATIN: OnceLock<LoadedFont> = OnceLock::new();
    LATIN.get_or_init(|| {
        // The bytes are part of the binary; a failure here is a build mistake, not input.
        plotters::style::register_font(LATIN_FAMILY, FontStyle::Normal, LATIN_BYTES)
            .unwrap_or_else(|_| panic!("embedded DejaVuSans.ttf does not parse"));
        LoadedFont { family: LATIN_FAMILY, font: FontRef::try_from_slice(LATIN_BYTES).expect("embedded DejaVuSans.ttf parses"), path: None }
    })
}

/// The compiled-in CJK subset, registered on first use.
pub fn embedded_cjk() -> &'static LoadedFont {
    static CJK: OnceLock<LoadedFont> = OnceLock::new();
    CJK.get_or_init(|| {
        plotters::style::register_font(CJK_FAMILY, FontStyle::Normal, CJK_BYTES)
            .unwrap_or_else(|_| panic!("embedded truce-cjk.ttf does not parse"));
        LoadedFont { family: CJK_FAMILY, font: FontRef::try_from_slice(CJK_BYTES).expect("embedded truce-cjk.ttf parses"), path: None }
    })
}

/// Fonts read from disk and registered so far. Entries are never removed (their bytes are
/// leaked on purpose, see the module docs).
fn loaded() -> &'static Mutex<Vec<&'static LoadedFont>> {
    static LOADED: OnceLock<Mutex<Vec<&'static LoadedFont>>> = OnceLock::new();
    LOADED.get_or_init(|| Mutex::new(Vec::new()))
}

/// The registered font of a family name this module gave out, if any.
pub fn by_family(family: &str) -> Option<&'static LoadedFont> {
    let latin = latin();
    if family == latin.family {
        return Some(latin);
    }
    let cjk = embedded_cjk();
    if family == cjk.family {
        return Some(cjk);
    }
    loaded().lock().ok()?.iter().copied().find(|f| f.family == family)
}

/// What `choose` decided.
pub struct FontChoice {
    pub font: &'static LoadedFont,
    pub warnings: Vec<String>,
    /// No font covers the Chinese text: the caller must draw English labels and replace
    /// Chinese data strings.
    pub fallback: bool,
}

/// Picks the font for text that must show every character of `required`; `essential` (a part
/// of it: the chart's own labels) must be drawable, or the caller falls back to English.
///
/// `explicit` (the `--font` path) wins whenever it covers the text; a path that cannot be read
/// or is not a font is an error, one that lacks glyphs only a warning. Then the embedded fonts,
/// the same on every machine, then the machine's CJK fonts.
pub fn choose(essential: &str, required: &str, explicit: Option<&Path>, search: FontSearch) -> Result<FontChoice, ChartError> {
    // One search at a time, so that threads drawing at once do not read and leak the same
    // font twice.
    static SEARCHING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = SEARCHING.lock().unwrap_or_else(|e| e.into_inner());
    let mut warnings = Vec::new();
    if let Some(path) = explicit {
        match load_covering(path, required)? {
            Ok(f) => return Ok(FontChoice { font: f, warnings, fallback: false }),
            Err(missing) => warnings.push(format!("font {} has no glyphs for \"{missing}\"; using another font instead", path.display())),
        }
    }
    let latin = latin();
    if latin.covers(required) {
        return Ok(FontChoice { font: latin, warnings, fallback: false });
    }
    let cjk = embedded_cjk();
    if cjk.covers(required) {
        return Ok(FontChoice { font: cjk, warnings, fallback: false });
    }
    if search == FontSearch::System {
        if let Some(f) = search_system(required) {
            return Ok(FontChoice { font: f, warnings, fallback: false });
        }
    }
    // Nothing covers everything: the embedded font that draws the labels, with the text it
    // cannot draw replaced.
    let font = if latin.covers(essential) { latin } else { cjk };
    let missing = font.missing(required);
    let sample: String = missing.chars().take(12).collect();
    let more = if missing.chars().count() > 12 { "…" } else { "" };
    let fallback = !font.covers(essential);
    let replaced = if fallback {
        "charts are drawn with English labels, and a Chinese title is replaced by the scenario name"
    } else {
        "text with them (a title, a name) is replaced by the scenario's or actor's id"
    };
    warnings.push(format!(
        "no font has glyphs for \"{sample}{more}\": {replaced}. Install a font that has them \
         (Debian/Ubuntu: apt-get install fonts-wqy-microhei; or Noto Sans CJK) or pass --font PATH \
         to a .ttf/.otf/.ttc that has them"
    ));
    Ok(FontChoice { font: if fallback { latin } else { font }, warnings, fallback })
}

/// The first CJK font on this machine that covers `required`, or `None`.
fn search_system(required: &str) -> Option<&'static LoadedFont> {
    if let Some(f) = loaded().lock().ok()?.iter().find(|f| f.covers(required)) {
        return Some(f);
    }
    for path in candidate_paths() {
        if let Ok(Ok(f)) = load_covering(&path, required) {
            return Some(f);
        }
    }
    None
}

/// The path of a CJK font this machine has (one that draws 中文), as the search would find it.
/// For diagnostics and tests.
pub fn find_cjk_font() -> Option<PathBuf> {
    search_system("中文图表").and_then(|f| f.path.clone())
}

/// Well-known paths that exist, then matching files under the usual font folders.
pub fn candidate_paths() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = WELL_KNOWN.iter().map(PathBuf::from).filter(|p| p.is_file()).collect();
    let mut roots = vec![PathBuf::from("/usr/share/fonts"), PathBuf::from("/usr/local/share/fonts")];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        roots.push(home.join(".local/share/fonts"));
        roots.push(home.join(".fonts"));
    }
    let mut found = Vec::new();
    for root in roots {
        scan(&root, 0, &mut found);
    }
    found.sort();
    for p in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn scan(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth > 8 || found.len() > 200 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            scan(&path, depth + 1, found);
        } else if ft.is_file() || ft.is_symlink() {
            let name = e.file_name().to_string_lossy().to_lowercase();
            let font_ext = [".ttf", ".otf", ".ttc"].iter().any(|x| name.ends_with(x));
            if font_ext && NAME_HINTS.iter().any(|h| name.contains(h)) {
                found.push(path);
            }
        }
    }
}

/// Loads `path` (any face of a collection) if it covers `required`, registering it with
/// plotters. `Ok(Err(missing))`: a valid font without glyphs for `missing` (first face).
/// `Err`: unreadable or not a font.
fn load_covering(path: &Path, required: &str) -> Result<Result<&'static LoadedFont, String>, ChartError> {
    let font_err = |reason: String| ChartError::Font { path: path.to_path_buf(), reason };
    {
        // An already registered face that lacks the glyphs does not end the look-up: another
        // face of the same file may have them, at the cost of one more read.
        let cache = loaded().lock().map_err(|_| font_err("font cache poisoned".into()))?;
        if let Some(f) = cache.iter().find(|f| f.path.as_deref() == Some(path) && f.covers(required)) {
            return Ok(Ok(f));
        }
    }
    let bytes = read_font(path)?;
    let mut first_missing: Option<String> = None;
    for index in 0..face_count(&bytes) {
        let Ok(face) = FontRef::try_from_slice_and_index(&bytes, index) else {
            continue;
        };
        let mut seen = BTreeSet::new();
        let missing: String = required
            .chars()
            .filter(|&c| !(c.is_whitespace() || c.is_control() || face.glyph_id(c).0 != 0) && seen.insert(c))
            .take(12)
            .collect();
        if missing.is_empty() {
            return register(path, index, bytes).map(Ok).map_err(font_err);
        }
        first_missing.get_or_insert(missing);
    }
    match first_missing {
        Some(m) => Ok(Err(m)),
        None => Err(font_err("not a TrueType/OpenType font or collection".into())),
    }
}

/// Reads a font file (a regular file of a sane size only).
fn read_font(path: &Path) -> Result<Vec<u8>, ChartError> {
    crate::files::read_bytes(path, crate::files::FONT_LIMIT)
        .map_err(|e| ChartError::Font { path: path.to_path_buf(), reason: e.to_string() })
}

/// Checks, before any work, that `path` is a font truce can draw with (`--font`).
pub fn check_font_file(path: &Path) -> Result<(), ChartError> {
    let bytes = read_font(path)?;
    if (0..face_count(&bytes)).any(|i| FontRef::try_from_slice_and_index(&bytes, i).is_ok()) {
        Ok(())
    } else {
        Err(ChartError::Font { path: path.to_path_buf(), reason: "not a TrueType/OpenType font or collection".into() })
    }
}

/// Registers face `index` of `bytes` under a family name of its own and caches it.
fn register(path: &Path, index: u32, bytes: Vec<u8>) -> Result<&'static LoadedFont, String> {
    // plotters registers a slice with `FontRef::try_from_slice`, i.e. face 0 of a collection;
    // any other face is rewritten as a single font first.
    let bytes = if index == 0 { bytes } else { single_face(&bytes, index).ok_or("cannot extract face")? };
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let mut cache = loaded().lock().map_err(|_| "font cache poisoned".to_string())?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let family = format!("{stem}-{}-{}, {CJK_FAMILY_TAIL}", cache.len(), index);
    let family: &'static str = Box::leak(family.into_boxed_str());
    plotters::style::register_font(family, FontStyle::Normal, bytes).map_err(|_| "plotters could not register the font".to_string())?;
    let font = FontRef::try_from_slice(bytes).map_err(|e| e.to_string())?;
    let entry: &'static LoadedFont = Box::leak(Box::new(LoadedFont { family, font, path: Some(path.to_path_buf()) }));
    cache.push(entry);
    Ok(entry)
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

/// Number of faces: a TrueType collection ("ttcf") says so in its header; anything else has one.
fn face_count(bytes: &[u8]) -> u32 {
    if bytes.starts_with(b"ttcf") { be32(bytes, 8).unwrap_or(1).clamp(1, 64) } else { 1 }
}

/// Face `index` of a collection as a stand-alone font.
///
/// In a collection every face's table directory records table offsets from the start of the
/// file, so copying that directory over the collection header (position 0) yields a valid
/// single font without moving any table — provided no table starts inside the bytes we
/// overwrite, which is checked.
pub(crate) fn single_face(bytes: &[u8], index: u32) -> Option<Vec<u8>> {
    if !bytes.starts_with(b"ttcf") || index >= face_count(bytes) {
        return None;
    }
    let dir = be32(bytes, 12 + 4 * index as usize)? as usize;
    let tables = be16(bytes, dir + 4)? as usize;
    let len = 12 + 16 * tables;
    if dir + len > bytes.len() {
        return None;
    }
    for t in 0..tables {
        let table_offset = be32(bytes, dir + 12 + 16 * t + 8)? as usize;
        if table_offset < len {
            return None;
        }
    }
    let mut out = bytes.to_vec();
    out.copy_within(dir..dir + len, 0);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_detection() {
        let has_cjk = |s: &str| s.chars().any(is_cjk);
        assert!(has_cjk("终极博弈 — endgame"));
        assert!(has_cjk("停火（冻结冲突）"));
        assert!(!has_cjk("Ceasefire — 95% (km²)"));
    }

    #[test]
    fn embedded_font_covers_every_english_label() {
        let l = &super::super::labels::EN;
        let f = latin();
        for s in l.all_static() {
            assert!(f.covers(s), "DejaVu lacks {:?} in {s:?}", f.missing(s));
        }
        for s in l.all_formatted() {
            assert!(f.covers(&s), "DejaVu lacks {:?} in {s:?}", f.missing(&s));
        }
        assert!(!f.covers("中"));
    }

    #[test]
    fn single_face_rejects_plain_fonts() {
        assert!(single_face(LATIN_BYTES, 0).is_none());
        assert_eq!(face_count(LATIN_BYTES), 1);
    }

    #[test]
    fn second_face_of_a_collection_parses_alone() {
        let path = Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
        let bytes = std::fs::read(path)
            .unwrap_or_else(|e| panic!("{}: {e}; install it (apt-get install fonts-wqy-microhei; scripts/test.sh does)", path.display()));
        assert!(face_count(&bytes) >= 2);
        let one = single_face(&bytes, 1).expect("face 1 extracts");
        let f = FontRef::try_from_slice(&one).expect("face 1 parses as a single font");
        let orig = FontRef::try_from_slice_and_index(&bytes, 1).unwrap();
        for c in ['中', 'A', '%'] {
            assert_eq!(f.glyph_id(c), orig.glyph_id(c));
        }
    }

    #[test]
    fn missing_file_is_a_font_error_naming_it() {
        let err = choose("中", "中", Some(Path::new("/nonexistent/font.ttf")), FontSearch::EmbeddedOnly).err().expect("error");
        assert!(err.to_string().contains("/nonexistent/font.ttf"), "{err}");
    }

    /// The embedded subset draws every Chinese label and shipped title; a character outside it,
    /// with no other font, is replaced and named in the warning, in the order it appears.
    #[test]
    fn the_embedded_font_draws_truces_chinese_and_names_what_it_lacks_in_order() {
        let zh = &super::super::labels::ZH;
        let cjk = embedded_cjk();
        for s in zh.all_static() {
            assert!(cjk.covers(s), "the embedded CJK font lacks {:?} in {s:?}; run scripts/font-subset.sh", cjk.missing(s));
        }
        for s in zh.all_formatted() {
            assert!(cjk.covers(&s), "the embedded CJK font lacks {:?} in {s:?}; run scripts/font-subset.sh", cjk.missing(&s));
        }
        // Chinese that truce draws itself: the embedded font, even with no font on the machine.
        let c = choose("停火", "停火终极博弈", None, FontSearch::EmbeddedOnly).unwrap();
        assert!(!c.fallback && c.warnings.is_empty());
        assert_eq!(c.font.family, cjk.family);
        // A title of one's own with characters the subset lacks (here 鑫 and 龘, in that order).
        assert!(!cjk.covers_char('鑫') && !cjk.covers_char('龘'));
        let c = choose("停火", "停火鑫龘鑫", None, FontSearch::EmbeddedOnly).unwrap();
        assert!(!c.fallback, "the labels are still drawn in Chinese");
        assert!(c.warnings[0].contains("\"鑫龘\""), "{}", c.warnings[0]);
        assert!(c.warnings[0].contains("fonts-wqy-microhei"));
        // English labels with an undrawable title: English, the title replaced.
        let c = choose("Outcomes", "Outcomes龘鑫", None, FontSearch::EmbeddedOnly).unwrap();
        assert!(!c.fallback && c.font.family == latin().family);
        assert!(c.warnings[0].contains("\"龘鑫\""), "{}", c.warnings[0]);
        let c = choose("plain", "plain", None, FontSearch::EmbeddedOnly).unwrap();
        assert!(!c.fallback && c.warnings.is_empty());
    }

    /// Every shipped scenario's title and actor names are in the subset.
    #[test]
    fn the_embedded_font_covers_the_shipped_scenarios() {
        let cjk = embedded_cjk();
        for entry in glob_tomls(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))) {
            let text = std::fs::read_to_string(&entry).unwrap();
            for line in text.lines().filter(|l| l.trim_start().starts_with("title") || l.trim_start().starts_with("name")) {
                let value = line.split('#').next().unwrap();
                assert!(
                    value.chars().filter(|&c| is_cjk(c)).all(|c| cjk.covers_char(c)),
                    "{}: the embedded CJK font lacks {:?}; run scripts/font-subset.sh",
                    entry.display(),
                    cjk.missing(&value.chars().filter(|&c| is_cjk(c)).collect::<String>())
                );
            }
        }
    }

    fn glob_tomls(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(glob_tomls(&p));
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
        out
    }
}
