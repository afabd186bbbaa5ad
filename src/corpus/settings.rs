//! Per-corpus settings: `sou.toml` at the corpus root says how to read some of its files (as newspaper pages,
//! with which paper and date; a JSON Lines archive's field names), so that one corpus can mix kinds.
//!
//! ```toml
//! # sou.toml
//! [[files]]
//! glob = "keji-ribao-*.txt"   # which files: a glob on the path relative to the corpus root, `/`-separated
//! layout = "page"             # "page": a newspaper page of several articles; "article" (default): one
//! paper = "科技日报"           # what 本报 in a dateline means, and the source of the page's articles
//! date = "2023-03-01"         # the page's date: the year of its datelines
//!
//! [[files]]
//! glob = "rmrb/**"
//! source = "人民日报"          # the articles' source where a dateline or a record names none
//! path_date = 'rmrb(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)'  # where the path says the date (default: 2023/01/05/…, 20230105-…)
//!
//! [[files]]
//! glob = "wires/*.jsonl"
//! id_field = "uid"            # JSON Lines field names for these archives (as --id-field …)
//! body_field = "content"
//! ```
//!
//! Every `[[files]]` section whose glob matches a file applies to it, in the file's order, a later value
//! replacing an earlier one (as `.gitattributes` does). Globs are those of ripgrep's `globset`: `*` does not
//! cross `/`, `**` does; a glob without `/` matches the file name in any folder. Unknown keys are an error
//! (a misspelt key must not be silently ignored). The index remembers each file's settings: a file whose
//! settings change is read again by the next `sou index`.

use std::path::Path;

use globset::{Glob, GlobMatcher};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::date::{PartialDate, date_from_path, path_date_pattern};

/// Name of the settings file at the corpus root.
pub const SETTINGS_FILE: &str = "sou.toml";

/// How a text file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One article per file (headings title the passages after them).
    #[default]
    Article,
    /// A newspaper page: several articles, their columns interleaved ([`super::page`]).
    Page,
}

/// One `[[files]]` section.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    glob: String,
    layout: Option<Layout>,
    paper: Option<String>,
    source: Option<String>,
    date: Option<String>,
    path_date: Option<String>,
    id_field: Option<String>,
    title_field: Option<String>,
    body_field: Option<String>,
    date_field: Option<String>,
    source_field: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    #[serde(default)]
    files: Vec<Section>,
}

/// The settings of one file: what the sections that match it say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileSettings {
    /// How to read it.
    #[serde(default)]
    pub layout: Layout,
    /// The paper it comes from (`本报` in its datelines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<String>,
    /// The source of its articles where a dateline or a record names none (default: `paper`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its date, as written in the settings: a day, a month or a year ([`crate::corpus::date::PartialDate`];
    /// checked when the settings are read). It replaces a date in the file's path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The pattern that finds a date in the file's path ([`crate::corpus::date::path_date_pattern`]; empty:
    /// none; unset: the default forms of [`crate::corpus::date::date_from_path`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_date: Option<String>,
    /// JSON Lines field names that replace the index's for this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_field: Option<String>,
    /// See `id_field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_field: Option<String>,
    /// See `id_field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_field: Option<String>,
    /// See `id_field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_field: Option<String>,
    /// See `id_field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_field: Option<String>,
}

impl FileSettings {
    /// Are these the settings of a file that no section names?
    pub fn is_default(&self) -> bool {
        *self == FileSettings::default()
    }

