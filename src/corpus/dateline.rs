//! Datelines: the source, place and date at the start of a Chinese news article, and its reporters.
//!
//! A Chinese news story opens with a *dateline* (电头) that names who reports it, often where and on
//! which day, and then its reporters in parentheses: `新华社北京10月18日电（记者王某、李某）…`.
//! [`parse_dateline`] reads one at the start of a text and says where the body begins;
//! [`dateline_year`] puts a dateline's month in a year. The module is pure: text in, values out.
//!
//! # Shapes
//!
//! Written with `<source>` a news agency, paper, site or station, `<place>` a place name, `<date>` a
//! month and day `M月D日`, and `[…]` what may be left out:
//!
//! | shape | example | where it comes from |
//! |---|---|---|
//! | `<source>[<place>][<date>]<end>` | `新华社北京10月18日电`, `中新网3月1日电`, `本报北京电`, `新华社电` | agency wires' 电头 (新华社, 中新社, …) and papers' own datelines (`本报…电`) |
//! | `<source>讯` | `本报讯`, `科技日报讯`, `光明网讯` | papers' local news (`科技日报讯(…)` on the bundled page, `corpus/`) |
//! | `<source>消息（<programme>）` | `央视网消息（新闻联播）：` | CCTV's website transcripts (the xwlb test corpus) |
//! | `据<source>[<place>][<date>]<end>` | `据新华社电`, `据新华社北京3月2日电`, `据《某某时报》报道，` | a paper reprinting or quoting a wire |
//! | `【<source>…】` | `【环球时报综合报道】`, `【环球网报道 记者 张三】` | 环球时报 and 环球网, which bracket their dateline |
//! | `<source><role><names>` on a line of its own | `新华社记者张三`, `◎本报记者 张三 实习记者 李四` | bylines of agency features and newspaper pages (`◎本报记者…` on the bundled page) |
//!
//! - `<end>` is `电`, `专电`, `新媒体专电`, `讯`, `快讯`, `消息`, `报道`, `综合报道` or `综合消息`.
//! - A dateline without a date must be followed by a parenthesis, a colon, whitespace or the end of the
//!   text (`新华社南京电　…`, `本报讯（…）`), and its end must not make a word with the character before it
//!   (`供电`, `发电`, `资讯`, …: `某某电网武汉供电公司…` is not `<source><place>电`).
//! - With a date, `电` and `讯` may be followed by the body at once (`新华社北京3月1日电国务院…`) unless the
//!   next character makes a word with them (`电话`, `电视`, `讯息`, `讯问`, …); `消息`, `报道`, `快讯` and
//!   the `综合…` ends, words of ordinary sentences too (`新华社消息称…`), still need the parenthesis, colon,
//!   whitespace or end after them.
//! - After `据…` a comma counts as whitespace does (`据新华社报道，`).
//! - `<source>` is a known name (a list of agencies, national papers and sites, and `本报`, `本台`, `本网`,
//!   `本刊`, `总台`), or a run of 2 to 12 Han characters ending in `社`, `报`, `网`, `电视台`, `电台`,
//!   `气象台`, `新闻`, `在线` or `客户端` (`北京青年报`, `某某电视台`), but not in a word that names no
//!   source (`电网`, `联网`, `旅行社`, `出版社`, …), and that does not start with a demonstrative, a
//!   pronoun or a preposition (`该报`, `这家报社`, `从…`); an ending followed by `网` or `客户端` takes them
//!   in (`某某日报网`). Two sources may be
//!   joined by `-`, `－`, `—`, `–`, `/`, `·` or `•` (`人民网-人民日报`); the source is then both, as written.
//!   After `据` a source may also be a title in `《》` (`据《某某时报》报道`; the source is the title, without
//!   the marks). When several readings are possible, known names come first (longest first), then the
//!   shortest generic one that gives a whole dateline.
//! - `<place>` is 2 to 6 Han characters (or a longer known name, `布宜诺斯艾利斯`) that are not a time word
//!   (`近日`, `今天`, …) or `综合`, and contain no role (`记者`, `报道员`, …) and none of `的了等在是被把`.
//! - `<date>` is `M月D日` with the month 1–12 and the day valid in that month (29 February allowed); the
//!   numbers are ASCII or full-width digits (`１０月１８日`) or Chinese numerals (`十月十八日`, `二十三日`).
//! - Then up to two groups in parentheses (ASCII or full-width, at most 60 characters inside, on one
//!   line): a group that names a role (`记者`, `通讯员`, `实习生`, `特约`, `摄影`, `编辑`, …) is the byline; a
//!   group without one is the programme after `消息` (`（新闻联播）`) and the byline after any other end
//!   (`（张三）`). Then an optional colon (`：` or `:`) and horizontal whitespace.
//! - In brackets, `【<source>[<place>][<date>]<end> <byline>】` or `【<source><role><names>】` (the byline
//!   line below): what follows the end inside the brackets is the byline.
//! - Whitespace (spaces, tabs, the ideographic space) may stand between the parts (`新华社 北京 电`), and
//!   the dateline may be preceded by whitespace and list marks (`◎`, `■`, `□`, `●`, `○`, `★`, `☆`, `▲`,
//!   `△`, `◆`, `◇`, `※`).
//!
//! A byline line (the last shape) is a source, then reporters with their roles (`记者`, `通讯员`,
//! `实习记者`, `驻东京记者`, …) and names of 2 to 4 Han characters (longer with `·`: `阿不都·热合曼`),
//! separated by spaces or `、`, up to the end of the line or a colon; it must name at least one role and one
//! person. A line ending in `摄`, `摄影` or `供图` is a photo credit, not a dateline; a final `报道`
//! (`新华社记者张三报道`) is left out of the byline. Only the first line is read: `通讯员 …` on the next
//! line of a page is not part of it.
//!
//! The shapes and the known names are those of mainland news practice (the 电头 of 新华社 and 中新社, the
//! `本报讯` of papers), checked against the bundled 科技日报 page and the xwlb transcripts. The lists that
//! refuse a reading (words around `电` and `讯`, endings that name no source, words that are no place)
//! come from the false readings found when every paragraph and sentence of the xwlb transcripts, the CSL
//! abstracts and the CMRC 2018 passages in `../shared` was read (see the tests).
//!
//! # What is not a dateline
//!
//! Most paragraphs: [`parse_dateline`] returns `None` unless the text starts with one of the shapes above.
//! In particular `据介绍，…`, `据报道，…` (no source), `新华社是…` (no end), `该报报道：…` (a
//! demonstrative is not a source), and `本报记者从某部门获悉，…`: a lead sentence whose subject is the
//! paper's reporters. It names no one and its verb begins the body, so it is body text, not a dateline.
//!
//! Knowingly not read: a year in the date (`2023年10月18日电`), dates written `M月D号`, sources with
//! Latin letters or digits (`21世纪经济报道`), a byline that follows the end without parentheses
//! (`…电 记者张三报道`), and a byline continued on the next line.
//!
//! # Units
//!
//! [`Dateline::len`] counts characters (Unicode scalar values), not bytes, of the text as given: the
//! rules read the text through NFKC applied to each character alone (so `１`, `（` and `：` are read as
//! `1`, `(` and `:`), which keeps one character of the text for one character read. The strings of a
//! [`Dateline`] are original text.

