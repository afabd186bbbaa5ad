//! A folder that mixes the formats people keep (issue 20): text, an e-paper PDF page, saved web pages (HTML
//! and MHTML), a Word document, EPUB books, a legacy `.doc` and a broken `.docx`, indexed together. The
//! fixtures are `tests/fixtures/{pdf,html,office}` (copied from `../shared/fixtures`; text from zh-Wikipedia
//! via CMRC 2018, CC BY-SA 4.0, see their READMEs); what each extractor gets right in detail is checked by
//! `tests/pdf.rs`, `tests/html_pages.rs` and `tests/office_files.rs`. Here: the per-format counts, bad files
//! reported once and counted, each format's articles found with their titles and dates, and a re-run that
//! reads nothing, or only the files whose extractor changed.

use crate::util::TestEnv;

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mixed() -> TestEnv {
    let env = TestEnv::new(&[("note.txt", "一篇文本文章，独有词汇。")]);
    env.write("pdf/page.pdf", fixture("pdf", "page-rl-gbk.pdf"));
    for name in [
        "people-gb2312.html",
        "people-gb2312.mhtml",
        "jsonld-utf8.html",
        "table-br-gbk.html",
    ] {
        env.write(&format!("web/{name}"), fixture("html", name));
    }
    for name in ["article.docx", "article.doc", "article.epub", "book.epub"] {
        env.write(&format!("office/{name}"), fixture("office", name));
    }
    // Not a zip at all, named .docx.
    env.write("office/broken.docx", "这不是一个 Word 文件。");
    env
}

#[test]
fn a_mixed_folder_indexes_with_a_count_per_format_and_bad_files_reported() {
    let env = mixed();
    let out = env.try_index(&["--json"]);
    // The broken .docx failed: exit 2 after everything else is indexed.
    assert_eq!(out.code, Some(2), "{out:#?}");
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).expect("summary");
    let data = &v["data"];
    for (format, n) in [
        ("text", 1),
        ("pdf", 1),
        ("html", 3),
        ("mhtml", 1),
        ("docx", 1),
        ("epub", 2),
    ] {
        assert_eq!(data["formats"][format], n, "{format}: {data}");
    }
    assert_eq!(data["skipped"], 1, "the .doc: {out:#?}");
    assert_eq!(data["failed"], 1, "the broken .docx: {out:#?}");
    for (file, reason) in [
        ("article.doc", "unsupported format"),
        ("broken.docx", "cannot be read"),
    ] {
        let lines: Vec<&str> = out.stderr.lines().filter(|l| l.contains(file)).collect();
        assert_eq!(lines.len(), 1, "{file} reported once: {out:#?}");
        assert!(lines[0].contains(reason), "{file}: {out:#?}");
    }
    // Legacy encodings of web pages are not counted as text files' encodings.
    assert!(data["encodings"].get("GBK").is_none(), "{data}");

    // Each format's articles are found, with the titles and dates their files give.
    for (query, id, title, date) in [
        (
            "\"4月17日被天津市交通委员会\"",
            "pdf/page.pdf:p1#a1",
            "津蓟铁路",
            None,
        ),
        (
            "\"下设10个研究所和一个工厂\"",
            "web/people-gb2312.html",
            "中国空间技术研究院",
            Some("2023-03-01"),
        ),
        (
            "\"印度空间研究组织的主要航天发射场\"",
            "web/people-gb2312.mhtml",
            "印度空间研究组织",
            Some("2023-03-01"),
        ),
        (
            "\"同时中华人民共和国铁道部将广茂铁路由二级线路调整为一级线路\"",
            "web/jsonld-utf8.html",
            "广茂铁路",
            Some("2023-03-02"),
        ),
        (
            "\"迁建后机场性质为国内支线机场\"",
            "web/table-br-gbk.html",
            "且末玉都机场",
            Some("2012-06-05"),
        ),
        (
            "\"北皂线路所至珠玑线路所联络线\"",
            "office/book.epub#c2",
            "龙烟铁路",
            Some("2023-03-05"),
        ),
    ] {
        let found = env.search_json(&[query]);
        let hit = found
            .hits
            .iter()
            .find(|h| h.id == id)
            .unwrap_or_else(|| panic!("{query}: no hit in {id}: {:#?}", found.hits));
        assert_eq!(hit.title, title, "{query}");
        assert_eq!(hit.date.as_deref(), date, "{query}");
    }
    // The Word document: its body (the title paragraph is its title, not a passage of its own).
    let found = env.search_json(&["\"而全长357公里的三茂铁路则于1991年投入运营\""]);
    assert!(
        found.hits.iter().any(|h| h.id == "office/article.docx"),
        "{:#?}",
        found.hits
    );
    // Boilerplate of the web pages is not indexed.
    for marker in ["热点排行", "网友评论", "打印本页"] {
        let out = env.search(&[marker]);
        assert_eq!(out.code, Some(1), "{marker} found: {out:#?}");
    }
}

#[test]
fn a_second_run_reads_only_what_changed_or_what_another_extractor_read() {
    let env = mixed();
    env.remove("office/broken.docx");
    env.remove("office/article.doc");
    let (first, _) = env.index_json(&[]);
    let files = first["added"].as_u64().expect("added");
    assert_eq!(files, 9, "{first}");
    let (again, _) = env.index_json(&[]);
    assert_eq!(again["unchanged"], files, "{again}");
    assert_eq!(again["changed"], 0, "{again}");
    // Every extracted file records its extractor; text files record none.
    let mut m = env.manifest_json();
    for (file, prefix) in [
        ("web/jsonld-utf8.html", "html-"),
        ("web/people-gb2312.mhtml", "mhtml-"),
        ("office/article.docx", "docx-"),
        ("office/book.epub", "epub-"),
        ("pdf/page.pdf", "pdf-"),
    ] {
        let x = m["files"][file]["extractor"].as_str().unwrap_or_default();
        assert!(x.starts_with(prefix), "{file}: {x:?}");
    }
    assert_eq!(m["files"]["note.txt"].get("extractor"), None, "{m}");
    // A web page read by an older extractor is read again, alone.
    m["files"]["web/jsonld-utf8.html"]["extractor"] = "html-0".into();
    env.write_manifest_json(&m);
    let (data, _) = env.index_json(&[]);
    assert_eq!(data["changed"], 1, "{data}");
    assert_eq!(data["unchanged"], files - 1, "{data}");
    assert_eq!(data["formats"]["html"], 1, "{data}");
}

#[test]
fn an_empty_docx_or_epub_is_an_empty_file_not_a_failure() {
    // Windows' "New > Microsoft Word Document" creates a .docx of 0 bytes: nothing to index, no error.
    let env = TestEnv::new(&[("note.txt", "一篇文本文章，独有词汇。")]);
    env.write("new.docx", "");
    env.write("new.epub", "");
    let out = env.try_index(&["--json"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).expect("summary");
    assert_eq!(v["data"]["failed"], 0, "{out:#?}");
    for file in ["new.docx", "new.epub"] {
        let lines: Vec<&str> = out.stderr.lines().filter(|l| l.contains(file)).collect();
        assert_eq!(lines.len(), 1, "{file} reported once: {out:#?}");
        assert!(lines[0].contains("no text to index"), "{file}: {out:#?}");
    }
    // Not read again by the next run.
    let out = env.try_index(&["--json"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(!out.stderr.contains("new.docx"), "{out:#?}");
}