    /// A short string that changes when the settings do (stored in the index's manifest; empty for the
    /// default settings).
    pub fn fingerprint(&self) -> String {
        if self.is_default() {
            String::new()
        } else {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// A corpus's settings ([`SETTINGS_FILE`]).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Each section, with its `path_date` compiled (`Some(None)`: none, `None`: not set).
    sections: Vec<(GlobMatcher, Section, Option<Option<Regex>>)>,
}

impl Settings {
    /// Reads `root/sou.toml`; no file means no settings. Errors ([`crate::Error::Settings`]): the file can't
    /// be read, isn't TOML of this shape (unknown keys included), has a bad glob, or a `date` that is not
    /// `YYYY-MM-DD`.
    pub fn load(root: &Path) -> crate::Result<Settings> {
        let path = root.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(crate::Error::io(path, e)),
        };
        Settings::parse(&text).map_err(|message| crate::Error::Settings { path, message })
    }

    /// Parses the text of a settings file; the error is one line.
    pub fn parse(text: &str) -> Result<Settings, String> {
        let file: SettingsFile = toml::from_str(text).map_err(|e| {
            // toml's message spans several lines (it quotes the source): keep its first and the span.
            let first = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: {first}")
                }
                None => first,
            }
        })?;
        let mut sections = Vec::new();
        for s in file.files {
            let glob = Glob::new(&s.glob)
                .map_err(|e| format!("glob {:?}: {e}", s.glob))?
                .compile_matcher();
            if let Some(d) = &s.date
                && PartialDate::parse(d).is_none()
            {
                return Err(format!(
                    "date {d:?} is no date (YYYY-MM-DD, YYYY-MM or YYYY; glob {:?})",
                    s.glob
                ));
            }
            let path_date = match s.path_date.as_deref() {
                Some("") => Some(None),
                Some(p) => Some(Some(
                    path_date_pattern(p).map_err(|e| format!("{e} (glob {:?})", s.glob))?,
                )),
                None => None,
            };
            sections.push((glob, s, path_date));
        }
        Ok(Settings { sections })
    }

    /// The sections whose glob matches the file at `rel`, in the file's order.
    fn matching<'a>(
        &'a self,
        rel: &'a str,
    ) -> impl Iterator<Item = &'a (GlobMatcher, Section, Option<Option<Regex>>)> + 'a {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        self.sections.iter().filter(move |(glob, s, _)| {
            if s.glob.contains('/') {
                glob.is_match(rel)
            } else {
                glob.is_match(name)
            }
        })
    }

    /// The date of the file at `rel` where its content names none: the settings' `date`, else the date in its
    /// path (by the last `path_date` that applies, else by the default forms of [`date_from_path`]).
    pub fn file_date(&self, rel: &str) -> Option<PartialDate> {
        let mut date = None;
        let mut pattern: Option<&Option<Regex>> = None;
        for (_, s, p) in self.matching(rel) {
            if let Some(d) = &s.date {
                date = PartialDate::parse(d);
            }
            if let Some(p) = p {
                pattern = Some(p);
            }
        }
        date.or_else(|| match pattern {
            Some(None) => None,
            Some(Some(re)) => date_from_path(rel, Some(re)),
            None => date_from_path(rel, None),
        })
    }

    /// The settings of the file at `rel` (relative to the corpus root, `/`-separated).
    pub fn for_file(&self, rel: &str) -> FileSettings {
        let mut out = FileSettings::default();
        for (_, s, _) in self.matching(rel) {
            if let Some(l) = s.layout {
                out.layout = l;
            }
            let set = |slot: &mut Option<String>, v: &Option<String>| {
                if v.is_some() {
                    slot.clone_from(v);
                }
            };
            set(&mut out.paper, &s.paper);
            set(&mut out.source, &s.source);
            set(&mut out.date, &s.date);
            set(&mut out.path_date, &s.path_date);
            set(&mut out.id_field, &s.id_field);
            set(&mut out.title_field, &s.title_field);
            set(&mut out.body_field, &s.body_field);
            set(&mut out.date_field, &s.date_field);
            set(&mut out.source_field, &s.source_field);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_apply_in_order_and_globs_match_names_or_paths() {
        let s = Settings::parse(
            r#"
[[files]]
glob = "*.txt"
layout = "page"
paper = "科技日报"

[[files]]
glob = "2023/**/*.txt"
date = "2023-03-01"
paper = "人民日报"

[[files]]
glob = "wires/*.jsonl"
id_field = "uid"
"#,
        )
        .unwrap();
        let a = s.for_file("page.txt");
        assert_eq!(a.layout, Layout::Page);
        assert_eq!(a.paper.as_deref(), Some("科技日报"));
        assert_eq!(a.date, None);
        // A glob without `/` matches the name in any folder; a later section wins.
        let b = s.for_file("2023/03/page.txt");
        assert_eq!(b.layout, Layout::Page);
        assert_eq!(b.paper.as_deref(), Some("人民日报"));
        assert_eq!(b.date.as_deref(), Some("2023-03-01"));
        assert_eq!(s.for_file("wires/a.jsonl").id_field.as_deref(), Some("uid"));
        assert!(s.for_file("other/a.jsonl").is_default());
        assert_eq!(s.for_file("other/a.jsonl").fingerprint(), "");
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn mistakes_are_one_line_errors() {
        for (text, needle) in [
            ("[[files]]\nglob = \"*.txt\"\nlayuot = \"page\"\n", "layuot"),
            ("[[files]]\nglob = \"*.txt\"\nlayout = \"pages\"\n", "pages"),
            ("[[files]]\nglob = \"[\"\n", "glob"),
            (
                "[[files]]\nglob = \"*.txt\"\ndate = \"2023-2-30\"\n",
                "no date",
            ),
            (
                "[[files]]\nglob = \"*.txt\"\npath_date = \"(\"\n",
                "path_date",
            ),
            (
                "[[files]]\nglob = \"*.txt\"\npath_date = \"[0-9]+\"\n",
                "group named y",
            ),
            ("[[files]\n", "line 1"),
            ("[[files]]\nlayout = \"page\"\n", "glob"),
        ] {
            let e = Settings::parse(text).unwrap_err();
            assert!(e.contains(needle), "{text:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        assert!(Settings::parse("").unwrap().sections.is_empty());
    }
}