use unicode_normalization::UnicodeNormalization;

/// A dateline read by [`parse_dateline`]: who reports, where and when, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dateline {
    /// The source: the agency, paper, site or station, as written (`新华社`, `科技日报`, `人民网-人民日报`).
    /// `本报` (and `本台`, `本网`, `本刊`) is returned as is: the caller replaces it by the paper's name
    /// when it knows it.
    pub source: String,
    /// The place the story was filed from (`北京`, `华盛顿`), if the dateline names one.
    pub place: Option<String>,
    /// The month, 1–12, if the dateline has a date.
    pub month: Option<u32>,
    /// The day of the month, 1–31 (valid for [`month`](Self::month)), if the dateline has a date.
    pub day: Option<u32>,
    /// The reporters with their roles, as written inside the parentheses or on the byline line, trimmed
    /// (`记者王某、李某`, `记者 张三 通讯员 李四`).
    pub byline: Option<String>,
    /// The programme or column named in parentheses after `消息` (`新闻联播` in `央视网消息（新闻联播）：`).
    pub programme: Option<String>,
    /// How many characters (not bytes) at the start of the text the dateline takes: leading marks and
    /// whitespace, the dateline, its parentheses, and a following colon and horizontal whitespace (never a
    /// line break). The body starts at this character.
    pub len: usize,
}

/// Reads the dateline at the start of `text`, if there is one (see the module documentation for the
/// shapes); `None` for text that does not start with a dateline, which is most paragraphs.
///
/// Only the first [`WINDOW`] characters are looked at.
pub fn parse_dateline(text: &str) -> Option<Dateline> {
    let orig: Vec<char> = text.chars().take(WINDOW + 1).collect();
    let complete = orig.len() <= WINDOW;
    let orig = &orig[..orig.len().min(WINDOW)];
    let norm: Vec<char> = orig.iter().map(|&c| fold(c)).collect();
    let t = Text {
        orig,
        norm: &norm,
        complete,
    };
    let start = t.skip_marks(0);
    match t.get(start)? {
        '【' => bracketed(&t, start),
        '据' => attributed(&t, start + 1),
        _ => plain(&t, start),
    }
}

/// The year of a dateline's month, given the `(year, month)` of the article or page it is in: the same
/// year, or the year before when the dateline's month is later than the reference month (a January paper
/// with `12月30日电`). Months are 1–12.
///
/// A dateline is a day or two older than its paper, so a later month means it crossed a new year. A
/// dateline dated in the next month because its place is ahead of the paper's time zone is read as the
/// year before too; that case is not told apart.
pub fn dateline_year(month: u32, reference: (i32, u32)) -> i32 {
    let (year, ref_month) = reference;
    if month > ref_month { year - 1 } else { year }
}

/// The most characters [`parse_dateline`] looks at: leading marks, the longest source, place, date and end,
/// and two groups in parentheses fit well within it.
pub const WINDOW: usize = 256;

/// Known sources, as read after NFKC. Tried before the generic rule, longest first.
const KNOWN_SOURCES: &[&str] = &[
    "新华社",
    "新华网",
    "中新社",
    "中新网",
    "中新网客户端",
    "中国新闻社",
    "中国新闻网",
    "人民网",
    "人民日报",
    "人民日报海外版",
    "人民日报客户端",
    "央视网",
    "央视新闻",
    "央视新闻客户端",
    "央广网",
    "中央广播电视总台",
    "总台",
    "国际在线",
    "光明网",
    "光明日报",
    "经济日报",
    "中国经济网",
    "科技日报",
    "中国日报",
    "中国日报网",
    "环球时报",
    "环球网",
    "解放军报",
    "法治日报",
    "法制日报",
    "工人日报",
    "农民日报",
    "中国青年报",
    "中国青年网",
    "澎湃新闻",
    "新京报",
    "北京日报",
    "北京青年报",
    "参考消息",
    "参考消息网",
    "本报",
    "本台",
    "本网",
    "本刊",
    "中央社",
    "法新社",
    "美联社",
    "路透社",
    "塔斯社",
    "共同社",
    "韩联社",
    "彭博社",
    "德新社",
    "埃菲社",
    "安莎社",
    "俄新社",
    "中评社",
];

