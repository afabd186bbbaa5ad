//! The schema: the fields of a passage's document, how tantivy stores them, and how a passage becomes a
//! document (its two views of the normalized text, and of its title).

use tantivy::TantivyDocument;
use tantivy::query::{Occur, Query};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::query_tree::QueryTree;
use crate::corpus::Passage;
use crate::corpus::date::PartialDate;
use crate::text::analyzer::{BIGRAMS_TOKENIZER, UNIGRAMS_TOKENIZER, WORDS_TOKENIZER};
use crate::text::normalize::{is_word_char, normalize};

/// Name of the field that marks lead passages (read as a fast field by the re-ranker).
pub const LEAD_FIELD: &str = "lead";
/// Name of the field that marks the passages whose article's title counts as part of them
/// ([`crate::corpus::Passage::headline`]; a fast field, queried by matching).
pub const HEADLINE_FIELD: &str = "headline";
/// Name of the field that names a passage's article ([`article_key`]; a fast field, for counting articles).
pub const ARTICLE_FIELD: &str = "article";

/// Name of the field that holds an article's date as a number `YYYYMMDD` ([`crate::corpus::date::PartialDate::key`];
/// indexed and fast: date filters are range queries on it, sorting and counting by period read it).
pub const DAY_FIELD: &str = "day";
/// Name of the field that holds an article's source (raw, stored and fast: `--source` is a term query on it,
/// counting by source reads it).
pub const SOURCE_FIELD: &str = "source";

/// What an article's file says of all its articles, for those whose text names nothing better: a date
/// (from the settings or the file's path) and a source (from the settings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDefaults {
    /// The date of articles that have none of their own.
    pub date: Option<crate::corpus::date::PartialDate>,
    /// The source of articles that have none of their own.
    pub source: Option<String>,
}

/// The key of an article, the same for all its passages: its path, and for a record of a JSON Lines archive
/// also its id (`news.jsonl`, NUL, `a17`).
pub fn article_key(path: &str, id: &str) -> String {
    if path == id {
        path.to_string()
    } else {
        format!("{path}\u{0}{id}")
    }
}
/// The schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Article path relative to the corpus root (raw, stored; used to delete a file's passages).
    pub path: Field,
    /// Passage ordinal in its article (stored).
    pub ordinal: Field,
    /// First character of the passage in the file (stored).
    pub start: Field,
    /// One past the last character of the passage in the file (stored).
    pub end: Field,
    /// Article title (stored; empty when the title is only the record's id, see [`Passage::title_is_id`]).
    pub title: Field,
    /// The passage's original text (stored).
    pub text: Field,
    /// Word view of the normalized text (indexed with frequencies, no positions).
    pub words: Field,
    /// Character view of the normalized text: its bigrams (indexed with positions).
    pub chars: Field,
    /// Character view of the normalized text: its unigrams (indexed with frequencies, no positions).
    pub unigrams: Field,
    /// Article id (raw, stored).
    pub id: Field,
    /// Article date, if any (stored): as the record wrote it where sou can't read it, else as
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub date: Field,
    /// Article date as `YYYYMMDD` ([`DAY_FIELD`]; absent where the article has no date that sou can read).
    pub day: Field,
    /// Line of the record in a JSON Lines file (stored).
    pub line: Field,
    /// 1 if the passage is the lead of its article (stored, and a fast field: re-ranking reads it before
    /// loading a document).
    pub lead: Field,
    /// Word view of the normalized title.
    pub title_words: Field,
    /// Character view of the normalized title: bigrams (positions).
    pub title_chars: Field,
    /// Character view of the normalized title: unigrams.
    pub title_unigrams: Field,
    /// The passage's article ([`article_key`]; raw, a fast field).
    pub article: Field,
    /// The article's kicker (stored; also indexed in the title views, after the title).
    pub kicker: Field,
    /// The article's byline (stored).
    pub byline: Field,
    /// The article's source ([`SOURCE_FIELD`]: raw, stored and fast).
    pub source: Field,
    /// The place of the article's dateline (stored).
    pub place: Field,
    /// For a re-joined passage, its pieces' character ranges: start, end, start, end… (stored).
    pub pieces: Field,
    /// 1 if the article's title counts as part of the passage ([`HEADLINE_FIELD`]; stored and fast).
    pub headline: Field,
    /// The article's reprint signature, on its last passage only ([`super::reprints::REPRINT_FIELD`]: bytes,
    /// fast; [`super::reprints::Signature::to_bytes`]).
    pub reprint: Field,
}

