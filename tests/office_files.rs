//! Word documents and EPUB books (`tests/fixtures/office`, copied from `../shared/fixtures/office`): each
//! fixture read by the library's extractors and compared with `truth.json`; bad files, made here, refused with
//! the right error and never a panic.

use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};

use serde_json::Value;
use sou::corpus::office::{extract_docx, extract_epub};
use sou::corpus::{Document, ExtractError, Format, extract};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/office")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn truth() -> Value {
    serde_json::from_slice(&fixture("truth.json")).expect("truth.json")
}

fn s(v: &Value) -> &str {
    v.as_str().expect("a string in truth.json")
}

/// Reads a file as sou's indexer will: its format from its bytes, then [`extract`] with the time limit.
fn read(name: &str, bytes: Vec<u8>) -> Result<Document, ExtractError> {
    let ext = name.rsplit('.').next().unwrap_or("");
    let format = Format::sniff(&bytes[..bytes.len().min(4096)], ext);
    extract(format, bytes, Duration::from_secs(60))
}

/// The article's paragraphs in document order, as truth.json gives them: subtitle, the byline line, the
/// first body paragraph, the heading, the second, the table's rows (cells joined by a tab), the rest, and
/// the footnote last. The byline line also holds the date, so only its start is known.
fn expected_article(t: &Value) -> Vec<String> {
    let body: Vec<&str> = t["paragraphs"].as_array().unwrap().iter().map(s).collect();
    let cells: Vec<&str> = t["table"].as_array().unwrap().iter().map(s).collect();
    let mut want = vec![
        s(&t["subtitle"]).to_string(),
        s(&t["byline"]).to_string(),
        body[0].to_string(),
        s(&t["heading"]).to_string(),
        body[1].to_string(),
    ];
    want.extend(cells.chunks(2).map(|row| row.join("\t")));
    want.extend(body[2..].iter().map(|p| p.to_string()));
    want.push(s(&t["footnote"]).to_string());
    want
}

fn assert_article(got: &[String], t: &Value, what: &str) {
    let want = expected_article(t);
    assert_eq!(got.len(), want.len(), "{what}: {got:#?}");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if i == 1 {
            assert!(g.starts_with(w.as_str()), "{what}: byline line {g:?}");
        } else {
            assert_eq!(g, w, "{what}: paragraph {i}");
        }
    }
    let all = got.join("\n");
    assert!(
        !all.contains(s(&t["header"])),
        "{what}: the page header is indexed"
    );
    assert!(
        !got.iter().any(|p| p.contains(s(&t["footer"]))),
        "{what}: the page footer is indexed"
    );
    assert!(
        !got.iter().any(|p| p == s(&t["title"])),
        "{what}: the title is repeated as a paragraph"
    );
}

#[test]
fn docx_paragraphs_table_and_footnote_in_order_without_header_and_footer() {
    let t = truth();
    let doc = extract_docx(&fixture("article.docx")).expect("article.docx");
    assert_eq!(doc.title.as_deref(), Some(s(&t["title"])));
    // The package's dcterms:created is when the file was saved, not the article's date: not used.
    assert_eq!(doc.date, None);
    assert_eq!(doc.articles.len(), 1);
    let a = &doc.articles[0];
    assert_eq!(a.anchor, "");
    assert_eq!(a.title, None, "the article takes the document's title");
    // The article's own byline and date, from its head (the byline line), which stays in the body.
    assert_eq!(a.byline.as_deref(), Some(s(&t["byline"])));
    assert_eq!(a.date.as_deref(), Some(s(&t["date"])));
    assert_article(&a.paragraphs, &t, "article.docx");
    assert_eq!(
        a.paragraphs.last().map(String::as_str),
        Some(s(&t["footnote"]))
    );
    // The same through the indexer's path: sniffed as DOCX, read within the time limit.
    assert_eq!(read("article.docx", fixture("article.docx")), Ok(doc));
}

#[test]
fn epub_made_by_libreoffice_reads_as_the_same_article() {
    let t = truth();
    let doc = read("article.epub", fixture("article.epub")).expect("article.epub");
    assert_eq!(doc.title.as_deref(), Some(s(&t["title"])));
    assert_eq!(
        doc.date, None,
        "the book has no dc:date (only dcterms:modified)"
    );
    assert_eq!(
        doc.articles.len(),
        1,
        "the nav document and the NCX are not chapters"
    );
    let a = &doc.articles[0];
    assert_eq!(a.anchor, "#c1");
    assert_eq!(
        a.title, None,
        "no heading: the chapter takes the book's title"
    );
    assert_eq!(a.byline.as_deref(), Some(s(&t["byline"])));
    assert_eq!(a.date.as_deref(), Some(s(&t["date"])));
    assert_article(&a.paragraphs, &t, "article.epub");
}

