"""Browser tests of the page of `sou serve`, in headless Chromium (Debian's /usr/bin/chromium and
/usr/bin/chromedriver, driven by Selenium). Run by tests/browser/run.sh, which starts the server on the
corpus of tests/browser/corpus.py and sets SOU_URL.

    SOU_URL=http://127.0.0.1:PORT/ python3 -m unittest tests/browser/test_page.py -v
"""

import json
import os
import tempfile
import time
import unittest
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ.get("SOU_URL", "http://127.0.0.1:7700/").rstrip("/") + "/"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SOU_SCREENSHOTS", ROOT / "target" / "screenshots"))
Q = "高新区"

DESKTOP = (1280, 860)
PHONE = (390, 844)


def make_driver(size=DESKTOP, dark=False):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--lang=zh-CN",
        f"--user-data-dir={tempfile.mkdtemp(prefix='sou-chromium-')}",
        f"--window-size={size[0]},{size[1]}",
    ):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    d = webdriver.Chrome(options=opts, service=service)
    d.set_window_size(*size)
    if dark:
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    return d


def api(path, **params):
    qs = "&".join(
        f"{k}={quote(str(x))}" for k, v in params.items() for x in (v if isinstance(v, list) else [v])
    )
    with urllib.request.urlopen(URL + path.lstrip("/") + "?" + qs) as r:
        return json.load(r)


