//! `sou analyze`: the normalized text and both views of it (jieba's words, and characters and bigrams).

use crate::util::TestEnv;

#[test]
fn analyze_shows_normalization_and_both_views() {
    let env = TestEnv::new(&[]);
    let out = env.run(["analyze", "中国农业发展银行"]);
    let stdout = out.assert_ok();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0], "normalized: 中国农业发展银行");
    let words: Vec<&str> = lines[1]
        .strip_prefix("words: ")
        .unwrap()
        .split(' ')
        .collect();
    for tok in ["中国@0", "农业@2", "发展@4", "银行@6", "农业发展银行@2"] {
        assert!(words.contains(&tok), "{tok} missing: {}", lines[1]);
    }
    let chars: Vec<&str> = lines[2]
        .strip_prefix("chars: ")
        .unwrap()
        .split(' ')
        .collect();
    for tok in ["中@0", "中国@0", "农业@2", "行@7"] {
        assert!(chars.contains(&tok), "{tok} missing: {}", lines[2]);
    }
    // Traditional, full-width, and a leading dash (not a flag).
    let out = env.run(["analyze", "銀行ＡＰＰ", "-x"]);
    assert!(
        out.assert_ok().starts_with("normalized: 银行app -x\n"),
        "{out:#?}"
    );
    // Non-BMP: one character, one token.
    let out = env.run(["analyze", "王𨨏"]);
    assert!(out.assert_ok().contains("𨨏@1"), "{out:#?}");
}