/// The endings of a generic source name.
const SOURCE_SUFFIXES: &[&str] = &[
    "社",
    "报",
    "网",
    "电视台",
    "电台",
    "气象台",
    "新闻",
    "在线",
    "客户端",
];

/// Endings that make a word that is not a source (`电网`, `社区`'s `…社` is cut by the rules after it).
const NOT_SOURCE_ENDINGS: &[&str] = &[
    "电网",
    "联网",
    "触网",
    "管网",
    "路网",
    "并网",
    "上网",
    "入网",
    "组网",
    "全社",
    "旅行社",
    "合作社",
    "出版社",
    "公社",
];

/// What a generic source ending takes in when it follows at once (`…日报网`, `…新闻客户端`).
const SOURCE_EXTENSIONS: &[&str] = &["网", "客户端"];

/// First characters that make a run of Han characters a phrase rather than a name: demonstratives,
/// quantifiers and prepositions (`该报`, `各大报社`, `从…`). `本` is allowed only in the known `本报` etc.
const NOT_SOURCE_START: &[char] = &[
    '该', '此', '这', '那', '各', '某', '其', '每', '本', '多', '两', '一', '全', '据', '从', '在',
    '对', '由', '向', '与', '和', '及', '被', '为', '将', '把', '我', '你', '他', '她', '它',
];

/// Characters that join two sources (`人民网-人民日报`).
const SOURCE_JOINERS: &[char] = &['-', '—', '–', '/', '·', '•'];

/// A dateline's ends, longest first.
const ENDS: &[&str] = &[
    "新媒体专电",
    "综合报道",
    "综合消息",
    "专电",
    "快讯",
    "消息",
    "报道",
    "电",
    "讯",
];

/// Ends that also occur in ordinary sentences: they need a parenthesis, colon, whitespace or the end of
/// the text after them (or a comma after `据…`).
const WORDY_ENDS: &[&str] = &["综合报道", "综合消息", "快讯", "消息", "报道"];

/// Characters that make a word with a preceding `电` (`电话`, `电视`, …): a dateline's `电` is not
/// followed by them.
const AFTER_DIAN: &[char] = &[
    '话', '视', '影', '力', '报', '脑', '子', '台', '网', '池', '动', '站', '商', '信', '梯', '器',
    '气', '源', '邮', '竞', '缆', '线', '价', '量', '流', '压', '讯', '车', '机', '厂', '费', '表',
    '路', '文',
];

/// Characters that make a word with a preceding `讯` (`讯息`, `讯问`, …).
const AFTER_XUN: &[char] = &['息', '问', '号', '录', '速', '飞'];

/// Words that look like a place (2–6 Han characters before a date or an end) but are not one.
const NOT_PLACES: &[&str] = &[
    "近日", "日前", "今日", "今天", "昨日", "昨天", "前日", "前天", "当日", "当天", "近期", "此前",
    "日内", "综合", "记者", "特约", "首席", "最新", "独家", "专稿",
];

/// Characters that never occur in a place name but often in a phrase.
const NOT_IN_PLACE: &[char] = &['的', '了', '等', '在', '是', '被', '把'];

/// Characters that make a word with a following `电` (`供电`, `发电`, …) or `讯` (`资讯`, `通讯`, …):
/// an undated dateline's end does not follow them.
const BEFORE_END: &[char] = &[
    '供', '发', '用', '送', '输', '断', '水', '核', '通', '来', '充', '放', '停', '配', '购', '售',
    '带', '触', '导', '漏', '光', '风', '火', '家', '闪', '雷', '静', '蓄', '储', '绿', '致', '贺',
    '唁', '资', '喜', '简', '音', '视', '传', '审', '短', '提', '闻', '应',
];

/// Places longer than six characters.
const LONG_PLACES: &[&str] = &["布宜诺斯艾利斯", "斯里巴加湾市", "达累斯萨拉姆"];

/// Words that name a reporter's role, longest first. A group in parentheses that contains one is a byline.
const ROLES: &[&str] = &[
    "记者",
    "通讯员",
    "实习生",
    "报道员",
    "特约",
    "特派",
    "实习",
    "见习",
    "首席",
    "摄影",
    "全媒体",
    "融媒体",
    "撰稿",
    "编辑",
    "采写",
    "主持人",
];

/// List marks that may precede a dateline.
const MARKS: &[char] = &['◎', '■', '□', '●', '○', '★', '☆', '▲', '△', '◆', '◇', '※'];

/// A character read through NFKC alone: full-width digits, letters, parentheses and colons become ASCII,
/// the ideographic space a space. A character NFKC expands to several is kept as it is.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    let mut it = std::iter::once(c).nfkc();
    match (it.next(), it.next()) {
        (Some(a), None) => a,
        _ => c,
    }
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}')
}

/// Whitespace within a line.
fn is_hspace(c: char) -> bool {
    c.is_whitespace() && c != '\n' && c != '\r'
}

/// The text being read: original and folded characters, one for one.
struct Text<'a> {
    orig: &'a [char],
    norm: &'a [char],
    /// Whether `norm` holds the whole text (so its end is the text's end).
    complete: bool,
}