class Page(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        SHOTS.mkdir(parents=True, exist_ok=True)
        cls.d = make_driver()

    @classmethod
    def tearDownClass(cls):
        cls.d.quit()

    def setUp(self):
        self.d.set_window_size(*DESKTOP)

    def tearDown(self):
        # No alert may ever have opened (the XSS record), no error in the console (a CSP violation, a
        # script error), except a missing favicon.
        try:
            text = self.d.switch_to.alert.text
            self.d.switch_to.alert.dismiss()
            self.fail(f"an alert opened: {text!r}")
        except NoAlertPresentException:
            pass
        errors = [
            e for e in self.d.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]
        ]
        self.assertEqual(errors, [], "console errors")

    # ---- helpers ----

    def open(self, query=""):
        self.d.get(URL + (("?" + query) if query else ""))
        self.wait_ready()

    def wait(self, cond, timeout=10, msg=""):
        return WebDriverWait(self.d, timeout).until(lambda d: cond(), msg)

    def wait_ready(self):
        # The search has answered (no "Searching…"), the counts too when there is a query.
        def ready():
            st = self.d.execute_script(
                "const s = document.getElementById('status');"
                "return [document.readyState, s ? s.textContent : '', !!document.querySelector('.results.loading')];"
            )
            return st[0] == "complete" and "Searching" not in st[1] and not st[2]
        self.wait(ready, msg="the search did not answer")

    def hits(self):
        return self.d.find_elements(By.CSS_SELECTOR, "#hits > li.hit")

    def params(self):
        return parse_qs(urlsplit(self.d.current_url).query)

    def key(self, keys):
        ActionChains(self.d).send_keys(keys).perform()

    def reader_marks(self):
        return self.d.find_elements(By.CSS_SELECTOR, "#doc .body mark")

    def wait_article(self):
        self.wait(lambda: self.d.find_element(By.ID, "reader").is_displayed(), msg="no article view")
        self.wait(lambda: not self.d.find_elements(By.CSS_SELECTOR, "#doc > p.muted:only-child"), msg="article not loaded")

    def shot(self, name):
        self.d.save_screenshot(str(SHOTS / f"{name}.png"))

    # ---- tests ----

    def test_search_marks_the_match_in_every_snippet(self):
        self.open("q=" + quote(Q))
        hits = self.hits()
        expected = api("/api/search", q=Q, n=20)["hits"]
        self.assertEqual(len(hits), len(expected))
        self.assertGreaterEqual(len(hits), 5)
        for h, x in zip(hits, expected):
            marks = [m.text for m in h.find_elements(By.CSS_SELECTOR, ".snippet mark")]
            self.assertIn(Q, marks, h.text)
            # Character offsets, not UTF-16 units: a character beyond the BMP (𨨏) before a match must not
            # shift the marks (Python slices strings by code point, as sou counts).
            self.assertEqual(marks, [x["snippet"][a:b] for a, b in x["highlights"]], h.text)
        self.assertTrue(any("𨨏" in h.text for h in hits), "the corpus has a character beyond the BMP in a snippet")
        self.assertIn("matching passages", self.d.find_element(By.ID, "status").text)
        self.shot("desktop-results")

    def test_j_twice_selects_the_second_hit(self):
        self.open("q=" + quote(Q))
        self.assertEqual(self.d.find_elements(By.CSS_SELECTOR, "#hits > li.selected"), [])
        self.key("jj")
        selected = self.d.find_elements(By.CSS_SELECTOR, "#hits > li.selected")
        self.assertEqual(len(selected), 1)
        self.assertEqual(selected[0].get_attribute("data-index"), "1")
        self.key("k")
        self.assertEqual(self.d.find_element(By.CSS_SELECTOR, "#hits > li.selected").get_attribute("data-index"), "0")
        # / focuses the search box; Esc leaves it.
        self.key("/")
        self.assertEqual(self.d.switch_to.active_element.get_attribute("id"), "q")
        self.key("\ue00c")  # Esc
        self.assertNotEqual(self.d.switch_to.active_element.get_attribute("id"), "q")

    def test_article_marks_every_match_and_n_moves_to_the_next(self):
        self.open("q=" + quote(Q))
        self.key("j")
        second = self.hits()[0]
        show_id = second.get_attribute("data-id")
        self.key("\ue007")  # Enter
        self.wait_article()
        self.assertEqual(self.params().get("a"), [show_id])
        art = api("/api/article", id=show_id, q=Q)
        marks = self.reader_marks()
        expected = sum(len(p.get("highlights") or []) for p in art["passages"])
        self.assertEqual(len(marks), expected)
        self.assertEqual(len(marks), len(art["hits"]))
        self.assertGreater(len(marks), 1, "the test wants an article with several matches")
        self.assertEqual(
            [m.text for m in marks], [p["text"][a:b] for p in art["passages"] for a, b in p.get("highlights") or []]
        )
        self.assertIn(Q, [m.text for m in marks])

        def current():
            cur = self.d.find_elements(By.CSS_SELECTOR, "#doc .body mark.current")
            self.assertEqual(len(cur), 1)
            return [m.id for m in self.reader_marks()].index(cur[0].id)

        first = current()
        self.shot("desktop-article")
        self.key("n")
        self.assertEqual(current(), (first + 1) % len(marks))
        in_view = self.d.execute_script(
            "const m = document.querySelector('#doc mark.current').getBoundingClientRect();"
            "const r = document.getElementById('reader').getBoundingClientRect();"
            "return m.top >= r.top && m.bottom <= r.bottom;"
        )
        self.assertTrue(in_view, "the current match is scrolled into view")
        self.key("N")
        self.assertEqual(current(), first)
        self.key("p")
        self.assertEqual(current(), (first - 1) % len(marks))
        self.assertIn(f"of {len(marks)}", self.d.find_element(By.ID, "hit-pos").text)
        # Esc closes the article, and the URL says so.
        self.key("\ue00c")
        self.wait(lambda: not self.d.find_element(By.ID, "reader").is_displayed())
        self.assertNotIn("a", self.params())

    def test_a_source_facet_narrows_the_results_and_the_url(self):
        self.open("q=" + quote(Q))
        before = len(self.hits())
        facet = self.wait(
            lambda: next((a for a in self.d.find_elements(By.CSS_SELECTOR, "#sources a") if a.text.startswith("人民日报")), None),
            msg="no source facet 人民日报",
        )
        self.assertTrue(facet.text.endswith("2"), facet.text)
        facet.click()
        self.wait(lambda: self.params().get("source") == ["人民日报"], msg="source not in the URL")
        self.wait_ready()
        hits = self.hits()
        self.assertEqual(len(hits), 2)
        self.assertLess(len(hits), before)
        for h in hits:
            self.assertEqual(h.find_element(By.CSS_SELECTOR, ".source").text, "人民日报")
        active = self.d.find_element(By.CSS_SELECTOR, "#sources li.active")
        self.assertTrue(active.text.startswith("人民日报"))
        # A year facet narrows the dates.
        year = next(a for a in self.d.find_elements(By.CSS_SELECTOR, "#years a") if a.text.startswith("2023"))
        year.click()
        self.wait(lambda: self.params().get("since") == ["2023"] and self.params().get("until") == ["2023"])
        self.wait_ready()
        self.assertEqual([h.find_element(By.CSS_SELECTOR, ".date").text for h in self.hits()], ["2023-02-11"])

    def bucket_x(self, key):
        return self.d.execute_script(
            "const g = document.querySelector(`#histogram g[data-key='${arguments[0]}'] .hit-area`);"
            "const r = g.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];",
            key,
        )

    def test_a_histogram_drag_narrows_the_dates_and_the_url(self):
        self.open("q=" + quote(Q))
        self.wait(lambda: self.d.find_elements(By.CSS_SELECTOR, "#histogram g.bucket"), msg="no histogram")
        keys = [g.get_attribute("data-key") for g in self.d.find_elements(By.CSS_SELECTOR, "#histogram g.bucket")]
        self.assertEqual(keys[0], "2021-03")
        self.assertEqual(keys[-1], "2023-05")
        self.assertEqual(len(keys), 27, "months without a match are shown too")
        before = len(self.hits())
        (x0, y), (x1, _) = self.bucket_x("2021-09"), self.bucket_x("2022-06")
        drag = ActionBuilder(self.d)
        drag.pointer_action.move_to_location(int(x0), int(y)).pointer_down()
        drag.pointer_action.move_to_location(int((x0 + x1) / 2), int(y)).move_to_location(int(x1), int(y)).pointer_up()
        drag.perform()
        self.wait(lambda: self.params().get("since") == ["2021-09"] and self.params().get("until") == ["2022-06"], msg=self.d.current_url)
        self.wait_ready()
        dates = [h.find_element(By.CSS_SELECTOR, ".date").text for h in self.hits()]
        self.assertTrue(dates)
        self.assertLess(len(dates), before)
        for dt in dates:
            self.assertTrue("2021-09" <= dt[:7] <= "2022-06", dates)
        self.wait(lambda: len(self.d.find_elements(By.CSS_SELECTOR, "#histogram g.bucket.in")) == 10)
        self.shot("desktop-drag")
        # A click on one bar: that month.
        x, y = self.bucket_x("2021-09")
        click = ActionBuilder(self.d)
        click.pointer_action.move_to_location(int(x), int(y)).click()
        click.perform()
        self.wait(lambda: self.params().get("since") == ["2021-09"] and self.params().get("until") == ["2021-09"])
        self.wait_ready()
        self.assertEqual(len(self.hits()), 1)

    def test_back_restores_the_previous_state(self):
        self.open()
        box = self.d.find_element(By.ID, "q")
        self.assertEqual(self.d.switch_to.active_element, box, "the box has the focus on an empty page")
        self.shot("desktop-empty")
        box.send_keys(Q + "\n")
        self.wait(lambda: self.params().get("q") == [Q])
        self.wait_ready()
        first = [h.get_attribute("data-id") for h in self.hits()]
        self.d.find_element(By.CSS_SELECTOR, "#sources a").click()
        self.wait(lambda: "source" in self.params())
        self.wait_ready()
        self.assertLess(len(self.hits()), len(first))
        self.hits()[0].find_element(By.CSS_SELECTOR, "a.open").click()
        self.wait_article()
        self.d.back()
        self.wait(lambda: not self.d.find_element(By.ID, "reader").is_displayed(), msg="Back did not close the article")
        self.assertIn("source", self.params())
        self.d.back()
        self.wait(lambda: "source" not in self.params())
        self.wait_ready()
        self.assertEqual([h.get_attribute("data-id") for h in self.hits()], first)
        self.assertEqual(self.d.find_element(By.ID, "q").get_attribute("value"), Q)
        self.d.back()
        self.wait(lambda: not self.params())
        self.wait(lambda: not self.hits())
        self.assertEqual(self.d.find_element(By.ID, "q").get_attribute("value"), "")

    def test_a_link_opened_afresh_reproduces_the_page(self):
        self.open("q=" + quote(Q))
        Select(self.d.find_element(By.ID, "sort")).select_by_value("-date")
        self.wait(lambda: self.params().get("sort") == ["-date"])
        self.wait_ready()
        next(a for a in self.d.find_elements(By.CSS_SELECTOR, "#sources a") if a.text.startswith("新华社")).click()
        self.wait(lambda: "source" in self.params())
        self.wait_ready()
        self.hits()[0].find_element(By.CSS_SELECTOR, "a.open").click()
        self.wait_article()
        link = self.d.current_url
        seen = (
            [h.text for h in self.hits()],
            self.d.find_element(By.CSS_SELECTOR, "#doc h1").text,
            len(self.reader_marks()),
            self.d.find_element(By.ID, "filters").text,
        )
        other = make_driver()
        try:
            other.get(link)
            WebDriverWait(other, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc .body mark"))
            WebDriverWait(other, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#hits > li.hit"))
            again = (
                [h.text for h in other.find_elements(By.CSS_SELECTOR, "#hits > li.hit")],
                other.find_element(By.CSS_SELECTOR, "#doc h1").text,
                len(other.find_elements(By.CSS_SELECTOR, "#doc .body mark")),
                other.find_element(By.ID, "filters").text,
            )
            self.assertEqual(again, seen)
            self.assertEqual(other.find_element(By.ID, "sort").get_attribute("value"), "-date")
        finally:
            other.quit()

    def test_markup_in_the_corpus_shows_as_text(self):
        self.open("q=" + quote("属性注入"))
        hits = self.hits()
        self.assertEqual(len(hits), 1)
        self.assertIn("<script>alert(1)</script>高新区测试", hits[0].find_element(By.CSS_SELECTOR, ".title").text)
        self.assertIn('"><img src=x onerror=alert(1)>', hits[0].find_element(By.CSS_SELECTOR, ".snippet").text)
        self.assertEqual(hits[0].find_element(By.CSS_SELECTOR, ".source").text, "<b>测试社</b>")
        hits[0].find_element(By.CSS_SELECTOR, "a.open").click()
        self.wait_article()
        body = self.d.find_element(By.CSS_SELECTOR, "#doc .body").text
        self.assertIn("<script>alert(1)</script>", body)
        self.assertIn('"><img src=x onerror=alert(1)>', body)
        self.assertEqual(self.d.find_elements(By.TAG_NAME, "img"), [])
        self.assertEqual(self.d.find_elements(By.CSS_SELECTOR, "#doc script, #hits script, b"), [])
        scripts = [s.get_attribute("src") for s in self.d.find_elements(By.TAG_NAME, "script")]
        self.assertEqual(len(scripts), 1, scripts)
        self.assertTrue(scripts[0].endswith("/assets/app.js"))
        time.sleep(0.3)  # an onerror would have fired by now (tearDown looks for an alert)

    def test_screenshots_phone_and_dark(self):
        self.d.set_window_size(*PHONE)
        self.open("q=" + quote(Q))
        self.shot("phone-results")
        overflow = self.d.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
        self.assertLessEqual(overflow, 0, "no sideways scrolling on a phone")
        self.key("j\ue007")
        self.wait_article()
        self.shot("phone-article")
        self.key("\ue00c")
        self.wait(lambda: not self.d.find_element(By.ID, "reader").is_displayed())
        # The README's picture (docs/sou-serve.png is a copy of it): results, histogram, facets, an article.
        self.d.set_window_size(1200, 720)
        self.open("q=" + quote(Q + " -测试"))
        self.key("jj\ue007")
        self.wait_article()
        self.wait(lambda: self.d.find_elements(By.CSS_SELECTOR, "#histogram g.bucket"))
        self.shot("readme")
        self.key("\ue00c")
        self.d.set_window_size(*PHONE)
        self.open("q=" + quote(Q))
        dark = make_driver(DESKTOP, dark=True)
        try:
            dark.get(URL + "?q=" + quote(Q) + "&a=" + quote(self.hits()[1].get_attribute("data-id")))
            WebDriverWait(dark, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc .body mark"))
            WebDriverWait(dark, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#histogram g.bucket"))
            dark.save_screenshot(str(SHOTS / "desktop-dark.png"))
        finally:
            dark.quit()


if __name__ == "__main__":
    unittest.main()