/// How tantivy stores the passages: zstd in blocks of [`DOCSTORE_BLOCK`] bytes. Chinese text in UTF-8 takes 3
/// bytes a character and lz4 (tantivy's default) shrinks it little. On the `xwlb` eval archive the store is
/// 44.7 MB with lz4 in 16 KB blocks, 32.8 MB with zstd in 16 KB blocks and 34.4 MB in 8 KB blocks; a search
/// decompresses one block per candidate it reads, and with 8 KB blocks a one-shot search (`厄立特里亚`) took
/// 5.9 ms against 5.5 ms with lz4 and 6.8 ms with 16 KB zstd blocks (hyperfine, one run).
pub(crate) fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(DOCSTORE_LEVEL),
        }),
        docstore_blocksize: DOCSTORE_BLOCK,
        ..Default::default()
    }
}

/// zstd level of the stored passages.
const DOCSTORE_LEVEL: i32 = 3;
/// Bytes of stored documents compressed together.
const DOCSTORE_BLOCK: usize = 8_192;

/// The schema every sou index has (its fields: [`Fields`]); an index whose schema differs is refused as one
/// of another sou.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexed = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    // Only the bigrams need positions: every literal string of two or more characters is a phrase of them.
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let freqs = IndexRecordOption::WithFreqs;
    let fields = Fields {
        path: b.add_text_field("path", STRING | STORED),
        ordinal: b.add_u64_field("ordinal", STORED),
        start: b.add_u64_field("start", STORED),
        end: b.add_u64_field("end", STORED),
        title: b.add_text_field("title", STORED),
        text: b.add_text_field("text", STORED),
        words: b.add_text_field("words", indexed(WORDS_TOKENIZER, freqs)),
        chars: b.add_text_field("chars", indexed(BIGRAMS_TOKENIZER, positions)),
        unigrams: b.add_text_field("unigrams", indexed(UNIGRAMS_TOKENIZER, freqs)),
        id: b.add_text_field("id", STRING | STORED),
        date: b.add_text_field("date", STORED),
        line: b.add_u64_field("line", STORED),
        lead: b.add_u64_field(LEAD_FIELD, STORED | FAST),
        title_words: b.add_text_field("title_words", indexed(WORDS_TOKENIZER, freqs)),
        title_chars: b.add_text_field("title_chars", indexed(BIGRAMS_TOKENIZER, positions)),
        title_unigrams: b.add_text_field("title_unigrams", indexed(UNIGRAMS_TOKENIZER, freqs)),
        article: b.add_text_field(ARTICLE_FIELD, STRING | FAST),
        kicker: b.add_text_field("kicker", STORED),
        byline: b.add_text_field("byline", STORED),
        source: b.add_text_field(SOURCE_FIELD, STRING | STORED | FAST),
        place: b.add_text_field("place", STORED),
        pieces: b.add_u64_field("pieces", STORED),
        headline: b.add_u64_field(HEADLINE_FIELD, STORED | FAST),
        day: b.add_u64_field(DAY_FIELD, INDEXED | FAST),
        reprint: b.add_bytes_field(super::reprints::REPRINT_FIELD, FAST),
    };
    (b.build(), fields)
}

/// The document of passage `p`; `defaults` fill in the date and source that the passage's article has not.
pub(crate) fn passage_doc(
    fields: &Fields,
    p: &Passage,
    defaults: &FileDefaults,
) -> TantivyDocument {
    let norm = normalize(&p.text);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.path, &p.path);
    doc.add_u64(fields.ordinal, u64::from(p.ordinal));
    doc.add_u64(fields.start, p.start as u64);
    doc.add_u64(fields.end, p.end as u64);
    // A record's id standing in for its title is stored once, as the id (search shows it as the title).
    doc.add_text(fields.title, if p.title_is_id { "" } else { &p.title });
    doc.add_text(fields.text, &p.text);
    doc.add_text(fields.id, &p.id);
    // A date that sou can read is stored as it shows it and indexed as a number; another is kept as written.
    match p.date.as_deref().map(|d| (d, PartialDate::parse(d))) {
        Some((_, Some(d))) => {
            doc.add_text(fields.date, d.to_string());
            doc.add_u64(fields.day, d.key());
        }
        Some((raw, None)) if defaults.date.is_none() => doc.add_text(fields.date, raw),
        _ => {
            if let Some(d) = defaults.date {
                doc.add_text(fields.date, d.to_string());
                doc.add_u64(fields.day, d.key());
            }
        }
    }
    if let Some(line) = p.line {
        doc.add_u64(fields.line, line);
    }
    doc.add_u64(fields.lead, u64::from(p.lead));
    doc.add_u64(fields.headline, u64::from(p.headline));
    doc.add_text(fields.article, article_key(&p.path, &p.id));
    // (A source is a name: spaces around it are no part of it.)
    let source = p
        .about
        .source
        .as_deref()
        .or(defaults.source.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    for (field, value) in [
        (fields.kicker, p.about.kicker.as_ref()),
        (fields.byline, p.about.byline.as_ref()),
        (fields.source, source.as_ref()),
        (fields.place, p.about.place.as_ref()),
    ] {
        if let Some(v) = value {
            doc.add_text(field, v);
        }
    }
    for &(a, b) in &p.pieces {
        doc.add_u64(fields.pieces, a as u64);
        doc.add_u64(fields.pieces, b as u64);
    }
    add_views(
        &mut doc,
        fields,
        &norm.text,
        (!p.title_is_id).then(|| headline(&p.title, p.about.kicker.as_deref())),
    );
    doc
}