impl Text<'_> {
    fn get(&self, i: usize) -> Option<char> {
        self.norm.get(i).copied()
    }

    fn at_end(&self, i: usize) -> bool {
        i >= self.norm.len() && self.complete
    }

    fn starts_with(&self, i: usize, s: &str) -> bool {
        (i..).zip(s.chars()).all(|(k, c)| self.get(k) == Some(c))
    }

    /// The first of `words` at `i`, as its end.
    fn word_at(&self, i: usize, words: &[&str]) -> Option<usize> {
        words
            .iter()
            .find(|w| self.starts_with(i, w))
            .map(|w| i + w.chars().count())
    }

    fn skip_hspace(&self, mut i: usize) -> usize {
        while self.get(i).is_some_and(is_hspace) {
            i += 1;
        }
        i
    }

    fn skip_marks(&self, mut i: usize) -> usize {
        while self
            .get(i)
            .is_some_and(|c| c.is_whitespace() || MARKS.contains(&c))
        {
            i += 1;
        }
        i
    }

    fn han_run(&self, i: usize) -> usize {
        let mut k = i;
        while self.get(k).is_some_and(is_han) {
            k += 1;
        }
        k
    }

    fn original(&self, from: usize, to: usize) -> String {
        self.orig[from..to].iter().collect()
    }

    /// Original text of `from..to`, trimmed.
    fn trimmed(&self, from: usize, to: usize) -> String {
        self.original(from, to).trim().to_owned()
    }

    /// Does a line break, a parenthesis, a colon, whitespace or the text's end come at `i` (`comma`:
    /// or a comma)?
    fn separated(&self, i: usize, comma: bool) -> bool {
        match self.get(i) {
            None => self.at_end(i),
            Some(c) => c.is_whitespace() || matches!(c, '(' | ':' | '】') || (comma && c == ','),
        }
    }

    /// The ends of the sources that may start at `i`, best first (see the module documentation).
    fn sources(&self, i: usize) -> Vec<usize> {
        let mut ends = self.single_sources(i);
        // Joined sources first: `人民网-人民日报` before `人民网`.
        let mut joined = Vec::new();
        for &e in &ends {
            if self.get(e).is_some_and(|c| SOURCE_JOINERS.contains(&c)) {
                joined.extend(self.single_sources(e + 1));
            }
        }
        joined.append(&mut ends);
        let mut seen = Vec::new();
        joined.retain(|e| {
            let new = !seen.contains(e);
            seen.push(*e);
            new
        });
        joined
    }

    /// Known sources at `i` (longest first), then generic ones (shortest first).
    fn single_sources(&self, i: usize) -> Vec<usize> {
        let mut known: Vec<usize> = KNOWN_SOURCES
            .iter()
            .filter(|s| self.starts_with(i, s))
            .map(|s| i + s.chars().count())
            .collect();
        known.sort_unstable_by(|a, b| b.cmp(a));
        let first = self.get(i);
        if first.is_none_or(|c| NOT_SOURCE_START.contains(&c)) {
            return known;
        }
        let run = self.han_run(i).min(i + 12);
        for end in i + 2..=run {
            let ends_with = SOURCE_SUFFIXES.iter().any(|s| {
                let n = s.chars().count();
                end - i >= n && self.starts_with(end - n, s)
            });
            let not_source = NOT_SOURCE_ENDINGS.iter().any(|s| {
                let n = s.chars().count();
                end - i >= n && self.starts_with(end - n, s)
            });
            if !ends_with || not_source {
                continue;
            }
            let mut e = end;
            while let Some(x) = self.word_at(e, SOURCE_EXTENSIONS) {
                e = x;
            }
            if !known.contains(&e) {
                known.push(e);
            }
        }
        known
    }
}

/// What follows a source: place, date and end.
struct Head {
    place: Option<(usize, usize)>,
    date: Option<(u32, u32)>,
    /// The end word (`电`, `消息`, …).
    end_word: &'static str,
    /// Where the end word ends.
    end: usize,
}

/// Reads `[<place>][<date>]<end>` at `i` (after a source). `attributed`: after `据`.
fn head(t: &Text, i: usize, attributed: bool) -> Option<Head> {
    let i = t.skip_hspace(i);
    let mut places: Vec<Option<(usize, usize)>> = vec![None];
    let run = t.han_run(i);
    for n in 2..=6.min(run - i) {
        places.push(Some((i, i + n)));
    }
    for p in LONG_PLACES {
        if t.starts_with(i, p) {
            places.push(Some((i, i + p.chars().count())));
        }
    }
    for place in places {
        if let Some((from, to)) = place {
            let word: String = t.norm[from..to].iter().collect();
            if NOT_PLACES.contains(&word.as_str())
                || word.contains(NOT_IN_PLACE)
                || ROLES.iter().any(|r| word.contains(r))
            {
                continue;
            }
        }
        let mut j = place.map_or(i, |(_, to)| t.skip_hspace(to));
        let date = date(t, j);
        if let Some((_, _, e)) = date {
            j = t.skip_hspace(e);
        }
        let Some(&end_word) = ENDS.iter().find(|w| t.starts_with(j, w)) else {
            continue;
        };
        let end = j + end_word.chars().count();
        let next = t.get(end);
        let ok = if date.is_none() {
            // Undated: `…南京电　…`, `本报讯（…）`, but not `…供电公司`, `…首台机组并网发电`. (After a
            // source, the end follows a whole name: `…新闻讯` is not `闻讯`.)
            let word_before =
                place.is_some() && t.get(j - 1).is_some_and(|c| BEFORE_END.contains(&c));
            t.separated(end, attributed) && !word_before
        } else if WORDY_ENDS.contains(&end_word) {
            t.separated(end, attributed)
        } else if end_word.ends_with('电') {
            next.is_none_or(|c| !AFTER_DIAN.contains(&c))
        } else {
            next.is_none_or(|c| !AFTER_XUN.contains(&c))
        };
        if ok {
            return Some(Head {
                place,
                date: date.map(|(m, d, _)| (m, d)),
                end_word,
                end,
            });
        }
    }
    None
}

