//! Issue 19 (the index's life): whatever a killed or failed run left never stops the next one; recovery
//! reaches every file and never replaces a damaged index with something the user didn't ask for; a
//! read-only index is searchable; a write error names its cause; damaged bytes are found by their
//! checksums; and a run killed at random system calls, or failing at the commit's renames and syncs, is
//! always completed by the next run with nothing lost.
//!
//! The tests that inject faults use strace (`-e inject=…`); where strace is missing they say so on stderr
//! and pass without checking anything (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::hay;
use crate::util::{self, Output, TestEnv, wait_output};

/// The visible files of an index directory (tantivy's segment files, `meta.json`, sou's files), sorted.
fn visible_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// Copies the files of directory `from` into `to` (created), not recursing.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// The answers that tell two indexes apart: the hits' ids of a few queries and the total of each.
fn answers(env: &TestEnv, index: &Path) -> Vec<(String, Vec<String>, usize)> {
    // (银行: every file but c.txt; 公告: b.txt and c.txt.)
    ["银行", "公告"]
        .iter()
        .map(|q| {
            let out = env.run([
                "search",
                "--json",
                "-n",
                "50",
                "--index",
                &index.display().to_string(),
                q,
            ]);
            assert!(matches!(out.code, Some(0 | 1)), "{out:#?}");
            let found = util::parse_json(out);
            let mut ids: Vec<String> = found.hits.iter().map(|h| h.id.clone()).collect();
            ids.sort();
            (q.to_string(), ids, found.summary.total_hits)
        })
        .collect()
}

/// Whether strace can run here; if not, says on stderr that `test` is skipped.
fn have_strace(test: &str) -> bool {
    let ok = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED {test}: strace is not installed (`.ci/run` installs it)");
    }
    ok
}

/// Runs `sou ARGS` under `strace -f` with the fault `inject` (e.g. `write:signal=KILL:when=5`), in the
/// environment's directory.
fn run_injected(env: &TestEnv, trace: &str, inject: &str, args: &[String]) -> Output {
    run_injected_at(env, None, trace, inject, args)
}

