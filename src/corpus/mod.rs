//! The corpus: finding article files on disk, decoding them, and splitting each article into
//! passages, the unit that gets indexed and returned as a hit. This module knows nothing about
//! tantivy; it turns files into plain [`Passage`] values and nothing more.
//!
//! # Files
//!
//! [`walk`] visits a directory tree in sorted order and yields every file with one of the
//! [`CORPUS_EXTENSIONS`] (`.txt`, `.md`, `.jsonl`, `.pdf`, `.html`, `.mhtml`, `.docx`, `.epub`, …; compared
//! case-insensitively), skipping hidden files and directories (names that
//! start with `.`). [`decode`] turns a file's bytes into text (UTF-8, with an optional BOM, or a
//! detected legacy encoding); [`read_text_file`] does the same and splits the text as a stream.
//!
//! # Paragraphs and passages
//!
//! [`split_article`] never rewrites the text: every offset is a *character* (not byte) offset into
//! the text as given, and a passage's text is exactly the characters between its offsets.
//!
//! - Lines are separated by `\n`; a `\r` before it is just whitespace.
//! - A paragraph is a maximal run of non-blank lines (blank = empty or only whitespace, including
//!   `\r` and the ideographic space U+3000), trimmed of surrounding whitespace. In Markdown files
//!   a `#` heading line is always a paragraph of its own, even without blank lines around it.
//! - A paragraph of at most [`SplitConfig::max_chars`] characters is one passage. A longer one is
//!   cut at sentence ends and whole sentences are packed greedily into passages of at most
//!   `max_chars` characters. A sentence ends after a run of `。！？；!?;…` (so `……` or `？！` is
//!   one end), after a run of ASCII `.` that is followed by whitespace or the end of the paragraph
//!   (so `1900.6` is not cut), or after a line break inside the paragraph; closing quotes and
//!   brackets (`”’」』）)】》"'`) right after the end stay with the sentence. A sentence longer
//!   than `max_chars` is cut after the last clause mark (`，、,：:`) that keeps the piece within
//!   `max_chars`, or else hard-cut at exactly `max_chars` characters.
//! - Every passage is trimmed of surrounding whitespace; empty passages are dropped. Passage
//!   ordinals count from 0 over the whole article.
//!
//! # Titles
//!
//! A newspaper page holds several articles, each under a few short heading lines, so a passage's
//! title is the nearest heading at or before it rather than the file's first line.
//!
//! - A *heading line* is a paragraph of a single line with 1 to 30 characters that contains at
//!   least one letter or digit and no `。`, whose last character (ignoring closing quotes and
//!   brackets) is not sentence or clause punctuation (`。！？；，、：!?;,:…`), whose last clause
//!   (after `、，,；;`) is not a single Han character (a line cut from a sentence by the page layout,
//!   `…产业链条、推`), that is not a byline (starting with `◎`) and not a photo credit (ending with `摄`
//!   or `供图`). Its title is the line itself.
//! - In a Markdown file (path ending in `.md`, any case), a line of one to six `#` followed by a
//!   space or tab and some text is also a heading; its title is the text after the hashes, without
//!   an optional closing run of `#`. The plain-text rule applies to Markdown files too.
//! - A passage's title is the nearest heading at or before its paragraph (a heading's own title
//!   is itself). Passages before the first heading take the article's first heading if it begins
//!   within the first [`WINDOW_CHARS`] characters; otherwise, and in an article without any heading,
//!   the title is the file name without its extension.
//! - A paragraph or a line longer than [`WINDOW_CHARS`] is never a heading, and a first line longer
//!   than that is never a photo credit. These limits let [`read_text_file`] read a file of any size
//!   as a stream, holding about that much text, and still give exactly the passages of
//!   [`split_article`].
//! - Titles are original text, trimmed of surrounding whitespace, never normalized.

pub mod date;
pub mod dateline;
mod decode;
pub mod document;
pub mod html;
mod jsonl;
pub mod office;
pub mod page;
pub mod pdf;
pub mod settings;
mod split;
mod stream;
mod titles;
mod walk;