/// Reads `M月D日` at `i`: month, day and where it ends.
fn date(t: &Text, i: usize) -> Option<(u32, u32, usize)> {
    let (month, j) = number(t, i)?;
    if t.get(j) != Some('月') {
        return None;
    }
    let (day, k) = number(t, j + 1)?;
    if t.get(k) != Some('日') {
        return None;
    }
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 29,
        _ => return None,
    };
    (1..=days).contains(&day).then_some((month, day, k + 1))
}

/// A number of one or two ASCII digits, or in Chinese numerals up to 39 (`十八`, `二十三`, `三十一`).
fn number(t: &Text, i: usize) -> Option<(u32, usize)> {
    let mut k = i;
    let mut n = 0;
    while k < i + 2
        && let Some(d) = t.get(k).and_then(|c| c.to_digit(10))
    {
        n = n * 10 + d;
        k += 1;
    }
    if k > i {
        return (!t.get(k).is_some_and(|c| c.is_ascii_digit())).then_some((n, k));
    }
    let digit = |c: char| "〇一二三四五六七八九".find(c).map(|b| (b / 3) as u32);
    match (t.get(i), t.get(i + 1), t.get(i + 2)) {
        (Some(a), Some('十'), b) if digit(a).is_some_and(|a| (1..=3).contains(&a)) => {
            let tens = digit(a)? * 10;
            match b.and_then(digit).filter(|&d| d > 0) {
                Some(d) => Some((tens + d, i + 3)),
                None => Some((tens, i + 2)),
            }
        }
        (Some('十'), b, _) => match b.and_then(digit).filter(|&d| d > 0) {
            Some(d) => Some((10 + d, i + 2)),
            None => Some((10, i + 1)),
        },
        (Some(a), _, _) => digit(a).filter(|&d| d > 0).map(|d| (d, i + 1)),
        _ => None,
    }
}

/// Groups in parentheses, a colon and whitespace after a dateline's end at `i`: fills the byline and the
/// programme, and returns where the body starts.
fn tail(t: &Text, i: usize, end_word: &str, comma: bool, dl: &mut Dateline) -> usize {
    let mut j = i;
    for _ in 0..2 {
        let k = t.skip_hspace(j);
        let Some((from, to)) = group(t, k) else {
            break;
        };
        let inner: String = t.norm[from..to].iter().collect();
        let names_role = ROLES.iter().any(|r| inner.contains(r));
        let text = t.trimmed(from, to);
        if end_word == "消息" && !names_role && dl.programme.is_none() && dl.byline.is_none() {
            dl.programme = Some(text);
        } else if dl.byline.is_none() {
            dl.byline = Some(text);
        } else {
            break;
        }
        j = to + 1;
    }
    let k = t.skip_hspace(j);
    if t.get(k) == Some(':') || (comma && t.get(k) == Some(',')) {
        j = k + 1;
    }
    t.skip_hspace(j)
}

/// A group in parentheses at `i`: the range inside.
fn group(t: &Text, i: usize) -> Option<(usize, usize)> {
    if t.get(i) != Some('(') {
        return None;
    }
    let mut k = i + 1;
    while k <= i + 61 {
        match t.get(k)? {
            ')' => {
                return (t.original(i + 1, k).trim() != "").then_some((i + 1, k));
            }
            '(' | '\n' | '\r' | '。' => return None,
            _ => k += 1,
        }
    }
    None
}

fn make(t: &Text, from: usize, to: usize, h: &Head) -> Dateline {
    Dateline {
        source: t.original(from, to),
        place: h.place.map(|(a, b)| t.original(a, b)),
        month: h.date.map(|d| d.0),
        day: h.date.map(|d| d.1),
        ..Dateline::default()
    }
}

/// A dateline without `据` or brackets at `i`, or a byline line.
fn plain(t: &Text, i: usize) -> Option<Dateline> {
    let sources = t.sources(i);
    for &s in &sources {
        if let Some(h) = head(t, s, false) {
            let mut dl = make(t, i, s, &h);
            dl.len = tail(t, h.end, h.end_word, false, &mut dl);
            return Some(dl);
        }
    }
    for &s in &sources {
        if let Some((byline, len)) = byline_line(t, s, t.norm.len()) {
            return Some(Dateline {
                source: t.original(i, s),
                byline: Some(byline),
                len,
                ..Dateline::default()
            });
        }
    }
    None
}

/// `据<source>…` with the source at `i`.
fn attributed(t: &Text, i: usize) -> Option<Dateline> {
    let i = t.skip_hspace(i);
    let mut sources: Vec<(usize, usize, usize)> =
        t.sources(i).into_iter().map(|e| (i, e, e)).collect();
    if t.get(i) == Some('《')
        && let Some(close) = (i + 1..t.norm.len().min(i + 22)).find(|&k| t.get(k) == Some('》'))
        && close > i + 1
    {
        sources.push((i + 1, close, close + 1));
    }
    sources.into_iter().find_map(|(from, to, after)| {
        let h = head(t, after, true)?;
        let mut dl = make(t, from, to, &h);
        dl.len = tail(t, h.end, h.end_word, true, &mut dl);
        Some(dl)
    })
}

/// `【<source>…】` with `【` at `i`.
fn bracketed(t: &Text, i: usize) -> Option<Dateline> {
    let close =
        (i + 1..t.norm.len().min(i + 82)).find(|&k| matches!(t.get(k), Some('】' | '\n')))?;
    if t.get(close) != Some('】') {
        return None;
    }
    let inner = Text {
        orig: &t.orig[..close],
        norm: &t.norm[..close],
        complete: true,
    };
    let start = inner.skip_hspace(i + 1);
    let sources = inner.sources(start);
    let mut dl = sources.iter().find_map(|&s| {
        let h = head(&inner, s, false)?;
        let mut dl = make(&inner, start, s, &h);
        let rest = inner.trimmed(h.end, close);
        if !rest.is_empty() {
            dl.byline = Some(rest);
        }
        Some(dl)
    });
    if dl.is_none() {
        dl = sources.iter().find_map(|&s| {
            let (byline, _) = byline_line(&inner, s, close)?;
            Some(Dateline {
                source: inner.original(start, s),
                byline: Some(byline),
                ..Dateline::default()
            })
        });
    }
    let mut dl = dl?;
    let mut j = t.skip_hspace(close + 1);
    if t.get(j) == Some(':') {
        j = t.skip_hspace(j + 1);
    }
    dl.len = j;
    Some(dl)
}

