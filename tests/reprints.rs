//! Reprints (near-duplicate articles): one article per group in the results, "+N reprints", the group in
//! JSON, `--no-collapse`, and groups kept right as files come and go.

use crate::util::TestEnv;

/// A wire story about a desalination plant (an article of its own: a text file is one article).
const WIRE: &str = "新华社天津3月5日电（记者王明）天津北疆电厂的海水淡化工程日前完成扩建，日产淡水能力达到40万吨，成为国内规模最大的海水淡化项目之一。\n\n\
据介绍，该工程采用低温多效蒸馏技术，利用电厂余热生产淡水，每吨淡水的能耗比传统工艺降低三成以上。扩建后的工程每天可为周边二十多万居民供水。\n\n\
项目负责人表示，海水淡化是沿海缺水城市增加水资源的重要途径。今后三年，天津将继续推进海水淡化产业发展，力争到2025年海水淡化规模达到60万吨每天。\n\n\
专家指出，淡化水的成本近年来持续下降，目前已接近部分地区的自来水价格，推广前景广阔。";

/// The same story as a paper prints it: another dateline, a paragraph cut, full-width digits, traditional
/// script.
const REPRINT: &str = "據新華社電　天津北疆電廠的海水淡化工程日前完成擴建，日產淡水能力達到４０萬噸，成為國內規模最大的海水淡化項目之一。\n\n\
據介紹，該工程採用低溫多效蒸餾技術，利用電廠餘熱生產淡水，每噸淡水的能耗比傳統工藝降低三成以上。擴建後的工程每天可為周邊二十多萬居民供水。\n\n\
項目負責人表示，海水淡化是沿海缺水城市增加水資源的重要途徑。今後三年，天津將繼續推進海水淡化產業發展，力爭到２０２５年海水淡化規模達到６０萬噸每天。";

/// Another story that mentions desalination.
const OTHER: &str = "本报讯 青岛市近日发布水资源保障规划，提出多渠道开源节流，其中包括建设新的海水淡化厂和再生水利用设施。\n\n\
规划要求各区加强节水型社会建设，推广节水器具，完善阶梯水价制度，到规划期末全市用水效率明显提高。";

fn env() -> TestEnv {
    TestEnv::indexed(&[
        ("wire/tianjin.txt", WIRE),
        ("paper/tianjin.txt", REPRINT),
        ("local/qingdao.txt", OTHER),
    ])
}

/// The articles of `hits`, in order of first appearance.
fn articles(found: &crate::util::Found) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for h in &found.hits {
        if !out.contains(&h.id.as_str()) {
            out.push(&h.id);
        }
    }
    out
}

#[test]
fn results_show_one_article_per_reprint_group() {
    let env = env();
    let found = env.search_json(&["海水淡化"]);
    let shown = articles(&found);
    assert_eq!(shown.len(), 2, "{:#?}", found.hits);
    assert!(shown.contains(&"local/qingdao.txt"), "{shown:?}");
    let reprinted: Vec<&str> = shown
        .iter()
        .copied()
        .filter(|a| a.ends_with("tianjin.txt"))
        .collect();
    assert_eq!(reprinted.len(), 1, "{shown:?}");
    for h in &found.hits {
        if h.id.ends_with("tianjin.txt") {
            // The group is named by its least article key; the count is of the other members.
            assert_eq!(h.reprint_group.as_deref(), Some("paper/tianjin.txt"));
            assert_eq!(h.reprints, 1);
        } else {
            assert_eq!(h.reprint_group, None);
            assert_eq!(h.reprints, 0);
        }
    }
    // Collapsing changes which passages are shown, not how many match.
    let all = env.search_json(&["--no-collapse", "海水淡化"]);
    assert_eq!(found.summary.total_hits, all.summary.total_hits);
    // On the terminal the shown article says how many reprints it hides.
    let out = env.search(&["海水淡化"]);
    let text = out.assert_ok();
    assert_eq!(
        text.matches("+1 reprint").count(),
        found.hits.iter().filter(|h| h.reprints == 1).count(),
        "{text}"
    );
    assert!(!text.contains("reprints"), "{text}");
}

#[test]
fn no_collapse_shows_every_reprint_with_its_group() {
    let env = env();
    let found = env.search_json(&["--no-collapse", "海水淡化"]);
    let mut shown = articles(&found);
    shown.sort_unstable();
    assert_eq!(
        shown,
        ["local/qingdao.txt", "paper/tianjin.txt", "wire/tianjin.txt"]
    );
    for h in found.hits.iter().filter(|h| h.id.ends_with("tianjin.txt")) {
        assert_eq!(h.reprint_group.as_deref(), Some("paper/tianjin.txt"));
        assert_eq!(h.reprints, 1);
    }
}

#[test]
fn collapsing_still_fills_the_limit() {
    let env = env();
    // Three articles match, two of them one group: two hits, from different groups, one passage each.
    let found = env.search_json(&["--per-article", "1", "-n", "2", "海水淡化"]);
    let shown = articles(&found);
    assert_eq!(found.hits.len(), 2, "{:#?}", found.hits);
    assert_eq!(shown.len(), 2);
    assert!(shown.contains(&"local/qingdao.txt"), "{shown:?}");
    // Without the cap, every matching passage of the shown articles is a hit, and none of the hidden one.
    let found = env.search_json(&["海水淡化"]);
    let shown = articles(&found);
    let all = env.search_json(&["--no-collapse", "海水淡化"]);
    let expected = all
        .hits
        .iter()
        .filter(|h| shown.contains(&h.id.as_str()))
        .count();
    assert_eq!(found.hits.len(), expected, "{:#?}", found.hits);
    assert!(all.hits.len() > expected, "{:#?}", all.hits);
}