/// Adds the views of a passage's normalized text and of its article's headline ([`headline`]; None when the
/// title is the record's id, which is not searched as a title).
fn add_views(doc: &mut TantivyDocument, fields: &Fields, norm_text: &str, head: Option<String>) {
    doc.add_text(fields.words, norm_text);
    doc.add_text(fields.chars, norm_text);
    doc.add_text(fields.unigrams, norm_text);
    if let Some(head) = head {
        let title = normalize(&head);
        doc.add_text(fields.title_words, &title.text);
        doc.add_text(fields.title_chars, &title.text);
        doc.add_text(fields.title_unigrams, &title.text);
    }
}

/// A passage's whole document from the stored fields of one read back from an index (`stored`): what
/// `passage_doc` indexed without storing (the article key, the day, the views of the text and of the
/// title) made again from the stored values, as `passage_doc` made it. The reprint signature is not made.
pub fn complete_doc(fields: &Fields, stored: &TantivyDocument) -> TantivyDocument {
    use tantivy::schema::Value;
    let text_of = |field| {
        stored
            .get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let mut doc = stored.clone();
    let (path, id) = (text_of(fields.path), text_of(fields.id));
    doc.add_text(fields.article, article_key(&path, &id));
    if let Some(d) = PartialDate::parse(&text_of(fields.date)) {
        doc.add_u64(fields.day, d.key());
    }
    let title = text_of(fields.title);
    let kicker = stored.get_first(fields.kicker).and_then(|v| v.as_str());
    // An empty stored title: the record's id stood in for it (see passage_doc).
    let head = (!title.is_empty()).then(|| headline(&title, kicker));
    add_views(
        &mut doc,
        fields,
        &normalize(&text_of(fields.text)).text,
        head,
    );
    doc
}

/// What the title views index: the title, and after it the kicker if the article has one (a separator that
/// is not a word character keeps phrases from running across them).
pub fn headline(title: &str, kicker: Option<&str>) -> String {
    match kicker {
        Some(k) if !k.is_empty() => format!("{title}{HEADLINE_SEPARATOR}{k}"),
        _ => title.to_string(),
    }
}

/// Between the title and the kicker in [`headline`].
pub const HEADLINE_SEPARATOR: &str = " / ";

/// The literal string `s` as a query on the character view: a phrase of its bigrams at their offsets (field
/// `bigrams`), and the unigrams of its isolated characters (field `unigrams`, which has no positions). Returns
/// the query and whether `s` has characters the view does not index (then the match must be verified on the
/// text: the positions of the pieces between those characters are not checked exactly). None if `s` has no
/// word characters.
pub fn char_phrase(bigrams: Field, unigrams: Field, s: &str) -> Option<(Box<dyn Query>, bool)> {
    char_phrase_tree(bigrams, unigrams, s).map(|(q, gaps)| (q.to_tantivy(), gaps))
}

/// [`char_phrase`] as a [`QueryTree`].
pub fn char_phrase_tree(bigrams: Field, unigrams: Field, s: &str) -> Option<(QueryTree, bool)> {
    let chars: Vec<char> = s.chars().collect();
    let mut terms: Vec<(usize, String)> = Vec::new();
    let mut singles: Vec<String> = Vec::new();
    let mut has_gaps = false;
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i]) {
            has_gaps = true;
            i += 1;
            continue;
        }
        let a = i;
        while i < chars.len() && is_word_char(chars[i]) {
            i += 1;
        }
        let b = i;
        if b - a == 1 {
            singles.push(chars[a].to_string());
            continue;
        }
        // Bigrams at a, a+2, …; then one ending at b if the last char is not covered yet.
        let mut p = a;
        while p + 2 <= b {
            terms.push((p, chars[p..p + 2].iter().collect::<String>()));
            p += 2;
        }
        if p < b {
            terms.push((b - 2, chars[b - 2..b].iter().collect::<String>()));
        }
    }
    let mut pieces: Vec<QueryTree> = Vec::new();
    match terms.len() {
        0 => {}
        1 => pieces.push(QueryTree::term(bigrams, &terms.remove(0).1)),
        _ => {
            let base = terms[0].0;
            let terms = terms.into_iter().map(|(o, t)| (o - base, t)).collect();
            pieces.push(QueryTree::Phrase {
                field: bigrams,
                terms,
            });
        }
    }
    for t in singles {
        pieces.push(QueryTree::term(unigrams, &t));
    }
    match pieces.len() {
        0 => None,
        1 => Some((pieces.remove(0), has_gaps)),
        _ => Some((
            QueryTree::Bool(pieces.into_iter().map(|q| (Occur::Must, q)).collect()),
            has_gaps,
        )),
    }
}