pub use decode::{DecodeError, Decoded, decode};
pub use document::{
    DocArticle, Document, ExtractError, Format, document_text, extract, extractor_is_current,
    extractor_version, split_document,
};
pub use jsonl::{JsonFieldNames, JsonFields, JsonRecord, is_jsonl, parse_record, split_record};
pub use page::{Block, BlockKind, Page, PageArticle, layout};
pub use settings::{FileSettings, Layout, SETTINGS_FILE, Settings};
pub use split::{
    ArticleInfo, Passage, SplitConfig, pdf_article_text, pdf_text, split_article, split_page,
    split_pdf,
};
pub use stream::{
    CHUNK_BYTES, ReadError, StreamConfig, StreamSplitter, WINDOW_CHARS, read_text_file,
};
pub use walk::{
    CORPUS_EXTENSIONS, CorpusDir, CorpusFile, DirListing, SkipDir, Walked, key_path, list_dir,
    name_key, relative_path, walk, walk_unsorted, walk_with_dirs,
};

// The rules the stream reader shares with the whole-text splitter, and the unit tests below.
use split::{file_stem, is_markdown, pack, pieces, split_paragraph};
use titles::{heading_title, is_body, markdown_heading_line, trim_range};

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::titles::plain_heading;
    use super::*;
    use crate::Error;

    const REAL_ARTICLE: &str = include_str!("../../corpus/keji-ribao-high-tech-zones-2023.txt");

    fn split(path: &str, text: &str, max_chars: usize) -> Vec<Passage> {
        let passages = split_article(path, text, &SplitConfig { max_chars });
        check_invariants(text, &passages, max_chars);
        passages
    }

    fn texts(passages: &[Passage]) -> Vec<&str> {
        passages.iter().map(|p| p.text.as_str()).collect()
    }

    /// Offsets match the text, passages are trimmed, in order, within the size limit, and
    /// everything between them is whitespace.
    fn check_invariants(text: &str, passages: &[Passage], max_chars: usize) {
        let chars: Vec<char> = text.chars().collect();
        let mut covered = 0;
        for (i, p) in passages.iter().enumerate() {
            assert_eq!(p.ordinal as usize, i);
            assert!(p.start < p.end, "empty passage {p:?}");
            let expected: String = text.chars().skip(p.start).take(p.end - p.start).collect();
            assert_eq!(p.text, expected, "passage text differs from its offsets");
            assert_eq!(p.text.chars().count(), p.end - p.start);
            assert!(p.end - p.start <= max_chars, "passage too long: {p:?}");
            assert_eq!(p.text.trim(), p.text, "passage not trimmed");
            assert!(!p.title.is_empty());
            assert_eq!(p.title.trim(), p.title);
            assert!(p.start >= covered, "passages overlap or are out of order");
            assert!(
                chars[covered..p.start].iter().all(|c| c.is_whitespace()),
                "non-whitespace dropped before passage {i}"
            );
            covered = p.end;
        }
        assert!(chars[covered..].iter().all(|c| c.is_whitespace()));
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let text = "第一段第一行，\n第一段第二行。\n\n  \n第二段。\n\u{3000}\n第三段。";
        let passages = split("a.txt", text, 300);
        assert_eq!(
            texts(&passages),
            ["第一段第一行，\n第一段第二行。", "第二段。", "第三段。"]
        );
        assert_eq!(passages[1].start, 20);
        assert_eq!(passages[1].end, 24);
    }

    #[test]
    fn crlf_is_whitespace_and_offsets_stay_original() {
        let text = "\r\n标题行\r\n\r\n正文第一句。\r\n正文第二句。\r\n\r\n\r\n尾段。\r\n";
        let passages = split("a.txt", text, 300);
        assert_eq!(
            texts(&passages),
            ["标题行", "正文第一句。\r\n正文第二句。", "尾段。"]
        );
        assert!(passages.iter().all(|p| p.title == "标题行"));
        // A CRLF paragraph split at its line break: the `\r` is trimmed, not lost.
        let passages = split("a.txt", text, 8);
        assert_eq!(
            texts(&passages),
            ["标题行", "正文第一句。", "正文第二句。", "尾段。"]
        );
    }

    #[test]
    fn decode_strips_bom_and_reports_bad_bytes() {
        let text = |b: &[u8]| decode(b).map(|d| d.text);
        assert_eq!(text("\u{feff}你好".as_bytes()).as_deref(), Ok("你好"));
        assert_eq!(text("你好".as_bytes()).as_deref(), Ok("你好"));
        assert_eq!(text(b"").as_deref(), Ok(""));
        // Only one BOM is stripped.
        assert_eq!(
            text("\u{feff}\u{feff}x".as_bytes()).as_deref(),
            Ok("\u{feff}x")
        );
        // A UTF-8 BOM promises UTF-8.
        assert_eq!(
            decode(b"\xEF\xBB\xBFab\xffcd"),
            Err(DecodeError::Undecodable(
                "not valid UTF-8 (byte 5)".to_owned()
            ))
        );
        let passages = split("a.txt", &text(b"\xEF\xBB\xBFtitle\n\nbody.").unwrap(), 300);
        assert_eq!(passages[0].text, "title");
        assert_eq!(passages[0].start, 0);
    }

    #[test]
    fn decode_detects_legacy_chinese_encodings() {
        let gbk = encoding_rs::GBK
            .encode("青岛市工研院累计培育科技型中小企业超过100家，高新技术企业80余家。")
            .0;
        let d = decode(&gbk).unwrap();
        assert_eq!(
            d.text,
            "青岛市工研院累计培育科技型中小企业超过100家，高新技术企业80余家。"
        );
        assert_eq!(d.encoding, "GBK");
        let big5 = encoding_rs::BIG5
            .encode("記者從銀行獲悉，中央銀行宣布降息，市場反應熱烈。")
            .0;
        let d = decode(&big5).unwrap();
        assert_eq!(d.text, "記者從銀行獲悉，中央銀行宣布降息，市場反應熱烈。");
        assert_eq!(d.encoding, "Big5");
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for u in "你好，世界".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(
            decode(&utf16).unwrap(),
            Decoded {
                text: "你好，世界".into(),
                encoding: "UTF-16LE"
            }
        );
    }

    #[test]
    fn decode_skips_binary_files() {
        assert!(matches!(
            decode(b"%PDF-1.7\n..."),
            Err(DecodeError::Binary(_))
        ));
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n"),
            Err(DecodeError::Binary(_))
        ));
        assert!(matches!(decode(b"abc\x00def"), Err(DecodeError::Binary(_))));
        assert!(matches!(
            decode(b"PK\x03\x04rest"),
            Err(DecodeError::Binary(_))
        ));
    }

    #[test]
    fn whitespace_only_article_has_no_passages() {
        assert!(split("a.txt", "", 300).is_empty());
        assert!(split("a.txt", " \r\n\t\n\u{3000}\u{3000}\n\n", 300).is_empty());
    }

    #[test]
    fn long_paragraph_is_packed_by_sentences() {
        let sentence = "这是一个用来测试切分的句子，长度适中。";
        let paragraph: String = (0..40)
            .map(|i| {
                if i % 3 == 0 {
                    format!("第{i}句说：“好！” ")
                } else {
                    sentence.to_owned()
                }
            })
            .collect();
        let text = format!("标题\n\n{paragraph}\n\n结尾。");
        for max in [20, 50, 120, 300] {
            let passages = split("a.txt", &text, max);
            let body: Vec<&Passage> = passages[1..passages.len() - 1].iter().collect();
            assert!(body.len() > 1, "max {max}: not split");
            // Passages end at sentence ends (every sentence here fits in max chars).
            for p in &body {
                assert!(
                    p.text.ends_with('。') || p.text.ends_with('”'),
                    "max {max}: {:?}",
                    p.text
                );
            }
            // Concatenation plus dropped whitespace reproduces the paragraph.
            let joined: String = body.iter().map(|p| p.text.as_str()).collect();
            let squeezed: String = paragraph.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined.replace(' ', ""), squeezed);
        }
    }

    #[test]
    fn decimal_point_is_not_a_sentence_end() {
        let text = "全年实现地区生产总值1900.6亿元，同比增长4%. Next sentence here.";
        let passages = split("a.txt", text, 30);
        assert_eq!(
            texts(&passages),
            [
                "全年实现地区生产总值1900.6亿元，同比增长4%.",
                "Next sentence here."
            ]
        );
    }

    #[test]
    fn closing_quote_stays_with_sentence() {
        let text = "他说：“好。”然后他走了出去，没有回头。";
        let passages = split("a.txt", text, 13);
        assert_eq!(texts(&passages)[0], "他说：“好。”");
        assert_eq!(texts(&passages)[1], "然后他走了出去，没有回头。");
    }

    #[test]
    fn runs_of_sentence_marks_are_one_end() {
        let text = "真的吗？！当然……我们走吧。";
        let passages = split("a.txt", text, 6);
        assert_eq!(texts(&passages), ["真的吗？！", "当然……", "我们走吧。"]);
    }

    #[test]
    fn long_sentence_is_cut_at_last_clause_mark() {
        let text = "甲乙丙丁，戊己庚、辛壬癸子丑寅卯辰巳。";
        let passages = split("a.txt", text, 10);
        assert_eq!(
            texts(&passages),
            ["甲乙丙丁，戊己庚、", "辛壬癸子丑寅卯辰巳。"]
        );
    }

    #[test]
    fn unpunctuated_paragraph_is_hard_cut_by_chars() {
        let units = ['𨨏', '𠮷', '中', 'a', 'é'];
        let text: String = (0..1000).map(|i| units[i % units.len()]).collect();
        let passages = split("a.txt", &text, 300);
        let lengths: Vec<usize> = passages.iter().map(|p| p.text.chars().count()).collect();
        assert_eq!(lengths, [300, 300, 300, 100]);
        assert_eq!(passages[1].start, 300);
        assert_eq!(passages[3].end, 1000);
        assert!(passages[0].text.starts_with("𨨏𠮷中aé𨨏"));
        assert_eq!(
            passages.iter().map(|p| p.text.as_str()).collect::<String>(),
            text
        );
    }

    #[test]
    fn newspaper_page_titles() {
        let text = "\
视觉中国供图

梯度培育、分类辅导

青岛工研院助企业实现“三级跳”

◎本报记者 王健高 实习记者 宋迎迎
通讯员 肖玲玲

近日，青岛工研院召开大会。会上介绍了培育模式。

特色辅导，科技型中小企业入库超百家

作为青岛高新区企业培育重要载体，工研院构建了培育体系。

常州高新区内的生产线

张海韵摄

锚定世界一流园区

济南高新区推进“三个三”

科技日报讯（记者王延斌）近日，济南高新区召开工作动员大会。
";
        let passages = split("page.txt", text, 300);
        let titled: Vec<(&str, &str)> = passages
            .iter()
            .map(|p| (p.text.as_str(), p.title.as_str()))
            .collect();
        assert_eq!(
            titled,
            [
                ("视觉中国供图", "梯度培育、分类辅导"),
                ("梯度培育、分类辅导", "梯度培育、分类辅导"),
                (
                    "青岛工研院助企业实现“三级跳”",
                    "青岛工研院助企业实现“三级跳”"
                ),
                (
                    "◎本报记者 王健高 实习记者 宋迎迎\n通讯员 肖玲玲",
                    "青岛工研院助企业实现“三级跳”"
                ),
                (
                    "近日，青岛工研院召开大会。会上介绍了培育模式。",
                    "青岛工研院助企业实现“三级跳”"
                ),
                (
                    "特色辅导，科技型中小企业入库超百家",
                    "特色辅导，科技型中小企业入库超百家"
                ),
                (
                    "作为青岛高新区企业培育重要载体，工研院构建了培育体系。",
                    "特色辅导，科技型中小企业入库超百家"
                ),
                ("常州高新区内的生产线", "常州高新区内的生产线"),
                ("张海韵摄", "常州高新区内的生产线"),
                ("锚定世界一流园区", "锚定世界一流园区"),
                ("济南高新区推进“三个三”", "济南高新区推进“三个三”"),
                (
                    "科技日报讯（记者王延斌）近日，济南高新区召开工作动员大会。",
                    "济南高新区推进“三个三”"
                ),
            ]
        );
    }

    #[test]
    fn leads_are_the_first_body_passages_after_headings() {
        let page = "视觉中国供图\n\n第一篇的导语。\n\n第一篇的正文。\n\n第二篇标题\n\n◎本报记者 张三\n\n第二篇的导语。\n\n正文。";
        let leads: Vec<String> = split("page.txt", page, 300)
            .into_iter()
            .filter(|p| p.lead)
            .map(|p| p.text)
            .collect();
        assert_eq!(leads, vec!["第一篇的导语。", "第二篇的导语。"]);
        // A long lead paragraph: only its first passage is the lead.
        let long = format!("{}\n\n后文。", "一句话。".repeat(100));
        let p = split("a.txt", &long, 300);
        assert!(p[0].lead && !p[1].lead && !p.last().unwrap().lead);
    }

    #[test]
    fn heading_line_rule() {
        let heading = |s: &str| plain_heading(&s.chars().collect::<Vec<_>>());
        assert_eq!(
            heading("推动实现经济稳步增长").as_deref(),
            Some("推动实现经济稳步增长")
        );
        assert_eq!(heading("Chapter 1").as_deref(), Some("Chapter 1"));
        assert!(heading("他说：“好！”").is_none());
        assert!(heading("这是一句话。").is_none());
        assert!(heading("力军。青岛市工研院将高新技术企业培育作为其").is_none());
        assert!(heading("未完待续……").is_none());
        assert!(heading("如下：").is_none());
        assert!(heading("◎本报记者 张三").is_none());
        assert!(heading("新华社供图").is_none());
        assert!(heading("---").is_none());
        assert!(heading(&"长".repeat(31)).is_none());
        assert!(heading(&"长".repeat(30)).is_some());
        // A line cut out of a sentence by the page layout; real headings with clauses stay headings.
        assert!(heading("龙头企业在带动完善产业链条、推").is_none());
        assert!(heading("产业链条，推”").is_none());
        assert_eq!(
            heading("梯度培育、分类辅导").as_deref(),
            Some("梯度培育、分类辅导")
        );
        assert!(heading("精准施策,提升高新技术企业培养质量").is_some());
        assert!(heading("第一章、A").is_some());
    }

    #[test]
    fn untitled_article_uses_file_stem() {
        let passages = split("2023/某报/第一版.txt", "这是一句话。\n\n又一句话。", 300);
        assert!(passages.iter().all(|p| p.title == "第一版"));
        assert_eq!(passages[1].path, "2023/某报/第一版.txt");
        let passages = split("notes", "正文，没有标题。", 300);
        assert_eq!(passages[0].title, "notes");
    }

    #[test]
    fn markdown_headings() {
        let text = "\
导言，没有标题。
# 第一章 ##
第一章正文。

## Section *two*
正文二。
#not a heading，
####### seven hashes，
";
        let passages = split("notes/Doc.MD", text, 300);
        let titled: Vec<(&str, &str)> = passages
            .iter()
            .map(|p| (p.text.as_str(), p.title.as_str()))
            .collect();
        assert_eq!(
            titled,
            [
                ("导言，没有标题。", "第一章"),
                ("# 第一章 ##", "第一章"),
                ("第一章正文。", "第一章"),
                ("## Section *two*", "Section *two*"),
                (
                    "正文二。\n#not a heading，\n####### seven hashes，",
                    "Section *two*"
                ),
            ]
        );
        // In a .txt file, `#` lines are ordinary lines.
        let passages = split("notes/doc.txt", text, 300);
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[0].title, "doc");
    }

    #[test]
    fn offsets_invariant_holds() {
        let inputs = [
            "",
            "a",
            "\u{feff}标题\r\n\r\n正文。\r\n第二行\r\n",
            "  𨨏𠮷！𨨏𠮷？\n\n\u{3000}\u{3000}段落开头有全角空格。第二句。\r\n",
            "one. two. three... four!? five;six 1.5 seven.\n\neight",
            "“引号。”“再一个！”（括号。）【方括号？】《书名》",
        ];
        for text in inputs {
            for max in [1, 2, 3, 5, 8, 300] {
                split("x.txt", text, max);
                split("x.md", text, max);
            }
        }
    }

    #[test]
    fn real_article_passages() {
        for max in [50, 120, 300] {
            let passages = split("keji-ribao-high-tech-zones-2023.txt", REAL_ARTICLE, max);
            assert!(passages.len() > 20);
        }
        let passages = split("keji-ribao-high-tech-zones-2023.txt", REAL_ARTICLE, 300);
        let title_of = |needle: &str| {
            passages
                .iter()
                .find(|p| p.text.contains(needle))
                .map(|p| p.title.as_str())
        };
        assert_eq!(title_of("视觉中国供图"), Some("梯度培育、分类辅导"));
        assert_eq!(
            title_of("1900.6亿元"),
            Some("江苏常州高新区加快培育未来产业")
        );
        assert_eq!(
            title_of("张海韵摄"),
            Some("常州高新区内的森塔塔智能化生产线")
        );
        assert_eq!(title_of("王延斌"), Some("济南高新区推进“三个三”"));
        assert!(passages.iter().any(|p| p.text.contains("1900.6亿元")));
    }

    fn touch(path: &Path) {
        std::fs::write(path, "x").unwrap();
    }

    fn walked(root: &Path) -> (Vec<String>, Vec<Error>) {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for item in walk(root) {
            match item {
                Ok(file) => {
                    assert_eq!(file.abs_path, root.join(&file.rel_path));
                    files.push(file.rel_path);
                }
                Err(err) => errors.push(err),
            }
        }
        (files, errors)
    }

    #[test]
    fn walk_finds_sorted_corpus_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for sub in ["b", "a/inner", ".hidden", "c.txt.d"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        for file in [
            "z.txt",
            "b.MD",
            "a.Txt",
            "notes.pdf",
            "notes.docx",
            "notes.rtf",
            "page.HTM",
            "txt",
            ".secret.txt",
            "b/2.md",
            "b/1.txt",
            "a/inner/deep.txt",
            "a/0.txt",
            ".hidden/x.txt",
            "c.txt.d/readme",
        ] {
            touch(&root.join(file));
        }
        let (files, errors) = walked(root);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            files,
            [
                "a/0.txt",
                "a/inner/deep.txt",
                "a.Txt",
                "b/1.txt",
                "b/2.md",
                "b.MD",
                "notes.docx",
                "notes.pdf",
                "page.HTM",
                "z.txt"
            ]
        );

        // A root that is itself a file.
        let single: Vec<CorpusFile> = walk(&root.join("z.txt")).map(|r| r.unwrap()).collect();
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].rel_path, "z.txt");
    }

    #[test]
    fn walk_missing_root_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let items: Vec<_> = walk(&missing).collect();
        assert_eq!(items.len(), 1);
        assert!(matches!(&items[0], Err(Error::Io { path, .. }) if *path == missing));
    }

    #[cfg(unix)]
    #[test]
    fn walk_reports_errors_and_continues() {
        use std::os::unix::fs::{PermissionsExt, symlink};

        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("d/sub")).unwrap();
        touch(&root.join("a.txt"));
        touch(&root.join("d/sub/x.txt"));
        touch(&root.join("z.txt"));
        symlink(root.join("missing.txt"), root.join("broken.txt")).unwrap();
        symlink(root.join("missing.txt"), root.join(".#lock.txt")).unwrap();
        symlink(root.join("d"), root.join("d/sub/loop")).unwrap();
        symlink(root.join("a.txt"), root.join("link.md")).unwrap();

        let (files, errors) = walked(root);
        assert_eq!(files, ["a.txt", "d/sub/x.txt", "link.md", "z.txt"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            matches!(&errors[0], Error::Io { path, .. } if *path == root.join("broken.txt")),
            "{errors:?}"
        );
        assert!(errors[0].to_string().contains("broken symbolic link"));
        assert!(
            matches!(&errors[1], Error::Io { path, .. } if *path == root.join("d/sub/loop")),
            "{errors:?}"
        );
        assert!(errors[1].to_string().contains("loop"));

        // An unreadable directory (only testable when not running as root).
        let locked = root.join("m-locked");
        std::fs::create_dir(&locked).unwrap();
        touch(&locked.join("hidden-from-us.txt"));
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let readable = std::fs::read_dir(&locked).is_ok();
        let (files, errors) = walked(root);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        if !readable {
            assert_eq!(files, ["a.txt", "d/sub/x.txt", "link.md", "z.txt"]);
            assert_eq!(errors.len(), 3, "{errors:?}");
            assert!(matches!(&errors[2], Error::Io { path, .. } if *path == locked));
        }
    }
}