/// A byline line after a source at `i`, up to the line's end, a colon or `limit`: the byline and where
/// the body starts.
fn byline_line(t: &Text, i: usize, limit: usize) -> Option<(String, usize)> {
    let i = t.skip_hspace(i);
    let mut end = i;
    while end < limit
        && t.get(end)
            .is_some_and(|c| c != '\n' && c != '\r' && c != ':')
    {
        end += 1;
    }
    // The line must end within the window (or at the limit of a bracket).
    if end == t.norm.len() && !t.complete && limit >= t.norm.len() {
        return None;
    }
    if end - i > 60 {
        return None;
    }
    let line: String = t.norm[i..end].iter().collect();
    let line = line.trim_end();
    if ["摄", "摄影", "供图"].iter().any(|s| line.ends_with(s)) {
        return None;
    }
    let line = line.strip_suffix("报道").unwrap_or(line);
    if !is_byline(line) {
        return None;
    }
    let n = line.chars().count();
    let byline = t.trimmed(i, i + n);
    let mut len = t.skip_hspace(end);
    if t.get(len) == Some(':') {
        len = t.skip_hspace(len + 1);
    }
    Some((byline, len))
}

/// Is `line` reporters with their roles and names (see the module documentation)?
fn is_byline(line: &str) -> bool {
    let mut roles = 0;
    let mut names = 0;
    let tokens = line.split(|c: char| c.is_whitespace() || c == '、' || c == '/');
    for (n, token) in tokens.filter(|s| !s.is_empty()).enumerate() {
        let chars: Vec<char> = token.chars().collect();
        let tt = Text {
            orig: &chars,
            norm: &chars,
            complete: true,
        };
        let mut segments = Vec::new();
        let mut seg = 0;
        let mut k = 0;
        while k < chars.len() {
            if let Some(e) = tt.word_at(k, ROLES) {
                segments.push((seg, k));
                roles += 1;
                k = e;
                seg = e;
            } else {
                k += 1;
            }
        }
        segments.push((seg, chars.len()));
        for (s, (a, b)) in segments.into_iter().enumerate() {
            let word = &chars[a..b];
            if word.is_empty() {
                continue;
            }
            let all_han = word.iter().all(|&c| is_han(c));
            let name = (all_han && (2..=4).contains(&word.len()))
                || (word.contains(&'·')
                    && (3..=15).contains(&word.len())
                    && word.iter().all(|&c| is_han(c) || c == '·'));
            let stationed = word[0] == '驻' && all_han && (3..=7).contains(&word.len());
            let source = all_han && tt.sources(a).contains(&b);
            let opening = n == 0 && s == 0;
            if opening && !stationed {
                // The line starts with a role (the source was before it), or `驻<place>`.
                return false;
            }
            if name && !opening {
                names += 1;
            } else if !(stationed || source) {
                return false;
            }
        }
    }
    roles > 0 && names > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dateline as a line: `source @place M/D (byline) <programme> | body`, each part only when present,
    /// and the body being the text after `len`; `-` for no dateline.
    fn show(text: &str) -> String {
        let Some(d) = parse_dateline(text) else {
            return "-".to_owned();
        };
        let mut s = d.source;
        if let Some(place) = d.place {
            s += &format!(" @{place}");
        }
        if let (Some(month), Some(day)) = (d.month, d.day) {
            s += &format!(" {month}/{day}");
        }
        if let Some(byline) = d.byline {
            s += &format!(" ({byline})");
        }
        if let Some(programme) = d.programme {
            s += &format!(" <{programme}>");
        }
        let body: String = text.chars().skip(d.len).collect();
        format!("{s} | {body}")
    }

    /// Invented examples of every shape, and ordinary sentences that are not datelines.
    const ROWS: &[(&str, &str)] = &[
        // Agency wires: source, place, date, 电, reporters.
        (
            "新华社北京10月18日电（记者王某、李某）记者从有关部门获悉，会议将于下周举行。",
            "新华社 @北京 10/18 (记者王某、李某) | 记者从有关部门获悉，会议将于下周举行。",
        ),
        (
            "新华社华盛顿1月5日电 美国国会当天举行听证会。",
            "新华社 @华盛顿 1/5 | 美国国会当天举行听证会。",
        ),
        (
            "新华社布宜诺斯艾利斯2月29日电（记者张三）阿根廷政府宣布。",
            "新华社 @布宜诺斯艾利斯 2/29 (记者张三) | 阿根廷政府宣布。",
        ),
        (
            "新华社北京3月1日电国务院发布通知。",
            "新华社 @北京 3/1 | 国务院发布通知。",
        ),
        (
            "新华社北京3月1日新媒体专电 题：某某",
            "新华社 @北京 3/1 | 题：某某",
        ),
        ("新华社电 某地发生地震。", "新华社 | 某地发生地震。"),
        (
            "新华社南京电　江苏发布新规。",
            "新华社 @南京 | 江苏发布新规。",
        ),
        (
            "中新社香港7月1日电 香港举行庆祝活动。",
            "中新社 @香港 7/1 | 香港举行庆祝活动。",
        ),
        // Full-width digits, parentheses and colon; Chinese numerals.
        (
            "新华社北京１０月１８日电（记者　王某）：会议闭幕。",
            "新华社 @北京 10/18 (记者　王某) | 会议闭幕。",
        ),
        (
            "新华社上海十月二十三日电 展会开幕。",
            "新华社 @上海 10/23 | 展会开幕。",
        ),
        // A byline line without a date.
        (
            "新华社记者张三\n某地今天召开大会。",
            "新华社 (记者张三) | \n某地今天召开大会。",
        ),
        ("新华社驻东京记者 李四", "新华社 (驻东京记者 李四) | "),
        (
            "◎本报记者 张三 实习记者 李四",
            "本报 (记者 张三 实习记者 李四) | ",
        ),
        (
            "新华社记者张三报道：会议开幕。",
            "新华社 (记者张三) | 会议开幕。",
        ),
        // 据…
        ("据新华社电 某国举行大选。", "新华社 | 某国举行大选。"),
        (
            "据新华社北京3月2日电（记者王五）国务院发布通知。",
            "新华社 @北京 3/2 (记者王五) | 国务院发布通知。",
        ),
        (
            "据路透社报道，某公司宣布裁员。",
            "路透社 | 某公司宣布裁员。",
        ),
        (
            "据《某某时报》报道，当地出现寒潮。",
            "某某时报 | 当地出现寒潮。",
        ),
        // Papers: 本报讯, <paper>讯, half-width parentheses.
        (
            "本报讯（记者 张三 通讯员 李四）近日，某市举办活动。",
            "本报 (记者 张三 通讯员 李四) | 近日，某市举办活动。",
        ),
        (
            "■本报北京5月6日电（记者赵六）某部委发布数据。",
            "本报 @北京 5/6 (记者赵六) | 某部委发布数据。",
        ),
        (
            "科技日报讯(记者钱七 通讯员孙八)近日,某高新区召开大会。",
            "科技日报 (记者钱七 通讯员孙八) | 近日,某高新区召开大会。",
        ),
        (
            "科技日报北京3月1日电 （记者周九）某实验室取得进展。",
            "科技日报 @北京 3/1 (记者周九) | 某实验室取得进展。",
        ),
        ("经济日报讯 某行业数据发布。", "经济日报 | 某行业数据发布。"),
        (
            "光明网讯（记者吴十）某大学举行典礼。",
            "光明网 (记者吴十) | 某大学举行典礼。",
        ),
        (
            "北京青年报讯 某区开通新线路。",
            "北京青年报 | 某区开通新线路。",
        ),
        (
            "江城日报网长沙3月8日讯 某项目开工。",
            "江城日报网 @长沙 3/8 | 某项目开工。",
        ),
        // Sites and stations.
        (
            "中新网北京12月1日电（记者 郑某）某部门发布报告。",
            "中新网 @北京 12/1 (记者 郑某) | 某部门发布报告。",
        ),
        (
            "中新网3月1日电 据某媒体报道，某地降雪。",
            "中新网 3/1 | 据某媒体报道，某地降雪。",
        ),
        (
            "人民网北京6月9日电 某展览开幕。",
            "人民网 @北京 6/9 | 某展览开幕。",
        ),
        (
            "人民网-人民日报海外版讯 某论坛举行。",
            "人民网-人民日报海外版 | 某论坛举行。",
        ),
        (
            "央视网消息（新闻联播）：某地今天启动春耕。",
            "央视网 <新闻联播> | 某地今天启动春耕。",
        ),
        (
            "央视网消息(新闻联播)：  某地今天启动春耕。",
            "央视网 <新闻联播> | 某地今天启动春耕。",
        ),
        (
            "央视网消息：某地今天启动春耕。",
            "央视网 | 某地今天启动春耕。",
        ),
        (
            "央广网北京3月1日消息（记者张某）某地今天启动春耕。",
            "央广网 @北京 3/1 (记者张某) | 某地今天启动春耕。",
        ),
        (
            "【环球时报综合报道】某国宣布新政策。",
            "环球时报 | 某国宣布新政策。",
        ),
        (
            "【环球网报道 记者 张三】某国宣布新政策。",
            "环球网 (记者 张三) | 某国宣布新政策。",
        ),
        (
            "【环球时报驻美国特约记者 李四】某国宣布新政策。",
            "环球时报 (驻美国特约记者 李四) | 某国宣布新政策。",
        ),
        (
            "澎湃新闻讯（记者 张三）某区开通新线路。",
            "澎湃新闻 (记者 张三) | 某区开通新线路。",
        ),
        (
            "湖滨新闻讯（记者 张三）某区开通新线路。",
            "湖滨新闻 (记者 张三) | 某区开通新线路。",
        ),
        // More forms: half-width colon, a site's app, leading marks, 据…消息, 据 with a date.
        (
            "央视网消息(新闻联播):某地今天启动春耕。",
            "央视网 <新闻联播> | 某地今天启动春耕。",
        ),
        (
            "中新网客户端北京3月1日电 某地今天启动春耕。",
            "中新网客户端 @北京 3/1 | 某地今天启动春耕。",
        ),
        ("　　□本报讯 某市举办活动。", "本报 | 某市举办活动。"),
        ("据新华社消息，某地发生地震。", "新华社 | 某地发生地震。"),
        (
            "据美联社5月29日报道，某国举行大选。",
            "美联社 5/29 | 某国举行大选。",
        ),
        // Not datelines.
        ("据介绍，该项目总投资十亿元。", "-"),
        ("据报道，当地出现寒潮。", "-"),
        ("据外媒报道，当地出现寒潮。", "-"),
        ("据法新社等媒体报道，会议推迟。", "-"),
        ("新华社是中国的国家通讯社。", "-"),
        ("新华社消息称，会议推迟。", "-"),
        ("本报记者从市教育局获悉，新学期将增设课程。", "-"),
        ("本报记者获悉，新学期将增设课程。", "-"),
        ("该报报道：会议推迟。", "-"),
        ("人民日报近日报道，某地出现寒潮。", "-"),
        ("新华社记者张三摄", "-"),
        ("旅行社电话无人接听。", "-"),
        ("出版社电子书销量上升。", "-"),
        ("新华社南京电话会议纪要", "-"),
        ("新华社电视新闻部主任说。", "-"),
        ("某省电网公司今年供电量增长。", "-"),
        ("江城电网武汉供电公司的调度员正在值班。", "-"),
        ("水电站首台机组并网发电", "-"),
        ("环球资讯广播今天开播。", "-"),
        ("新华社北京13月1日电 不存在的月份。", "-"),
        ("新华社北京2月30日电 不存在的日子。", "-"),
        ("【编者按】本文讨论某问题。", "-"),
        ("北京时间3月1日，某国发射卫星。", "-"),
        ("", "-"),
    ];

    #[test]
    fn table() {
        for (text, want) in ROWS {
            assert_eq!(show(text), *want, "{text}");
        }
        assert!(ROWS.len() >= 25);
    }

    #[test]
    fn years() {
        assert_eq!(dateline_year(12, (2024, 1)), 2023);
        assert_eq!(dateline_year(2, (2024, 3)), 2024);
        assert_eq!(dateline_year(3, (2024, 3)), 2024);
        assert_eq!(dateline_year(4, (2024, 3)), 2023);
        assert_eq!(dateline_year(1, (2024, 12)), 2024);
    }

    #[test]
    fn len_counts_characters() {
        // A character beyond the BMP in the byline: `len` counts it once, not as its four bytes.
        let text = "新华社北京3月1日电（记者𨨏某）正文";
        let d = parse_dateline(text).unwrap();
        assert_eq!(d.len, 16);
        assert_eq!(d.byline.as_deref(), Some("记者𨨏某"));
        assert_eq!(text.chars().skip(d.len).collect::<String>(), "正文");
    }

    /// The bundled 科技日报 page: its two `科技日报讯` datelines and two `◎本报记者` bylines, and no other
    /// paragraph read as a dateline.
    #[test]
    fn bundled_page() {
        let page = include_str!("../../corpus/keji-ribao-high-tech-zones-2023.txt");
        let found: Vec<(String, String)> = page
            .lines()
            .filter_map(|line| {
                let d = parse_dateline(line)?;
                Some((d.source, line.chars().skip(d.len).take(2).collect()))
            })
            .collect();
        let want = [
            ("本报", ""),
            ("科技日报", "近日"),
            ("科技日报", "近日"),
            ("本报", ""),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(s, b)| (s.to_string(), b.to_string()))
            .collect();
        assert_eq!(found, want);
    }

    fn shared_jsonl(name: &str) -> Vec<serde_json::Value> {
        let path = format!("{}/../shared/corpora/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}: {e}")))
            .collect()
    }

    /// The xwlb transcripts: nearly every news item opens with `央视网消息（新闻联播）：` (or `(新闻联播)`,
    /// or without the programme); the rest open with a headline. The body starts right after the colon (and
    /// any spaces after it).
    #[test]
    #[cfg_attr(sou_shared_missing, ignore = "needs ../shared (missing)")]
    fn xwlb_items_open_with_the_cctv_dateline() {
        let (mut items, mut read, mut programme) = (0, 0, 0);
        for record in shared_jsonl("xwlb/docs.jsonl") {
            if record["category"] != "item" {
                continue;
            }
            items += 1;
            let body = record["body"].as_str().unwrap_or_default();
            let Some(d) = parse_dateline(body) else {
                continue;
            };
            let chars: Vec<char> = body.chars().collect();
            let after_colon = chars.iter().position(|&c| c == '：' || c == ':').map(|k| {
                let mut k = k + 1;
                while chars.get(k).is_some_and(|&c| is_hspace(c)) {
                    k += 1;
                }
                k
            });
            if d.source == "央视网" && after_colon == Some(d.len) {
                read += 1;
                programme += usize::from(d.programme.as_deref() == Some("新闻联播"));
            }
        }
        assert!(items > 30_000, "{items} items");
        assert!(read * 100 >= items * 95, "{read} of {items} items");
        assert!(
            programme * 100 >= read * 95,
            "{programme} of {read} with 新闻联播"
        );
    }

    /// Text that is not news: no paragraph or sentence of the CSL abstracts or the CMRC 2018 passages (zh
    /// Wikipedia, CC BY-SA 4.0) reads as a dateline, except one CMRC sentence that quotes a wire
    /// (`据美联社…报道，`), which is one.
    #[test]
    #[cfg_attr(sou_shared_missing, ignore = "needs ../shared (missing)")]
    fn ordinary_text_has_no_datelines() {
        let sources = |name: &str, field: &str| -> Vec<String> {
            let mut found = Vec::new();
            for record in shared_jsonl(name) {
                let text = record[field].as_str().unwrap_or_default();
                for paragraph in text.split('\n') {
                    let mut starts = vec![paragraph];
                    for (i, c) in paragraph.char_indices() {
                        if "。！？；，".contains(c) {
                            starts.push(&paragraph[i + c.len_utf8()..]);
                        }
                    }
                    found.extend(
                        starts
                            .into_iter()
                            .filter_map(|s| Some(parse_dateline(s)?.source)),
                    );
                }
            }
            found
        };
        assert_eq!(sources("csl/docs.jsonl", "abstract"), Vec::<String>::new());
        assert_eq!(sources("cmrc2018/passages.jsonl", "body"), ["美联社"]);
    }
}
