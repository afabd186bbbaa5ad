//! The ranking's weights and stop words: the numbers that `bench/eval.py` tunes.

/// The ranking's weights. The defaults were chosen with `bench/eval.py` (see BENCHMARKS.md); for
/// experiments they can be overridden with the environment variable `SOU_RANKING`, e.g.
/// `SOU_RANKING="char=0.3,coverage=0.5"` (names are the field names below).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// A query word (two or more characters) on the word view.
    pub word: f32,
    /// A query word that lies inside a longer query word (jieba's search-mode sub-words: 高新 in 高新技术).
    pub sub: f32,
    /// A one-character query word of a longer term (score only: it never makes a passage match).
    pub single: f32,
    /// A stop word or question word of a longer term (的, 是, 什么, 多少; score only).
    pub stop: f32,
    /// A query word as a character phrase on the character view.
    pub char: f32,
    /// Every character bigram of the term on the character view (soft proximity; score only).
    pub bigram: f32,
    /// The whole term as one character phrase (exact, adjacent match).
    pub exact: f32,
    /// A quoted phrase.
    pub phrase: f32,
    /// A match in the article title, relative to the same match in the passage.
    pub title: f32,
    /// How much coverage counts in the final score: score × (1 − C + C × coverage).
    pub coverage: f32,
    /// Whether coverage weighs each query word by its IDF (1) or counts characters (0).
    pub idf_coverage: f32,
    /// A one-character non-stop word of a longer term on the character view (0: such words never make a
    /// passage match on their own).
    pub single_core: f32,
    /// The characters of a query word that is not in jieba's dictionary (made up by its HMM), on the
    /// character view (0: off).
    pub unknown_chars: f32,
    /// Score factor for the lead passage of an article (see [`crate::corpus::Passage::lead`]).
    pub lead: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            word: 1.0,
            sub: 1.0,
            single: 0.3,
            stop: 0.3,
            char: 0.2,
            bigram: 1.2,
            exact: 1.0,
            phrase: 1.5,
            title: 0.5,
            coverage: 1.0,
            idf_coverage: 1.0,
            lead: 1.7,
            single_core: 0.5,
            unknown_chars: 1.0,
        }
    }
}

impl Ranking {
    /// The defaults, with `SOU_RANKING` applied (unknown names and bad numbers are ignored).
    pub(super) fn from_env() -> Self {
        let mut r = Ranking::default();
        let Ok(spec) = std::env::var("SOU_RANKING") else {
            return r;
        };
        for kv in spec.split(',') {
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let Ok(v) = v.trim().parse::<f32>() else {
                continue;
            };
            match k.trim() {
                "word" => r.word = v,
                "sub" => r.sub = v,
                "single" => r.single = v,
                "stop" => r.stop = v,
                "char" => r.char = v,
                "bigram" => r.bigram = v,
                "exact" => r.exact = v,
                "phrase" => r.phrase = v,
                "title" => r.title = v,
                "coverage" => r.coverage = v,
                "idf_coverage" => r.idf_coverage = v,
                "lead" => r.lead = v,
                "single_core" => r.single_core = v,
                "unknown_chars" => r.unknown_chars = v,
                _ => {}
            }
        }
        r
    }
}

pub(super) static RANKING: std::sync::LazyLock<Ranking> =
    std::sync::LazyLock::new(Ranking::from_env);

/// Stop words and question words: in a longer term they add to the score but never make a passage match,
/// and they count little in coverage.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "的", "了", "是", "在", "和", "与", "及", "或", "也", "都", "就", "而", "把", "被", "对", "为", "从", "向", "于",
    "以", "之", "其", "这", "那", "有", "个", "些", "中", "上", "下", "吗", "呢", "吧", "啊", "么", "哪", "谁", "几",
    "多少", "什么", "哪些", "哪个", "哪里", "哪儿", "怎么", "怎样", "怎么样", "如何", "为什么", "为何", "是否", "是不是", "有没有",
    "多久", "多大", "多长", "多高", "多远", "何时", "何地", "一个", "这个", "那个", "我们", "你们", "他们", "它们", "自己", "以及",
    "可以", "因为", "所以", "但是", "如果", "还是", "或者", "不", "没", "很", "还", "又", "再", "才", "更", "最", "另", "让",
    "使", "将", "会", "能", "要", "所", "等", "该", "各", "每", "此", "我", "你", "他", "她", "它", "着", "过", "给",
    "由", "并", "且", "则", "即", "已", "曾",
];

pub(super) fn is_stop(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}