/// [`run_injected`], the fault only at system calls on `path` (strace's `-P`) if given.
fn run_injected_at(
    env: &TestEnv,
    path: Option<&Path>,
    trace: &str,
    inject: &str,
    args: &[String],
) -> Output {
    let mut cmd = Command::new("strace");
    if let Some(p) = path {
        cmd.arg("-P").arg(p);
    }
    cmd.args(["-f", "-qq", "-o", "/dev/null", "-e"])
        .arg(format!("trace={trace}"))
        .arg("-e")
        .arg(format!("inject={inject}"))
        .arg(util::SOU)
        .args(args)
        .current_dir(env.root())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    let child = cmd.spawn().expect("strace");
    let started = std::time::Instant::now();
    let mut child = child;
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "sou hung under strace ({inject})"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// `index --corpus <root>/corpus --index INDEX`.
fn index_args(env: &TestEnv, index: &Path) -> Vec<String> {
    vec![
        "index".into(),
        "--corpus".into(),
        env.corpus().display().to_string(),
        "--index".into(),
        index.display().to_string(),
    ]
}

/// Eleven small files: changing one of them is a small update (no merge), which keeps the segment it
/// deletes from and writes a `.del` file for it.
fn small_files_env() -> TestEnv {
    let env = TestEnv::new(&[]);
    for i in 0..10 {
        env.write(
            &format!("a{i}.txt"),
            format!("今天天气不错，银行开门第{i}天。"),
        );
    }
    env.write("b.txt", "农业发展银行发布公告。");
    env.index();
    env
}

// ---------------------------------------------------------------------------------------------------------
// 1. What a killed or failed run left never stops the next one.

#[test]
fn a_run_killed_inside_its_commit_does_not_block_the_same_update() {
    let env = small_files_env();
    let dir = env.index_dir();
    let meta = std::fs::read(dir.join("meta.json")).unwrap();
    let manifest = std::fs::read(dir.join("sou-manifest.json")).unwrap();
    env.write("b.txt", "农业发展银行发布新公告。");
    env.index();
    assert!(
        visible_files(&dir).iter().any(|f| f.ends_with(".del")),
        "the update wrote no .del file: {:?}",
        visible_files(&dir)
    );
    // What a kill after the commit's files are written, before `meta.json` is renamed, leaves: the new
    // files (a `.del` file among them), and the previous `meta.json` and manifest.
    std::fs::write(dir.join("meta.json"), meta).unwrap();
    std::fs::write(dir.join("sou-manifest.json"), manifest).unwrap();
    // The same update again: it completes (it failed with `FileAlreadyExists("….del")` before).
    env.try_index(&[]).assert_ok();
    let found = env.search_json(&["新公告"]);
    assert_eq!(found.paths(), ["b.txt"], "{:#?}", found.hits);
    assert_eq!(
        env.search_json(&["银行", "-n", "50"]).summary.total_hits,
        11
    );
}

#[test]
fn a_failed_run_leaves_no_files_behind() {
    let env = TestEnv::new(hay::TRAPS);
    env.index();
    let before = visible_files(&env.index_dir());
    // Much more text than a file may hold under the limit below (random characters: zstd can't shrink it).
    let mut rng = fastrand::Rng::with_seed(19);
    for i in 0..20 {
        let text: String = (0..60)
            .map(|k| {
                let tail: String = (0..40).map(|_| rng.char('\u{4E00}'..='\u{9FA5}')).collect();
                format!("第{i}篇第{k}句：银行{tail}。\n\n")
            })
            .collect();
        env.write(&format!("more/m-{i:02}.txt"), text);
    }
    // Files may not grow past 32 KiB: writes fail with EFBIG, as on a full disk.
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg("trap '' XFSZ; ulimit -f 64\nexec \"$0\" \"$@\"")
        .arg(util::SOU)
        .args(index_args(&env, &env.index_dir()))
        .current_dir(env.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = wait_output(sh.spawn().unwrap());
    assert_eq!(out.code, Some(2), "{out:#?}");
    // Nothing of the failed run stays on the disk: the directory holds the previous index's files only.
    assert_eq!(visible_files(&env.index_dir()), before, "{out:#?}");
    out.assert_error(&["writing the index failed: file too large (in "]);
    env.index();
}

// ---------------------------------------------------------------------------------------------------------
// 2. Recovery reaches everything, and a damaged index is never replaced unasked.

#[test]
fn the_advised_rebuild_repairs_a_truncated_managed_json() {
    let env = TestEnv::indexed(hay::TRAPS);
    let before = env.search_json(&["银行"]).hits;
    std::fs::write(env.index_dir().join(".managed.json"), "[\"abc").unwrap();
    let out = env.search(&["银行"]);
    let msg = out
        .assert_error(&["damaged", "sou index --rebuild"])
        .to_string();
    // The advice, with the corpus for DIR, run as given.
    let advice = msg.split('`').nth(1).unwrap().replace("DIR", "corpus");
    let words = shlex::split(&advice).unwrap();
    assert_eq!(words[0], "sou", "{msg}");
    env.run(&words[1..]).assert_ok();
    assert_eq!(env.search_json(&["银行"]).hits, before);
}

#[test]
fn a_search_never_rebuilds_an_index_that_lost_its_manifest() {
    // The default index (./index) of a folder whose ./corpus is another archive.
    let env = TestEnv::indexed(hay::TRAPS);
    let dir = env.index_dir();
    std::fs::remove_file(dir.join("sou-manifest.json")).unwrap();
    let files = visible_files(&dir);
    let out = env.run(["search", "银行"]);
    out.assert_error(&["no sou manifest", "sou index --rebuild --index index"]);
    // Nothing was rebuilt or removed.
    assert_eq!(visible_files(&dir), files);
    let out = env.run(["count", "银行"]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert_eq!(visible_files(&dir), files);
    // The advised command, asked for, rebuilds it.
    env.run([
        "index",
        "--rebuild",
        "--index",
        "index",
        "--corpus",
        "corpus",
    ])
    .assert_ok();
    assert_eq!(env.search_json(&["银行"]).hits.len(), 2);
}

// ---------------------------------------------------------------------------------------------------------
// 3. A read-only index is searchable.

/// Makes `dir` read-only for this process until dropped: a read-only bind mount of it when running as
/// root (who may write anywhere else), else `chmod a-w`. None (and a note on stderr) when neither works.
struct ReadOnly {
    path: PathBuf,
    mounted: bool,
}

impl ReadOnly {
    fn new(dir: &Path, mount_point: &Path) -> Option<ReadOnly> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n");
        if !root {
            let mut perm = std::fs::metadata(dir).unwrap().permissions();
            perm.set_readonly(true);
            std::fs::set_permissions(dir, perm).unwrap();
            return Some(ReadOnly {
                path: dir.to_path_buf(),
                mounted: false,
            });
        }
        std::fs::create_dir_all(mount_point).unwrap();
        let sh = |cmd: String| {
            Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .status()
                .is_ok_and(|s| s.success())
        };
        let (d, m) = (dir.display(), mount_point.display());
        if !sh(format!("mount --bind '{d}' '{m}' 2>/dev/null")) {
            eprintln!("SKIPPED the read-only index test: root, but cannot bind-mount");
            return None;
        }
        let ro = ReadOnly {
            path: mount_point.to_path_buf(),
            mounted: true,
        };
        if !sh(format!("mount -o remount,bind,ro '{m}' 2>/dev/null")) {
            eprintln!("SKIPPED the read-only index test: cannot remount read-only");
            return None;
        }
        Some(ro)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.path).status();
        } else {
            let mut perm = std::fs::metadata(&self.path).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            let _ = std::fs::set_permissions(&self.path, perm);
        }
    }
}

