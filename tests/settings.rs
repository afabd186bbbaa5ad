//! The corpus's settings file (`sou.toml`): which files are newspaper pages, with which paper and date, and
//! JSON Lines field names per archive; mistakes are one-line errors; a change re-reads only the files it
//! concerns.

use crate::util::TestEnv;

const PAGE: &str = "头条新闻\n\n第一段正文讲储能。\n\n第二段正文也讲储能。\n";

#[test]
fn a_page_setting_gives_articles_with_the_papers_source_and_date() {
    let env = TestEnv::new(&[("page.txt", PAGE), ("plain.txt", PAGE)]);
    env.write(
        "sou.toml",
        "[[files]]\nglob = \"page.txt\"\nlayout = \"page\"\npaper = \"科技日报\"\ndate = \"2023-03-01\"\n",
    );
    env.index();
    let found = env.search_json(&["储能", "-n", "10"]);
    let page: Vec<_> = found.hits.iter().filter(|h| h.path == "page.txt").collect();
    let plain: Vec<_> = found
        .hits
        .iter()
        .filter(|h| h.path == "plain.txt")
        .collect();
    assert!(!page.is_empty() && !plain.is_empty(), "{:#?}", found.hits);
    for h in page {
        assert!(h.id.starts_with("page.txt#a"), "{h:#?}");
        assert_eq!(h.date.as_deref(), Some("2023-03-01"));
    }
    // A file no section names is read as before.
    for h in plain {
        assert_eq!(h.id, "plain.txt");
        assert_eq!(h.date, None);
    }
    let out = env.search(&["储能", "--color", "never"]);
    assert!(out.stdout.contains("科技日报 2023-03-01"), "{out:#?}");
}

#[test]
fn changed_settings_reread_only_the_files_they_concern() {
    let env = TestEnv::new(&[("page.txt", PAGE), ("plain.txt", PAGE)]);
    env.index();
    env.write(
        "sou.toml",
        "[[files]]\nglob = \"page.txt\"\nlayout = \"page\"\n",
    );
    let (stats, _) = env.index_json(&[]);
    assert_eq!(stats["changed"], 1, "{stats}");
    assert_eq!(stats["unchanged"], 1, "{stats}");
    // Unchanged settings: nothing to do.
    let (stats, _) = env.index_json(&[]);
    assert_eq!(stats["changed"], 0, "{stats}");
    // Removing them reads the page as an article again.
    env.remove("sou.toml");
    let (stats, _) = env.index_json(&[]);
    assert_eq!(stats["changed"], 1, "{stats}");
    let found = env.search_json(&["储能"]);
    assert!(
        found.hits.iter().all(|h| h.id == h.path),
        "{:#?}",
        found.hits
    );
}

#[test]
fn archives_of_different_schemas_in_one_corpus() {
    let env = TestEnv::new(&[
        (
            "a.jsonl",
            "{\"id\": \"a1\", \"title\": \"甲\", \"body\": \"甲文讲储能。\"}\n",
        ),
        (
            "wires/b.jsonl",
            "{\"uid\": \"b1\", \"headline\": \"乙\", \"content\": \"乙文讲储能。\"}\n",
        ),
    ]);
    env.write(
        "sou.toml",
        "[[files]]\nglob = \"wires/*.jsonl\"\nid_field = \"uid\"\ntitle_field = \"headline\"\nbody_field = \"content\"\n",
    );
    env.index();
    // (Parsed without the harness's check of each hit against its record, which knows one body field.)
    let found = crate::util::parse_json(env.search(&["--json", "储能"]));
    let mut ids: Vec<(&str, &str)> = found
        .hits
        .iter()
        .map(|h| (h.id.as_str(), h.title.as_str()))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [("a1", "甲"), ("b1", "乙")]);
}

#[test]
fn a_mistake_in_the_settings_is_one_line_naming_the_file_and_line() {
    let env = TestEnv::new(&[("page.txt", PAGE)]);
    env.write(
        "sou.toml",
        "[[files]]\nglob = \"*.txt\"\nlayuot = \"page\"\n",
    );
    let out = env.try_index(&[]);
    let msg = out.assert_error(&["sou.toml", "line 3", "layuot"]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
}

/// Datelines give every article its source, place and reporters; on a page with a date, the dateline's
/// month and day with the page's year (the year before for a later month).
#[test]
fn datelines_give_source_place_byline_and_date() {
    let env = TestEnv::new(&[
        (
            "wire.jsonl",
            "{\"id\": \"w1\", \"title\": \"会议召开\", \"date\": \"2024-10-19\", \"body\": \"新华社北京10月18日电（记者王明、李华）会议今天在京召开，讨论储能产业。\"}\n",
        ),
        (
            "note.txt",
            "标题一行\n\n据新华社电 沿海城市储能项目投入运行。\n",
        ),
        (
            "page.txt",
            "年终专稿\n\n本报北京12月30日电（记者张青）全年储能装机再创新高。\n",
        ),
    ]);
    env.write(
        "sou.toml",
        "[[files]]\nglob = \"page.txt\"\nlayout = \"page\"\npaper = \"科技日报\"\ndate = \"2025-01-02\"\n",
    );
    env.index();
    let found = crate::util::parse_json(env.search(&["--json", "储能"]));
    let get = |id: &str| {
        found
            .hits
            .iter()
            .find(|h| h.id.starts_with(id))
            .unwrap_or_else(|| panic!("{id}: {:#?}", found.hits))
    };
    let w = get("w1");
    assert_eq!(
        (w.source.as_deref(), w.place.as_deref(), w.byline.as_deref()),
        (Some("新华社"), Some("北京"), Some("记者王明、李华"))
    );
    // A record's own date stays its date.
    assert_eq!(w.date.as_deref(), Some("2024-10-19"));
    assert_eq!(get("note.txt").source.as_deref(), Some("新华社"));
    let p = get("page.txt#a");
    // 本报 is the paper the settings name; December on a January page is the year before.
    assert_eq!(p.source.as_deref(), Some("科技日报"));
    assert_eq!(p.place.as_deref(), Some("北京"));
    assert_eq!(p.date.as_deref(), Some("2024-12-30"));
    assert_eq!(p.byline.as_deref(), Some("记者张青"));
}