#[test]
fn groups_follow_the_corpus_as_files_come_and_go() {
    let env = TestEnv::indexed(&[("wire/tianjin.txt", WIRE), ("local/qingdao.txt", OTHER)]);
    let found = env.search_json(&["海水淡化"]);
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.reprints == 0 && h.reprint_group.is_none())
    );
    // A reprint indexed later joins the story's group.
    env.write("paper/tianjin.txt", REPRINT);
    env.index();
    let found = env.search_json(&["--no-collapse", "海水淡化"]);
    let wire = found
        .hits
        .iter()
        .find(|h| h.id == "wire/tianjin.txt")
        .expect("the wire story");
    assert_eq!(wire.reprints, 1);
    assert_eq!(wire.reprint_group.as_deref(), Some("paper/tianjin.txt"));
    assert_eq!(articles(&env.search_json(&["海水淡化"])).len(), 2);
    // The story removed, its reprint is alone again, and shown.
    env.remove("wire/tianjin.txt");
    env.index();
    let found = env.search_json(&["海水淡化"]);
    let mut shown = articles(&found);
    shown.sort_unstable();
    assert_eq!(shown, ["local/qingdao.txt", "paper/tianjin.txt"]);
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.reprints == 0 && h.reprint_group.is_none())
    );
    // Changed so much that it is no reprint any more: out of the group.
    env.write("wire/tianjin.txt", WIRE);
    env.index();
    assert_eq!(articles(&env.search_json(&["海水淡化"])).len(), 2);
    env.write("paper/tianjin.txt", OTHER.replace("青岛", "烟台"));
    env.index();
    let found = env.search_json(&["海水淡化"]);
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.id == "wire/tianjin.txt" || h.reprints == 1),
        "the two local stories are reprints of each other now: {:#?}",
        found.hits
    );
    let wire = found
        .hits
        .iter()
        .find(|h| h.id == "wire/tianjin.txt")
        .unwrap();
    assert_eq!(wire.reprints, 0);
}

#[test]
fn groups_are_found_without_the_side_file() {
    // A run killed after its commit, before the groups were written: the search groups by itself.
    let env = env();
    let side = env.index_dir().join("sou-reprints.jsonl");
    assert!(side.is_file());
    std::fs::remove_file(&side).unwrap();
    let found = env.search_json(&["海水淡化"]);
    assert_eq!(articles(&found).len(), 2);
    assert!(found.hits.iter().any(|h| h.reprints == 1));
    // A file of another generation (left by an older run) is not believed.
    std::fs::write(&side, "{\"format\":1,\"generation\":\"0\",\"groups\":0}\n").unwrap();
    let found = env.search_json(&["海水淡化"]);
    assert_eq!(articles(&found).len(), 2);
    // The next `sou index` writes it again, even with nothing to re-index.
    env.index();
    let text = std::fs::read_to_string(&side).unwrap();
    // The header, then a line per member of the one group.
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("\"groups\":1"), "{text}");
    assert!(text.contains("wire/tianjin.txt"), "{text}");
}

#[test]
fn records_of_an_archive_are_grouped_by_their_ids() {
    let rec = |id: &str, body: &str| {
        serde_json::json!({"id": id, "title": "海水淡化工程扩建", "body": body}).to_string()
    };
    let archive = [rec("x-2", WIRE), rec("x-1", OTHER), rec("x-3", REPRINT)].join("\n");
    let env = TestEnv::indexed(&[("news.jsonl", archive.as_str())]);
    let found = env.search_json(&["--no-collapse", "海水淡化"]);
    for h in &found.hits {
        match h.id.as_str() {
            "x-2" | "x-3" => {
                assert_eq!(h.reprint_group.as_deref(), Some("x-2"));
                assert_eq!(h.reprints, 1);
            }
            _ => assert_eq!(h.reprints, 0),
        }
    }
    assert_eq!(articles(&env.search_json(&["海水淡化"])).len(), 2);
}

/// A reprint appended to an archive (only the new record is read) joins its group; a date order shows the
/// group's first article in that order.
#[test]
fn appended_reprints_join_their_group_and_dates_order_groups() {
    let rec = |id: &str, date: &str, body: &str| {
        serde_json::json!({"id": id, "date": date, "title": "海水淡化工程扩建", "body": body})
            .to_string()
    };
    let first = [
        rec("x-1", "2023-03-05", WIRE),
        rec("x-2", "2023-03-01", OTHER),
    ]
    .join("\n")
        + "\n";
    let env = TestEnv::indexed(&[("news.jsonl", first.as_str())]);
    let mut grown = first.clone();
    grown.push_str(&rec("x-3", "2023-03-07", REPRINT));
    grown.push('\n');
    env.write("news.jsonl", grown);
    let (stats, out) = env.index_json(&[]);
    assert_eq!(stats["appended"], 1, "{out:#?}");
    let found = env.search_json(&["--no-collapse", "海水淡化"]);
    let x3 = found
        .hits
        .iter()
        .find(|h| h.id == "x-3")
        .expect("x-3 found");
    assert_eq!(x3.reprint_group.as_deref(), Some("x-1"));
    assert_eq!(x3.reprints, 1);
    // Newest first: the reprint of the 7th stands for the group, then the other story of the 1st.
    let found = env.search_json(&["海水淡化", "--sort", "-date"]);
    assert_eq!(articles(&found), ["x-3", "x-2"]);
    let found = env.search_json(&["海水淡化", "--sort", "date"]);
    assert_eq!(articles(&found), ["x-2", "x-1"]);
}