#[test]
fn a_read_only_index_is_searchable() {
    let env = TestEnv::indexed(hay::TRAPS);
    let before = env.search_json(&["银行"]).hits;
    let Some(ro) = ReadOnly::new(&env.index_dir(), &env.root().join("ro")) else {
        return;
    };
    let index = ro.path.display().to_string();
    let out = env.run(["search", "--json", "--index", &index, "银行"]);
    let found = util::parse_json(out);
    assert_eq!(found.hits.len(), before.len(), "{:#?}", found.hits);
    // The check needs read access only.
    env.run(["index", "--check", "--index", &index]).assert_ok();
    // Writing says what is missing, and that it is access.
    let mut args = index_args(&env, &ro.path);
    args.push("--rebuild".into());
    let out = env.run(&args);
    let msg = out.assert_error(&[]).to_lowercase();
    assert!(
        msg.contains("read-only") || msg.contains("permission denied"),
        "{out:#?}"
    );
    drop(ro);
}

#[test]
fn a_file_that_may_not_be_read_is_named_not_called_damage() {
    if !have_strace("a_file_that_may_not_be_read_is_named_not_called_damage") {
        return;
    }
    let env = TestEnv::indexed(hay::TRAPS);
    let store = visible_files(&env.index_dir())
        .into_iter()
        .find(|f| f.ends_with(".store"))
        .unwrap();
    // Opening the stored texts is refused, as for a file of another user's without read permission.
    let path = env.index_dir().join(&store);
    let args: Vec<String> = [
        "search",
        "--index",
        &env.index_dir().display().to_string(),
        "银行",
    ]
    .map(String::from)
    .to_vec();
    let out = run_injected_at(&env, Some(&path), "openat", "openat:error=EACCES", &args);
    out.assert_error(&[&store, "Permission denied"]);
    assert!(
        !out.stderr.contains("damaged") && !out.stderr.contains("--rebuild"),
        "{out:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// 4. Errors name their cause: a full disk, Ctrl-C.

#[test]
fn no_space_left_on_device_is_named_and_the_index_is_intact() {
    if !have_strace("no_space_left_on_device_is_named_and_the_index_is_intact") {
        return;
    }
    let env = TestEnv::indexed(hay::TRAPS);
    let before = env.search_json(&["银行"]).hits;
    let manifest = std::fs::read(env.index_dir().join("sou-manifest.json")).unwrap();
    env.write("new.txt", "新开一家银行。");
    // Every sync of a written file fails with ENOSPC (as a full disk makes a delayed write fail).
    let out = run_injected(
        &env,
        "fdatasync,fsync",
        "fdatasync,fsync:error=ENOSPC",
        &index_args(&env, &env.index_dir()),
    );
    out.assert_error(&["no space left on device (in ", "index is as it was before"]);
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    assert_eq!(env.search_json(&["银行"]).hits, before);
    assert_eq!(
        std::fs::read(env.index_dir().join("sou-manifest.json")).unwrap(),
        manifest
    );
    env.index();
    assert_eq!(env.search_json(&["银行"]).hits.len(), before.len() + 1);
}

#[test]
fn ctrl_c_ends_with_one_line_and_the_index_keeps_its_last_version() {
    let env = TestEnv::indexed(hay::TRAPS);
    let before = env.search_json(&["银行"]).hits;
    // Enough text that a run takes a while.
    let sentence = "青岛市工业技术研究院持续完善创新生态链条，构建优质企业梯度培育体系。";
    for i in 0..400 {
        let text: String = (0..40)
            .map(|k| format!("第{i}篇第{k}句：{sentence}\n\n"))
            .collect();
        env.write(&format!("big/big-{i:04}.txt"), text);
    }
    let child = env
        .command(index_args(&env, &env.index_dir()), &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("sou: interrupted")
            && stderr.contains("keeps its last complete version"),
        "{stderr}"
    );
    assert_eq!(env.search_json(&["银行"]).hits, before);
    env.index();
    assert!(env.search_json(&["工业技术研究院"]).summary.total_hits > 0);
}

// ---------------------------------------------------------------------------------------------------------
// 10. Damaged bytes are found by their checksums.

#[test]
fn damaged_bytes_are_found_by_the_check_and_by_search() {
    let env = small_files_env();
    env.write("b.txt", "农业发展银行发布新公告。");
    env.index();
    env.try_index(&["--check"]).assert_ok();
    let dir = env.index_dir();
    let del = visible_files(&dir)
        .into_iter()
        .find(|f| f.ends_with(".del"))
        .unwrap();
    let path = dir.join(&del);
    let mut bytes = std::fs::read(&path).unwrap();
    // Random bytes in the middle (not the footer), as the 256 in a bigger file.
    let mut rng = fastrand::Rng::with_seed(10);
    let mid = bytes.len() / 2;
    let end = (mid + 256).min(bytes.len() - 12);
    for b in &mut bytes[mid.saturating_sub(8)..end] {
        *b = rng.u8(..);
    }
    std::fs::write(&path, &bytes).unwrap();
    // The check names the file; a search refuses instead of answering from a wrong set of passages.
    let out = env.try_index(&["--check"]);
    out.assert_error(&[&del, "checksum mismatch", "sou index --rebuild"]);
    let out = env.search(&["银行"]);
    out.assert_error(&[&del, "corrupted"]);
    // A damaged stored-text file is found by the check too.
    env.try_index(&["--rebuild"]).assert_ok();
    env.try_index(&["--check"]).assert_ok();
    let store = visible_files(&dir)
        .into_iter()
        .find(|f| f.ends_with(".store"))
        .unwrap();
    let mut bytes = std::fs::read(dir.join(&store)).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(dir.join(&store), &bytes).unwrap();
    env.try_index(&["--check"])
        .assert_error(&[&store, "checksum mismatch"]);
    env.try_index(&["--rebuild"]).assert_ok();
    env.try_index(&["--check"]).assert_ok();
    assert_eq!(
        env.search_json(&["银行", "-n", "50"]).summary.total_hits,
        11
    );
}

// ---------------------------------------------------------------------------------------------------------
// Kill anywhere: a run killed at random system calls, or failing at the commit's renames and syncs, is
// completed by the next run, with nothing lost.

/// The system calls a kill or a failure is injected at: those that write, create, rename, sync or delete
/// the index's files.
const FAULT_SYSCALLS: &str =
    "write,openat,rename,renameat,renameat2,fsync,fdatasync,unlink,unlinkat";

/// Runs `kills` random kill points and the injected failures; see the section's comment.
fn kill_anywhere(kills: usize, seed: u64) {
    if !have_strace("kill_anywhere") {
        return;
    }
    let env = small_files_env();
    let dir = env.index_dir();
    let pristine = env.root().join("pristine");
    copy_dir(&dir, &pristine);
    let old_answers = answers(&env, &dir);
    // The update every run attempts: a file changed, one added, one removed (deletes and adds, a `.del`).
    env.write("b.txt", "农业发展银行发布新公告。");
    env.write("c.txt", "青岛市工业技术研究院发布公告。");
    env.remove("a3.txt");
    let reference = env.root().join("reference");
    env.run(index_args(&env, &reference)).assert_ok();
    let new_answers = answers(&env, &reference);
    assert_ne!(old_answers, new_answers);
    // How often each system call is made by the thread that makes it most (strace counts per thread).
    let trace = env.root().join("trace.txt");
    let restore = || {
        std::fs::remove_dir_all(&dir).unwrap();
        copy_dir(&pristine, &dir);
    };
    restore();
    let status = Command::new("strace")
        .args(["-f", "-qq", "-o"])
        .arg(&trace)
        .arg("-e")
        .arg(format!("trace={FAULT_SYSCALLS}"))
        .arg(util::SOU)
        .args(index_args(&env, &dir))
        .current_dir(env.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&trace).unwrap();
    let mut per_thread: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for line in text.lines() {
        // `PID name(args…`; a call that another thread's line interrupted goes on as `<... name resumed>`.
        let Some((pid, call)) = line.split_once(' ') else {
            continue;
        };
        if let Some((name, _)) = call.trim_start().split_once('(') {
            *per_thread.entry((name, pid)).or_default() += 1;
        }
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for name in FAULT_SYSCALLS.split(',') {
        let n = per_thread
            .iter()
            .filter(|((s, _), _)| *s == name)
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0);
        if n > 0 {
            counts.push((name.to_string(), n));
        }
    }
    eprintln!("kill anywhere: system calls (most by one thread): {counts:?}");
    // Random kills, then failures at every rename and at syncs.
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut faults: Vec<(String, String)> = (0..kills)
        .map(|_| {
            let (name, n) = &counts[rng.usize(..counts.len())];
            let when = rng.usize(1..=*n);
            (name.clone(), format!("{name}:signal=KILL:when={when}"))
        })
        .collect();
    // A kill at each rename (tantivy's `meta.json` and `.managed.json`, sou's manifest), and failures at the
    // last rename of each kind and at the first and last sync.
    for name in ["rename", "renameat", "renameat2", "fdatasync"] {
        let Some((_, n)) = counts.iter().find(|(c, _)| c == name) else {
            continue;
        };
        if name != "fdatasync" {
            for when in 1..=*n {
                faults.push((name.to_string(), format!("{name}:signal=KILL:when={when}")));
            }
        }
        let whens = if name == "fdatasync" {
            vec![1, *n]
        } else {
            vec![*n]
        };
        for when in whens {
            faults.push((name.to_string(), format!("{name}:error=EIO:when={when}")));
        }
    }
    let mut killed = 0;
    for (syscall, inject) in &faults {
        restore();
        let out = run_injected(&env, syscall, inject, &index_args(&env, &dir));
        match out.code {
            None | Some(137) => killed += 1,
            Some(0) => {}
            // A failure is one clear line, never a panic.
            Some(2) => {
                assert!(
                    out.stderr.starts_with("sou: ") && !out.stderr.contains("panicked"),
                    "{inject}: {out:#?}"
                );
            }
            _ => panic!("{inject}: {out:#?}"),
        }
        // Meanwhile a search answers from the previous index or the new one.
        let meanwhile = answers(&env, &dir);
        assert!(
            meanwhile == old_answers || meanwhile == new_answers,
            "after {inject}: {meanwhile:?}"
        );
        // The next run completes, and the index is the one a clean run builds.
        let out = env.run(index_args(&env, &dir));
        assert_eq!(out.code, Some(0), "the run after {inject} failed: {out:#?}");
        assert_eq!(answers(&env, &dir), new_answers, "after {inject}");
        env.run(["index", "--check", "--index", &dir.display().to_string()])
            .assert_ok();
    }
    eprintln!(
        "kill anywhere: {} faults ({killed} kills landed), every next run completed",
        faults.len()
    );
    assert!(killed > kills, "only {killed} kills landed");
}

#[test]
fn a_run_killed_anywhere_is_completed_by_the_next() {
    kill_anywhere(4, 19);
}

/// The long form: `SOU_KILL_POINTS` random kill points (default 200).
#[test]
#[ignore = "long: cargo test --test integration recovery::kill_anywhere_long -- --ignored"]
fn kill_anywhere_long() {
    let kills = std::env::var("SOU_KILL_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    kill_anywhere(kills, 2026);
}