#[test]
fn book_chapters_in_spine_order_with_titles_date_and_no_nav() {
    let t = &truth()["epub"];
    let doc = read("book.epub", fixture("book.epub")).expect("book.epub");
    assert_eq!(doc.title.as_deref(), Some(s(&t["title"])));
    assert_eq!(doc.date.as_deref(), Some(s(&t["date"])));
    let chapters = t["chapters"].as_array().unwrap();
    assert_eq!(doc.articles.len(), chapters.len(), "{doc:#?}");
    for (i, (a, c)) in doc.articles.iter().zip(chapters).enumerate() {
        assert_eq!(a.anchor, format!("#c{}", i + 1));
        assert_eq!(a.title.as_deref(), Some(s(&c["title"])));
        assert_eq!(a.date, None, "a chapter takes the book's date");
        let want: Vec<&str> = c["paragraphs"].as_array().unwrap().iter().map(s).collect();
        assert_eq!(a.paragraphs, want, "chapter {}", i + 1);
    }
    let all = sou::corpus::document_text(&doc);
    assert!(!all.contains("目录"), "the navigation document is indexed");
    // Passages: each chapter's id is the path and its anchor, titled by the chapter.
    let passages = sou::corpus::split_document(
        "book.epub",
        &doc,
        &sou::corpus::FileSettings::default(),
        &sou::corpus::SplitConfig::default(),
    );
    for (i, c) in chapters.iter().enumerate() {
        let id = format!("book.epub#c{}", i + 1);
        assert!(
            passages
                .iter()
                .any(|p| p.id == id && p.title == s(&c["title"])),
            "{id}"
        );
    }
}

#[test]
fn a_legacy_doc_is_unsupported() {
    match read("article.doc", fixture("article.doc")) {
        Err(ExtractError::Unsupported(why)) => assert!(why.contains(".docx"), "{why}"),
        other => panic!("{other:?}"),
    }
}

// ---- bad files ----

/// An OLE2 compound file holding an `EncryptedPackage` stream, as Word saves a .docx with a password: the
/// signature, then a directory entry's UTF-16 name.
fn encrypted_office_file() -> Vec<u8> {
    let mut f = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    f.resize(1024, 0);
    for name in ["EncryptionInfo", "EncryptedPackage"] {
        let mut entry: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        entry.resize(128, 0);
        f.extend(entry);
    }
    f.resize(4096, 0);
    f
}

#[test]
fn a_docx_with_a_password_is_encrypted() {
    let f = encrypted_office_file();
    assert_eq!(extract_docx(&f), Err(ExtractError::Encrypted));
    // It sniffs as a legacy .doc (an OLE2 file), and is still told apart from one.
    assert_eq!(read("secret.docx", f), Err(ExtractError::Encrypted));
}

