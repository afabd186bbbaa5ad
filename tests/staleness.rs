//! The staleness check of a search on a corpus of many files (issue 17): it trusts the directories'
//! modification times and `stat`s only some files, so it must still see every file added, removed or
//! replaced, and a racy directory must be listed. `sou index` checks every file whatever the search saw.

use crate::util::TestEnv;
use std::time::{Duration, SystemTime};

/// Sets the modification time of a file or directory.
fn set_mtime(path: &std::path::Path, t: SystemTime) {
    let f = if path.is_dir() {
        std::fs::File::open(path)
    } else {
        std::fs::File::options().write(true).open(path)
    }
    .unwrap();
    f.set_modified(t).unwrap();
}

/// Every file and directory of the corpus an hour old, so that no directory is racy.
fn age_corpus(env: &TestEnv) {
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let root = env.corpus();
    let mut stack = vec![root];
    let mut all = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            all.push(p);
        }
        all.push(dir);
    }
    // Children before parents: setting a file's time doesn't change its directory's, but do it in order.
    for p in all {
        set_mtime(&p, hour_ago);
    }
}

/// A corpus of 700 files (more than a search samples and watches) in folders by month, and a JSON Lines
/// archive, indexed with every directory old.
fn big() -> TestEnv {
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..700 {
        files.push((
            format!("2023/{:02}/n{i:04}.txt", i % 12 + 1),
            format!("第{i}篇稿件。"),
        ));
    }
    files.push((
        "wire.jsonl".into(),
        "{\"id\":\"w1\",\"body\":\"通讯稿。\"}\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let env = TestEnv::new(&refs);
    age_corpus(&env);
    env.index();
    env
}

/// The counts of the staleness warning of a search (`None`: no warning).
fn warned(env: &TestEnv) -> Option<String> {
    let out = env.search(&["稿件"]);
    out.assert_ok();
    let w = out.stderr.trim_end();
    if w.is_empty() {
        return None;
    }
    assert_eq!(w.lines().count(), 1, "{out:#?}");
    let at = w.find('(').expect(w);
    let end = w.find(" files)").expect(w);
    Some(w[at + 1..end].to_string())
}

#[test]
fn files_added_removed_or_replaced_and_new_folders_are_seen() {
    let env = big();
    let manifest = env.manifest_json();
    assert_eq!(manifest["files"].as_object().unwrap().len(), 701);
    assert_eq!(warned(&env), None);
    // One file added to a month, one removed from another, one saved by rename (a new file renamed over
    // the old, as editors do), a new folder of three files, and a whole month removed (58 files).
    env.write("2023/01/added.txt", "新稿件。");
    env.remove("2023/02/n0001.txt");
    let tmp = env.corpus().join("2023/03/.n0002.txt.swp");
    std::fs::write(&tmp, "改过的稿件。").unwrap();
    std::fs::rename(&tmp, env.corpus().join("2023/03/n0002.txt")).unwrap();
    for i in 0..3 {
        env.write(&format!("2024/01/new{i}.txt"), "今年的稿件。");
    }
    let april = std::fs::read_dir(env.corpus().join("2023/04"))
        .unwrap()
        .count();
    std::fs::remove_dir_all(env.corpus().join("2023/04")).unwrap();
    assert_eq!(
        warned(&env).as_deref(),
        Some(format!("4 new, 1 changed, {} removed", 1 + april).as_str())
    );
    // `sou index` agrees, and then nothing is stale.
    let summary = env.index();
    assert!(
        summary.contains(&format!("(4 new, 1 changed, {} removed,", 1 + april)),
        "{summary}"
    );
    assert_eq!(warned(&env), None);
}

#[test]
fn an_archive_appended_in_place_is_watched() {
    let env = big();
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(env.corpus().join("wire.jsonl"))
        .unwrap();
    f.write_all("{\"id\":\"w2\",\"body\":\"又一篇稿件。\"}\n".as_bytes())
        .unwrap();
    drop(f);
    assert_eq!(warned(&env).as_deref(), Some("0 new, 1 changed, 0 removed"));
}

#[test]
fn a_racy_folder_is_listed_and_a_settled_one_is_trusted() {
    let env = big();
    // A file added to a folder whose time is then put back, as a coarse clock would leave it: the folder
    // is trusted (the limit the check documents), and `sou index`, which checks every file, finds it.
    let may = env.corpus().join("2023/05");
    let before = std::fs::metadata(&may).unwrap().modified().unwrap();
    env.write("2023/05/unseen.txt", "没被发现的稿件。");
    set_mtime(&may, before);
    assert_eq!(warned(&env), None);
    assert!(env.index().contains("(1 new, 0 changed, 0 removed,"));
    // A folder changed just before it is indexed is racy: a search lists it, whatever its time says.
    let june = env.corpus().join("2023/06");
    env.write("2023/06/fresh.txt", "刚写的稿件。");
    env.index();
    let dir_line = |dir: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(env.index_dir().join("sou-manifest.json")).unwrap();
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| v["dir"] == dir)
            .unwrap()
    };
    assert_eq!(dir_line("2023/06")["racy"], true);
    assert_eq!(dir_line("2023/07").get("racy"), None);
    let before = std::fs::metadata(&june).unwrap().modified().unwrap();
    env.write("2023/06/also.txt", "又写的稿件。");
    set_mtime(&june, before);
    assert_eq!(warned(&env).as_deref(), Some("1 new, 0 changed, 0 removed"));
    // Once its time is old, the next `sou index` settles it (the manifest is written for that alone).
    env.remove("2023/06/also.txt");
    set_mtime(&june, SystemTime::now() - Duration::from_secs(60));
    let summary = env.index();
    assert!(summary.contains("0 passages written"), "{summary}");
    assert_eq!(dir_line("2023/06").get("racy"), None);
    assert_eq!(warned(&env), None);
}
