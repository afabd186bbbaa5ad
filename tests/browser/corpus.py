"""The browser tests' corpus: the bundled page plus a small JSON Lines archive with dates, sources, a reprint,
a character beyond the BMP before a match, and a record whose text is markup (it must show as text).

    python3 tests/browser/corpus.py OUT_DIR
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A wire story and its reprint (the same text a day later from another source, another dateline).
WIRE = (
    "新华社合肥6月8日电 合肥高新区日前发布支持量子信息产业发展的十条措施，对落户园区的量子计算、量子通信企业给予房租减免和研发补助，"
    "力争到2025年集聚相关企业一百家以上。\n\n"
    "据介绍，合肥高新区已形成从核心器件到整机系统的量子产业链，园区内量子企业去年营业收入同比增长三成，专利申请数量居全国前列。\n\n"
    "园区负责人表示，下一步将建设量子精密测量公共服务平台，面向中小企业开放共享仪器设备，降低企业创新成本。"
)
REPRINT = WIRE.replace("新华社合肥6月8日电", "据新华社电")

RECORDS = [
    {
        "id": "xh-2021-03-15",
        "title": "苏州高新区发布科技创新新政",
        "date": "2021-03-15",
        "source": "新华社",
        "body": "新华社苏州3月15日电 苏州高新区15日发布科技创新新政，设立二十亿元产业基金，支持企业建设研发机构。\n\n"
        "根据新政，高新区对新认定的国家级研发平台给予最高一千万元奖励，对高层次人才团队给予安家补贴。",
    },
    {
        "id": "rmrb-2021-09-02",
        "title": "西安高新区：硬科技产业集群加速成长",
        "date": "2021-09-02",
        "source": "人民日报",
        "body": "走进西安高新区，光子、半导体、航空航天等硬科技企业集聚成群。今年上半年，园区规模以上工业产值同比增长两成。\n\n"
        "西安高新区有关负责人介绍，园区将继续完善“研发—中试—产业化”链条，推动更多科研成果就地转化。",
    },
    {
        "id": "zxs-2022-01-20",
        "title": "武汉东湖高新区光电子产业营收突破五千亿元",
        "date": "2022-01-20",
        "source": "中新社",
        "body": "中新社武汉1月20日电 记者20日从武汉东湖高新区获悉，该区光电子信息产业去年营业收入突破五千亿元。\n\n"
        "东湖高新区已聚集光电子企业一万余家，光纤光缆生产规模居全球前列。",
    },
    {"id": "xh-2022-06-08", "title": "合肥高新区出台量子产业十条", "date": "2022-06-08", "source": "新华社", "body": WIRE},
    {"id": "zxs-2022-06-09", "title": "合肥高新区出台量子产业十条措施", "date": "2022-06-09", "source": "中新社", "body": REPRINT},
    {
        "id": "rmrb-2023-02-11",
        "title": "杭州高新区数字经济跑出加速度",
        "date": "2023-02-11",
        "source": "人民日报",
        "body": "本报记者𨨏明报道 杭州高新区（滨江）数字经济核心产业增加值去年增长一成，占地区生产总值的比重超过八成。\n\n"
        "园区工程师团队参与研制的芯片已量产，高新区内集成电路企业数量比三年前翻了一番。",
    },
    {
        "id": "xss-2023-05-05",
        "title": "<script>alert(1)</script>高新区测试",
        "date": "2023-05-05",
        "source": "<b>测试社</b>",
        "body": "这段文字含有标记：<script>alert(1)</script> 高新区应当原样显示。\n\n"
        "还有一个属性注入\"><img src=x onerror=alert(1)>也在高新区的文本里，页面必须把它当作文字。",
    },
]


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "corpus").iterdir():
        if f.is_file():
            shutil.copy(f, out / f.name)
    with open(out / "archive.jsonl", "w", encoding="utf-8") as w:
        for r in RECORDS:
            w.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