#[test]
fn truncated_and_damaged_docx_are_corrupt() {
    let bytes = fixture("article.docx");
    for cut in [
        10,
        100,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 30,
        bytes.len() - 1,
    ] {
        match extract_docx(&bytes[..cut]) {
            Err(ExtractError::Corrupt(_)) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    // Damage document.xml's packed bytes: the entry's checksum or its deflate stream tells.
    let start = find(&bytes, b"word/document.xml").expect("the local header") + 40;
    let mut damaged = bytes.clone();
    for b in &mut damaged[start..start + 200] {
        *b ^= 0x5A;
    }
    match extract_docx(&damaged) {
        Err(ExtractError::Corrupt(_)) => {}
        other => panic!("{other:?}"),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn not_a_zip_named_docx_or_epub_is_corrupt() {
    let text = "这不是一个Word文件，只是改了扩展名的文本。"
        .repeat(20)
        .into_bytes();
    assert!(matches!(extract_docx(&text), Err(ExtractError::Corrupt(_))));
    assert!(matches!(extract_epub(&text), Err(ExtractError::Corrupt(_))));
    assert!(matches!(extract_docx(b""), Err(ExtractError::Corrupt(_))));
    // The reason reads as English.
    let why = extract_epub(&text).unwrap_err().to_string();
    assert!(why.contains("not an EPUB"), "{why}");
    let why = extract_docx(&text).unwrap_err().to_string();
    assert!(why.contains("not a DOCX"), "{why}");
    // A zip that is neither.
    let z = zip_of(&[("notes.txt", "随便写的".as_bytes())]);
    assert!(matches!(extract_docx(&z), Err(ExtractError::Corrupt(_))));
    assert!(matches!(extract_epub(&z), Err(ExtractError::Corrupt(_))));
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let opt =
            zip::write::SimpleFileOptions::default().compression_method(if *name == "mimetype" {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            });
        w.start_file(*name, opt).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The entries of a zip, names and bytes, in order.
fn entries_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// book.epub with `extra` entries added.
fn book_with(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let entries = entries_of(&fixture("book.epub"));
    let mut all: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    all.extend_from_slice(extra);
    zip_of(&all)
}

#[test]
fn an_epub_whose_chapters_are_encrypted_is_refused_but_obfuscated_fonts_are_not() {
    let enc = |uri: &str, algorithm: &str| {
        format!(
            r#"<?xml version="1.0"?><encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
<enc:EncryptedData><enc:EncryptionMethod Algorithm="{algorithm}"/><enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData></encryption>"#
        )
    };
    let drm = enc(
        "OEBPS/text/ch0.xhtml",
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    );
    let book = book_with(&[("META-INF/encryption.xml", drm.as_bytes())]);
    assert_eq!(read("drm.epub", book), Err(ExtractError::Encrypted));
    let fonts = enc("OEBPS/fonts/a.otf", "http://www.idpf.org/2008/embedding");
    let book = book_with(&[("META-INF/encryption.xml", fonts.as_bytes())]);
    let doc = read("fonts.epub", book).expect("fonts only obfuscated");
    assert_eq!(doc.articles.len(), 2);
}

#[test]
fn an_epub_missing_its_parts_is_corrupt() {
    let entries = entries_of(&fixture("book.epub"));
    let without = |skip: &str| {
        let kept: Vec<(&str, &[u8])> = entries
            .iter()
            .filter(|(n, _)| !n.starts_with(skip))
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        zip_of(&kept)
    };
    for (skip, needle) in [
        ("META-INF/container.xml", "container.xml"),
        ("OEBPS/content.opf", "package document"),
        ("OEBPS/text/", "chapters"),
    ] {
        match extract_epub(&without(skip)) {
            Err(ExtractError::Corrupt(why)) => assert!(why.contains(needle), "{skip}: {why}"),
            other => panic!("{skip}: {other:?}"),
        }
    }
}

/// A deflate stream of `mib` MiB of zeros, made without packing them all: a block for 1 MiB, flushed to a
/// byte boundary and not final, repeated (each copy only refers back to zeros), then an empty final block.
fn deflated_zeros(mib: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut block = Vec::with_capacity(64 << 10);
    c.compress_vec(&vec![0u8; 1 << 20], &mut block, flate2::FlushCompress::Sync)
        .unwrap();
    let mut out = Vec::with_capacity(block.len() * mib + 2);
    for _ in 0..mib {
        out.extend_from_slice(&block);
    }
    // A final block of fixed Huffman codes holding only its end code.
    out.extend_from_slice(&[0x03, 0x00]);
    out
}

/// An entry of [`raw_zip`]: `(name, method, flags, crc, declared unpacked size, packed data)`.
type RawEntry<'a> = (&'a str, u16, u16, u32, u32, &'a [u8]);

/// A zip built by hand, so that its headers can say what they like.
fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for &(name, method, flags, crc, size, data) in entries {
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend(20u16.to_le_bytes()); // version needed
            v.extend(flags.to_le_bytes());
            v.extend(method.to_le_bytes());
            v.extend(0u16.to_le_bytes()); // time
            v.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
            v.extend(crc.to_le_bytes());
            v.extend((data.len() as u32).to_le_bytes());
            v.extend(size.to_le_bytes());
            v.extend((name.len() as u16).to_le_bytes());
            v.extend(0u16.to_le_bytes()); // extra
        };
        out.extend(0x04034b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(0x02014b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by
        common(&mut central);
        central.extend([0u8; 10]); // comment length, disk, internal and external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x06054b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;

#[test]
fn a_zip_bomb_is_refused_quickly_whatever_its_headers_say() {
    let zeros = deflated_zeros(1024); // 1 GiB unpacked
    assert!(zeros.len() < 2 << 20, "{}", zeros.len());
    // Honest headers: 1 GiB declared. The crc is left 0: sou refuses before the end, where it is checked.
    let honest = raw_zip(&[
        (
            "[Content_Types].xml",
            0,
            0,
            crc(CONTENT_TYPES),
            CONTENT_TYPES.len() as u32,
            CONTENT_TYPES,
        ),
        ("word/document.xml", 8, 0, 0, 1 << 30, &zeros),
    ]);
    // Lying headers: 5000 bytes declared.
    let liar = raw_zip(&[
        (
            "[Content_Types].xml",
            0,
            0,
            crc(CONTENT_TYPES),
            CONTENT_TYPES.len() as u32,
            CONTENT_TYPES,
        ),
        ("word/document.xml", 8, 0, 0, 5000, &zeros),
    ]);
    for (what, bytes) in [("honest", honest), ("lying", liar)] {
        let started = Instant::now();
        let result = read("bomb.docx", bytes);
        match &result {
            Err(ExtractError::TooLarge(why)) => {
                assert!(why.contains("word/document.xml"), "{what}: {why}")
            }
            // The zip reader stops at the declared size and reports the entry larger than declared.
            Err(ExtractError::Corrupt(_)) if what == "lying" => {}
            other => panic!("{what}: {other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what}: {:?}",
            started.elapsed()
        );
    }
    // The same in an EPUB chapter.
    let entries = entries_of(&fixture("book.epub"));
    let mut parts: Vec<RawEntry> = entries
        .iter()
        .filter(|(n, _)| n != "OEBPS/text/ch1.xhtml")
        .map(|(n, d)| (n.as_str(), 0, 0, crc(d), d.len() as u32, d.as_slice()))
        .collect();
    parts.push(("OEBPS/text/ch1.xhtml", 8, 0, 0, 1 << 30, &zeros));
    match read("bomb.epub", raw_zip(&parts)) {
        Err(ExtractError::TooLarge(why)) => assert!(why.contains("ch1.xhtml"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_zip_of_encrypted_entries_is_encrypted() {
    let d = b"<w:document/>";
    let z = raw_zip(&[("word/document.xml", 0, 1, crc(d), d.len() as u32, d)]);
    assert_eq!(extract_docx(&z), Err(ExtractError::Encrypted));
}

fn crc(data: &[u8]) -> u32 {
    let mut h = flate2::Crc::new();
    h.update(data);
    h.sum()
}

#[test]
fn a_zip_written_as_a_stream_reads_the_same() {
    // Streaming writers (Java's ZipOutputStream, many EPUB and DOCX generators) put the sizes in a data
    // descriptor after each entry, not in its local header.
    for name in ["article.docx", "book.epub"] {
        let bytes = fixture(name);
        let mut w = zip::ZipWriter::new_stream(Vec::new());
        for (entry, data) in entries_of(&bytes) {
            let opt = zip::write::SimpleFileOptions::default();
            w.start_file(entry, opt).unwrap();
            w.write_all(&data).unwrap();
        }
        let streamed = w.finish().unwrap().into_inner();
        assert_ne!(
            streamed[6] & 0x08,
            0,
            "{name}: the first entry has a data descriptor"
        );
        assert_eq!(read(name, streamed), read(name, bytes), "{name}");
    }
}

/// `bytes` with one of a few seeded kinds of damage: bytes flipped, a piece cut out, random bytes put in,
/// the end cut off.
fn damaged(rng: &mut fastrand::Rng, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    if b.is_empty() {
        return b;
    }
    match rng.u8(0..4) {
        0 => {
            for _ in 0..rng.usize(1..8) {
                let i = rng.usize(0..b.len());
                b[i] ^= rng.u8(1..=255);
            }
        }
        1 => {
            let i = rng.usize(0..b.len());
            let j = (i + rng.usize(1..64)).min(b.len());
            b.drain(i..j);
        }
        2 => {
            let i = rng.usize(0..=b.len());
            let junk: Vec<u8> = (0..rng.usize(1..32))
                .map(|_| *rng.choice(b"<>&;/\"' =x\xe4\xb8\xad\x00").unwrap())
                .collect();
            b.splice(i..i, junk);
        }
        _ => b.truncate(rng.usize(0..b.len())),
    }
    b
}

#[test]
fn damaged_parts_and_archives_never_panic() {
    // Calls the extractors directly, not through extract(), which would turn a panic into an error.
    let mut rng = fastrand::Rng::with_seed(20);
    for name in ["article.docx", "article.epub", "book.epub"] {
        let bytes = fixture(name);
        let parts = entries_of(&bytes);
        let run = |b: &[u8]| {
            if name.ends_with(".docx") {
                extract_docx(b)
            } else {
                extract_epub(b)
            }
        };
        for _ in 0..150 {
            // The archive's bytes damaged: the zip reader's checks.
            let _ = run(&damaged(&mut rng, &bytes));
            // One XML part damaged inside a sound archive: the XML readers.
            let k = rng.usize(0..parts.len());
            let rebuilt: Vec<(String, Vec<u8>)> = parts
                .iter()
                .enumerate()
                .map(|(i, (n, d))| {
                    let d = if i == k {
                        damaged(&mut rng, d)
                    } else {
                        d.clone()
                    };
                    (n.clone(), d)
                })
                .collect();
            let refs: Vec<(&str, &[u8])> = rebuilt
                .iter()
                .map(|(n, d)| (n.as_str(), d.as_slice()))
                .collect();
            if let Ok(doc) = run(&zip_of(&refs)) {
                for a in &doc.articles {
                    for p in &a.paragraphs {
                        assert!(!p.is_empty() && !p.contains('\n') && p.trim() == p, "{p:?}");
                    }
                }
            }
        }
    }
}
