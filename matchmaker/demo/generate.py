"""The Heilongjiang demo package: a seeded generator (``random.Random(2020)``).

Places (counties of all 13 cities of province 23), industries (GB/T 4754-2017) and the
product chain (the 2020 input-output categories shipped in ``matchmaker/data``) are real;
firm names, credit codes, quantities, prices and statuses are invented.  The demo is "as of"
:data:`AS_OF` (2020-03-16, the Monday of ISO week 2020-W12): needs fall due in March to May
2020, so run the matcher and the weekly report with ``--as-of 2020-03-16`` / ``--week
2020-W12``.

Besides the random body, a few hand-built scenarios guarantee that the demo shows every
kind of chain break of ``chain-breaks.md`` (see :data:`SCENARIOS`), and the package carries
the ``regions`` records of one medium-risk and one high-risk county so that importing it
sets their risk level.

Usage::

    python scripts/generate_demo.py            # writes matchmaker/data/demo.json
"""
from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

from matchmaker.rules.creditcode import check_digit
from matchmaker.infra.reference import DATA_DIR, load_categories, load_regions

__all__ = ["AS_OF", "SEED", "HIGH_RISK_COUNTY", "MEDIUM_RISK_COUNTY", "SCENARIOS", "generate", "write"]

SEED = 2020
AS_OF = date(2020, 3, 16)
DEMO_FILE = DATA_DIR / "demo.json"
PROVINCE = "23"

#: The demo's risk levels (a demo setting, not a historical record).
HIGH_RISK_COUNTY = "231221"  # 绥化市望奎县
MEDIUM_RISK_COUNTY = "230506"  # 双鸭山市宝山区

FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders", "other")
TERMS = ("order_first", "supply_first", "pay_first")
HELP_KINDS = ("orders", "marketing", "technology", "management", "funds", "materials")

HARBIN, QIQIHAR, JIXI, HEGANG, SHUANGYASHAN, DAQING = "2301", "2302", "2303", "2304", "2305", "2306"
YICHUN, JIAMUSI, QITAIHE, MUDANJIANG, HEIHE, SUIHUA, DAXINGANLING = (
    "2307", "2308", "2309", "2310", "2311", "2312", "2327")
CITIES = (HARBIN, QIQIHAR, JIXI, HEGANG, SHUANGYASHAN, DAQING, YICHUN, JIAMUSI, QITAIHE,
          MUDANJIANG, HEIHE, SUIHUA, DAXINGANLING)

#: Development zones, industrial parks and incubators, by the county codes they lie in.
PARKS = {
    "哈尔滨经济技术开发区": ("230103", "230108", "230110"),
    "哈尔滨高新技术产业开发区": ("230109", "230103"),
    "哈尔滨利民经济技术开发区": ("230111",),
    "宾西经济技术开发区": ("230125",),
    "双城经济技术开发区": ("230113",),
    "五常经济开发区": ("230184",),
    "哈尔滨工业大学国家大学科技园": ("230103",),
    "齐齐哈尔高新技术产业开发区": ("230202", "230203", "230204"),
    "富拉尔基经济开发区": ("230206",),
    "大庆高新技术产业开发区": ("230671", "230603"),
    "大庆经济技术开发区": ("230604", "230602"),
    "大庆市科技企业孵化器": ("230602",),
    "佳木斯高新技术产业开发区": ("230803", "230804", "230811"),
    "牡丹江经济技术开发区": ("231002", "231003", "231004"),
    "绥芬河边境经济合作区": ("231081",),
    "黑河边境经济合作区": ("231102",),
    "绥化经济技术开发区": ("231202",),
    "安达经济开发区": ("231281",),
    "七台河经济开发区": ("230902", "230903"),
    "鸡西经济开发区": ("230302", "230307"),
    "双鸭山经济开发区": ("230502", "230505"),
    "鹤岗经济开发区": ("230403", "230407"),
    "伊春经济开发区": ("230717", "230781"),
    "加格达奇林业经济开发区": ("232761",),
}

# ---------------------------------------------------------------------------------------
# Products: what a firm makes, as (category, tag).  The tag distinguishes products that
# share an input-output sector (raw milk and live hogs are both IO003).
# ---------------------------------------------------------------------------------------

#: tag -> (category, GB/T 4754 industry codes, name suffixes, cities, price CNY/unit or None,
#:         weekly quantity range, product word for notes)
PRODUCTS = {
    "milk": ("IO003", ("A0311",), ("牧业有限公司", "奶牛养殖专业合作社", "生态牧场有限公司"),
             (QIQIHAR, HARBIN, DAQING, SUIHUA, SHUANGYASHAN, MUDANJIANG, HEIHE), 3800, (8, 60), "生鲜乳"),
    "hogs": ("IO003", ("A0313", "A0311"), ("养殖有限公司", "生猪养殖专业合作社", "牧业有限公司"),
             (HARBIN, SUIHUA, JIAMUSI, QIQIHAR, MUDANJIANG), 30000, (4, 30), "生猪"),
    "antler": ("IO003", ("A0319",), ("鹿业有限公司", "特种养殖专业合作社"),
               (HARBIN, YICHUN, MUDANJIANG, SHUANGYASHAN), 60000, (1, 4), "鹿茸等药用动物原料"),
    "soy": ("IO001", ("A0121",), ("种植专业合作社", "大豆种植专业合作社", "农业发展有限公司"),
            (HEIHE, QIQIHAR, SUIHUA, JIAMUSI, HEGANG), 4800, (20, 150), "大豆"),
    "corn": ("IO001", ("A0113",), ("种植专业合作社", "玉米种植专业合作社", "农业发展有限公司"),
             (SUIHUA, HARBIN, QIQIHAR, DAQING, JIAMUSI, SHUANGYASHAN), 1900, (30, 200), "玉米"),
    "rice": ("IO001", ("A0111",), ("水稻种植专业合作社", "米业种植专业合作社", "农业发展有限公司"),
             (HARBIN, JIAMUSI, SUIHUA, MUDANJIANG, JIXI, SHUANGYASHAN), 2700, (20, 150), "水稻"),
    "herbs": ("IO001", ("A0171", "A0179"), ("中药材种植专业合作社", "北药种植有限公司"),
              (YICHUN, HARBIN, MUDANJIANG, DAXINGANLING, HEIHE), 20000, (1, 8), "中药材"),
    "feed": ("IO013", ("C1329",), ("饲料有限公司", "饲料科技有限公司"),
             (HARBIN, SUIHUA, QIQIHAR, DAQING, JIAMUSI, MUDANJIANG), 3000, (10, 80), "配合饲料"),
    "fertilizer": ("IO044", ("C2624", "C2625"), ("肥业有限公司", "生物肥料有限公司"),
                   (HARBIN, SUIHUA, JIAMUSI, QIQIHAR, DAQING), 2400, (5, 40), "复混肥"),
    "oilfield_service": ("IO011", ("B1120",), ("石油技术服务有限公司", "油田工程技术有限公司"),
                         (DAQING,), None, (5, 40), "油田作业服务"),
    "crude": ("IO007", ("B0711",), ("油田开发有限公司",), (DAQING,), 2500, (100, 800), "原油"),
    "chemicals": ("IO043", ("C2614", "C2613"), ("化工有限公司", "化学有限公司"),
                  (DAQING, HARBIN, QITAIHE, JIXI), 4000, (10, 200), "基础化工原料"),
    "special_chem": ("IO048", ("C2661", "C2662"), ("精细化工有限公司", "化学助剂有限公司"),
                     (DAQING, HARBIN, QIQIHAR), 9000, (1, 30), "化学助剂"),
    "coal": ("IO006", ("B0610",), ("煤业有限公司", "煤矿有限责任公司"),
             (JIXI, HEGANG, SHUANGYASHAN, QITAIHE), 550, (200, 3000), "原煤"),
    "refractory": ("IO059", ("C3089",), ("耐火材料有限公司",), (QITAIHE, JIXI, HARBIN), 3000, (5, 40), "耐火材料"),
    "graphite_ore": ("IO010", ("B1092",), ("石墨矿业有限公司",), (JIXI, HEGANG), 800, (50, 400), "石墨矿"),
    "steel": ("IO062", ("C3130",), ("钢材加工有限公司", "金属材料有限公司"),
              (HARBIN, QIQIHAR, JIAMUSI, MUDANJIANG, DAQING), 4000, (10, 200), "钢材"),
    "metal_products": ("IO066", ("C3311", "C3391"), ("金属结构有限公司", "铸造有限公司", "钢结构有限公司"),
                       (HARBIN, QIQIHAR, JIAMUSI, MUDANJIANG, DAQING), 7000, (2, 50), "金属结构件"),
    "nonferrous": ("IO064", ("C3216", "C3240"), ("铝业有限公司", "合金材料有限公司"),
                   (HARBIN, QIQIHAR), 13000, (2, 40), "铝合金"),
    "pumps": ("IO070", ("C3443", "C3441"), ("阀门有限公司", "泵业有限公司"),
              (HARBIN, QIQIHAR, MUDANJIANG), 25000, (1, 15), "阀门与泵"),
    "machinery": ("IO073", ("C3484", "C3453"), ("机械制造有限公司", "传动设备有限公司", "精密机械有限公司"),
                  (HARBIN, QIQIHAR, JIAMUSI, MUDANJIANG), 15000, (2, 40), "机械零部件"),
    "controls": ("IO085", ("C3823",), ("电气有限公司", "电力设备有限公司"), (HARBIN, QIQIHAR), 30000, (1, 12), "配电控制设备"),
    "cables": ("IO086", ("C3831",), ("电缆有限公司", "线缆有限公司"), (HARBIN, QIQIHAR), 18000, (1, 25), "电线电缆"),
    "electronics": ("IO094", ("C3982", "C3981"), ("电子有限公司", "电子科技有限公司"),
                    (HARBIN,), 3, (1000, 40000), "电子元器件"),
    "auto_parts": ("IO080", ("C3670",), ("汽车零部件有限公司", "汽车配件有限公司"),
                   (HARBIN, QIQIHAR, MUDANJIANG), 400, (200, 4000), "汽车零部件"),
    "timber": ("IO002", ("A0241",), ("林业有限公司", "木材经营有限公司", "林场有限公司"),
               (YICHUN, DAXINGANLING, HEIHE, MUDANJIANG), 900, (20, 300), "原木"),
    "forest_service": ("IO005", ("A0523", "A0512"), ("林业服务有限公司", "农机服务专业合作社"),
                       (YICHUN, DAXINGANLING, MUDANJIANG), None, (1, 10), "营林与初加工服务"),
    "wood": ("IO035", ("C2011", "C2021"), ("木业有限公司", "木制品有限公司", "板材有限公司"),
             (YICHUN, DAXINGANLING, MUDANJIANG, HARBIN), 1800, (10, 150), "锯材与人造板"),
    "freight": ("IO114", ("G5431",), ("物流有限公司", "运输有限公司"), CITIES, None, (1, 10), "道路货运"),
    # products made (in the demo) by leading firms only
    "dairy": ("IO020", ("C1441", "C1442"), (), (), 9000, (50, 400), "乳制品"),
    "soy_oil": ("IO014", ("C1331",), (), (), 3200, (50, 400), "豆油与豆粕"),
    "milled": ("IO012", ("C1311", "C1313"), (), (), 3800, (50, 300), "大米与玉米粉"),
    "meat": ("IO016", ("C1351",), (), (), 26000, (20, 150), "肉类"),
    "refined": ("IO041", ("C2511",), (), (), 4500, (500, 3000), "成品油与石脑油"),
    "synthetic": ("IO047", ("C2651", "C2652"), (), (), 7000, (50, 500), "合成树脂与橡胶"),
    "power": ("IO100", ("D4411", "D4412"), (), (), None, (1, 2), "电力热力"),
    "coke": ("IO042", ("C2521",), (), (), 1800, (200, 2000), "焦炭"),
    "boilers": ("IO067", ("C3411", "C3413"), (), (), 800000, (1, 3), "锅炉与汽轮机"),
    "heavy_eq": ("IO074", ("C3516", "C3511"), (), (), 600000, (1, 3), "冶金与矿山设备"),
    "rail": ("IO081", ("C3712",), (), (), 500000, (2, 10), "铁路货车"),
    "machine_tools": ("IO068", ("C3421",), (), (), 400000, (2, 10), "数控机床"),
    "bearings": ("IO073", ("C3451",), (), (), 15000, (20, 200), "轴承"),
    "pharma": ("IO050", ("C2740", "C2720", "C2710"), (), (), 600, (100, 2000), "药品"),
    "vehicles": ("IO079", ("C3611", "C3612"), (), (), 60000, (50, 300), "整车"),
    "furniture": ("IO036", ("C2110",), (), (), 1500, (100, 800), "实木家具"),
    "graphite": ("IO060", ("C3091",), (), (), 9000, (10, 100), "石墨制品"),
    # wanted in the demo, offered by nobody (chain gaps)
    "fishmeal": ("IO004", ("A0412",), (), (), 12000, (5, 20), "鱼粉"),
    "rolled_nonferrous": ("IO065", ("C3251",), (), (), 60000, (5, 30), "有色金属压延材"),
    "fans": ("IO071", ("C3462",), ("风机有限公司",), (HARBIN,), 40000, (1, 4), "工业风机"),
}

#: Leading firms: (product tag, county, brand word, suffix, park or None, inputs they buy as
#: product tags).  Every input tag's category is an input of the firm's category (checked).
LEADING = [
    # dairy
    ("dairy", "230230", "克东", "乳业股份有限公司", None, ("milk",)),
    ("dairy", "230109", "松北", "乳品有限公司", "哈尔滨高新技术产业开发区", ("milk",)),
    ("dairy", "230624", "草原", "乳业有限公司", None, ("milk",)),
    ("dairy", "231281", "安达", "乳业集团有限公司", "安达经济开发区", ("milk",)),
    ("dairy", "230506", "完达", "乳业有限公司", None, ("milk",)),
    ("dairy", "231084", "镜泊", "乳业有限公司", None, ("milk",)),
    # soybean and grain processing, feed, meat
    ("soy_oil", "231181", "北安", "粮油有限公司", None, ("soy",)),
    ("soy_oil", "231183", "嫩江", "大豆产业有限公司", None, ("soy",)),
    ("soy_oil", "230281", "讷河", "油脂有限公司", None, ("soy",)),
    ("soy_oil", "230882", "富锦", "粮油集团有限公司", None, ("soy",)),
    ("milled", "230184", "五常", "米业有限公司", "五常经济开发区", ("rice",)),
    ("milled", "230826", "三江", "米业有限公司", None, ("rice",)),
    ("milled", "231224", "庆安", "粮食加工有限公司", None, ("rice",)),
    ("milled", "231282", "肇东", "玉米开发有限公司", None, ("corn",)),
    ("feed", "230113", "双城", "饲料集团有限公司", "双城经济技术开发区", ("corn", "soy_oil", "milled")),
    ("feed", "231202", "寒地", "饲料有限公司", "绥化经济技术开发区", ("corn", "soy_oil")),
    ("meat", "230113", "龙江", "肉业有限公司", "双城经济技术开发区", ("hogs",)),
    ("meat", "231221", "望奎", "食品有限公司", None, ("hogs",)),
    ("meat", "230822", "桦南", "肉类联合加工有限公司", None, ("hogs",)),
    # petrochemicals around Daqing
    ("crude", "230602", "萨尔图", "石油开发集团有限公司", "大庆经济技术开发区", ("oilfield_service",)),
    ("refined", "230604", "让胡路", "炼化有限公司", "大庆经济技术开发区", ("crude",)),
    ("refined", "230603", "龙凤", "石化有限公司", "大庆高新技术产业开发区", ("crude",)),
    ("chemicals", "230603", "庆化", "化工集团有限公司", "大庆高新技术产业开发区", ("refined", "coal", "crude")),
    ("chemicals", "230671", "高新", "化学工业有限公司", "大庆高新技术产业开发区", ("refined", "crude")),
    ("synthetic", "230606", "大同", "新材料有限公司", None, ("chemicals", "refined", "special_chem")),
    ("synthetic", "230671", "油城", "聚合材料有限公司", "大庆高新技术产业开发区", ("chemicals", "refined")),
    # coal: power, coking, mining groups
    ("power", "230502", "双鸭山", "热电有限公司", "双鸭山经济开发区", ("coal",)),
    ("power", "230403", "鹤岗", "发电有限公司", "鹤岗经济开发区", ("coal",)),
    ("power", "230302", "鸡西", "热电有限公司", "鸡西经济开发区", ("coal",)),
    ("coke", "230902", "七台河", "焦化有限公司", "七台河经济开发区", ("coal", "refractory")),
    ("coke", "230903", "桃山", "煤化工有限公司", "七台河经济开发区", ("coal", "refractory")),
    ("coal", "230304", "滴道", "矿业集团有限公司", None, ()),
    ("coal", "230407", "兴山", "煤业集团有限公司", "鹤岗经济开发区", ()),
    ("coal", "230505", "四方台", "能源有限公司", "双鸭山经济开发区", ()),
    ("coal", "230904", "茄子河", "煤业有限公司", None, ()),
    ("graphite", "230307", "麻山", "石墨新材料有限公司", "鸡西经济开发区", ("coal",)),
    # equipment manufacturing (Harbin, Qiqihar)
    ("boilers", "230110", "哈锅", "电站设备有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "pumps", "machinery")),
    ("boilers", "230108", "平房", "动力装备有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "machinery")),
    ("heavy_eq", "230206", "富拉尔基", "重型装备有限公司", "富拉尔基经济开发区", ("steel", "metal_products", "machinery", "pumps")),
    ("rail", "230204", "齐车", "轨道装备有限公司", "齐齐哈尔高新技术产业开发区", ("steel", "metal_products", "controls", "cables", "electronics")),
    ("machine_tools", "230202", "龙沙", "数控机床有限公司", "齐齐哈尔高新技术产业开发区", ("steel", "nonferrous", "metal_products", "machinery", "controls")),
    ("machine_tools", "230203", "建华", "重型机床有限公司", "齐齐哈尔高新技术产业开发区", ("steel", "metal_products", "electronics")),
    ("bearings", "230110", "北轴", "精密轴承有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "nonferrous")),
    ("pumps", "230108", "冰城", "泵阀有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "machinery")),
    # pharmaceuticals
    ("pharma", "230102", "道里", "制药集团有限公司", None, ("herbs", "antler")),
    ("pharma", "230108", "平房", "药业有限公司", "哈尔滨经济技术开发区", ("herbs",)),
    ("pharma", "230781", "铁力", "北药有限公司", "伊春经济开发区", ("herbs",)),
    ("pharma", "231003", "阳明", "生物制药有限公司", "牡丹江经济技术开发区", ("herbs", "antler")),
    # auto and auto parts
    ("vehicles", "230108", "哈飞", "汽车工业有限公司", "哈尔滨经济技术开发区", ("auto_parts",)),
    ("vehicles", "230113", "冰雪", "新能源汽车有限公司", "双城经济技术开发区", ("auto_parts",)),
    ("auto_parts", "230112", "阿城", "汽车部件有限公司", None, ("steel", "nonferrous")),
    ("auto_parts", "231005", "牡丹江", "汽车零部件有限公司", "牡丹江经济技术开发区", ("steel", "nonferrous")),
    # forest products (Yichun, Daxing'anling)
    ("wood", "230781", "小兴安岭", "木业有限公司", "伊春经济开发区", ("timber", "special_chem")),
    ("wood", "232761", "加格达奇", "林产工业有限公司", "加格达奇林业经济开发区", ("timber",)),
    ("wood", "232722", "塔河", "木材加工有限公司", None, ("timber",)),
    ("furniture", "230719", "红松", "家具有限公司", None, ("wood", "metal_products")),
    ("timber", "232701", "北极", "林业集团有限公司", None, ("forest_service",)),
]

#: Which input tags an SME of each product buys (tier 2 and deeper), with the chance of
#: each and the number of suppliers.
SME_INPUTS = {
    "milk": (("feed", 0.9, (1, 2)), ("corn", 0.4, (1, 1))),
    "hogs": (("feed", 0.9, (1, 2)), ("corn", 0.3, (1, 1))),
    "antler": (("feed", 0.5, (1, 1)),),
    "feed": (("corn", 0.9, (1, 2)), ("soy_oil", 0.4, (1, 1)), ("milled", 0.2, (1, 1))),
    "soy": (("fertilizer", 0.4, (1, 1)),),
    "corn": (("fertilizer", 0.4, (1, 1)),),
    "rice": (("fertilizer", 0.4, (1, 1)),),
    "herbs": (("fertilizer", 0.2, (1, 1)),),
    "metal_products": (("steel", 0.9, (1, 2)),),
    "machinery": (("steel", 0.7, (1, 1)), ("metal_products", 0.5, (1, 1))),
    "pumps": (("steel", 0.7, (1, 1)), ("metal_products", 0.5, (1, 1))),
    "auto_parts": (("steel", 0.8, (1, 1)), ("nonferrous", 0.5, (1, 1))),
    "controls": (("metal_products", 0.5, (1, 1)), ("electronics", 0.5, (1, 1)), ("cables", 0.4, (1, 1))),
    "cables": (("nonferrous", 0.8, (1, 1)),),
    "wood": (("timber", 0.9, (1, 2)),),
    "timber": (("forest_service", 0.3, (1, 1)),),
    "chemicals": (("coal", 0.4, (1, 1)), ("refined", 0.4, (1, 1))),
    "special_chem": (("chemicals", 0.8, (1, 1)),),
    "oilfield_service": (("steel", 0.4, (1, 1)), ("special_chem", 0.4, (1, 1))),
    "steel": (("coke", 0.3, (1, 1)),),
}

#: Hand-built chains that make sure every kind of break of chain-breaks.md shows up.
SCENARIOS = {
    "supplier_down→upstream_break tier 2": "dairy 克东 ← healthy farm ← feed mill not operating",
    "supplier_down→upstream_break tier 3": "dairy 安达 ← healthy farm ← healthy feed mill ← corn farm in the high-risk county",
    "chain_gap→upstream_break tier 2/3": "dairy 松北 ← healthy farm ← healthy feed mill whose fish-meal need (IO004) has no offer",
    "chain_gap (no offer at all)": "bearing maker needs non-ferrous rolled products (IO065): nobody offers them",
    "chain_gap (no offer allowed)": "machine-tool maker needs fans (IO071): every offer is too late, too dear, closed, expired or from a firm that is down",
    "single_source": "graphite maker has two graphite-ore suppliers, one of them not operating",
    "supplier_down factor other": "a supplier not operating that reports no blocker",
}

_BRAND_WORDS = (
    "丰源", "金穗", "瑞达", "恒通", "鑫盛", "华泰", "宏图", "嘉禾", "昌盛", "兴隆", "福源", "永丰",
    "德润", "广厦", "盛达", "博远", "天顺", "利民", "新桥", "晟泰", "龙泰", "北垦", "黑土", "雪原",
    "寒地", "松嫩", "三江", "兴安", "北国", "金谷", "绿野", "沃土", "万顺", "合力", "长青", "宇通",
    "泰和", "佳禾", "润丰", "森宝", "林海", "鸿运", "富民", "东升", "顺达", "亿丰", "鼎盛", "九洲",
    "同创", "正阳", "金鹰", "银河", "神龙", "远航", "众诚", "晨光", "华丰", "康达", "隆鑫", "益农",
)


def _haversine(a, b) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _short_place(name: str) -> str:
    for suffix in ("达斡尔族区", "蒙古族自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    c9 = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return body + {10: "X", 11: "0"}.get(c9, str(c9))


class _Builder:
    """Accumulates the package's records; one instance per generation."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.regions = {r["code"]: r for r in load_regions()}
        self.categories = {c["code"]: c for c in load_categories()}
        self.counties = {
            city: sorted(c for c, r in self.regions.items()
                         if r["level"] == "county" and c.startswith(city) and c[:2] == PROVINCE)
            for city in CITIES
        }
        centre = {city: self._point(city + "00") for city in CITIES}
        self.near = {
            city: sorted(CITIES, key=lambda other: (_haversine(centre[city], centre[other]), other))
            for city in CITIES
        }
        self.firms: list[dict] = []
        self.meta: dict[str, dict] = {}  # ref -> {tag, city, tier, locked}
        self.needs: list[dict] = []
        self.offers: list[dict] = []
        self.links: list[dict] = []
        self.link_keys: set = set()
        self.pools: dict[tuple, list[str]] = {}  # (tag, city) -> SME refs
        self.names: set = set()
        self.credit_codes: set = set()

    # -- places -------------------------------------------------------------------------
    def _point(self, code):
        r = self.regions[code]
        return (r["lat"], r["lon"])

    def distance(self, ref_a, ref_b) -> float:
        a = self.firm(ref_a)["region"]
        b = self.firm(ref_b)["region"]
        return _haversine(self._point(a), self._point(b))

    def firm(self, ref):
        return self.firms[int(ref[1:]) - 1]

    # -- firms --------------------------------------------------------------------------
    def _name(self, county: str, brand: str | None, suffix: str) -> str:
        """An invented name: a place (or the leading firm's brand), a trade word, a suffix."""
        rng = self.rng
        place = _short_place(self.regions[county]["name"])
        for _ in range(500):
            head = brand or (place if rng.random() < 0.75 else "龙江")
            name = f"{head}{rng.choice(_BRAND_WORDS)}{suffix}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("could not invent a unique firm name")

    def _credit_code(self, county: str, cooperative: bool) -> str:
        while True:
            code17 = ("93" if cooperative else "91") + county + _org_code(self.rng)
            code = code17 + check_digit(code17)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def add_firm(self, kind, tag, county, *, brand=None, suffix=None, park=None, tier=0, locked=False,
                 operating=True, blockers=(), capacity=None, workers=None) -> str:
        rng = self.rng
        cat, industries, suffixes, *_ = PRODUCTS[tag]
        suffix = suffix or rng.choice(suffixes)
        ref = f"F{len(self.firms) + 1:04d}"
        if park is None and kind == "sme":
            parks = [p for p, cs in PARKS.items() if county in cs]
            if parks and rng.random() < 0.35:
                park = rng.choice(parks)
        record = {
            "ref": ref,
            "name": self._name(county, brand, suffix),
            "kind": kind,
            "region": county,
            "industry": rng.choice(industries),
        }
        if park:
            record["park"] = park
        record["credit_code"] = self._credit_code(county, "合作社" in suffix)
        record["operating"] = operating
        record["capacity_utilization"] = capacity
        record["workers_back"] = workers
        record["blockers"] = list(blockers)
        self.firms.append(record)
        self.meta[ref] = {"tag": tag, "category": cat, "city": county[:4], "tier": tier, "locked": locked}
        return ref

    def sme_supplier(self, tag: str, near_city: str, tier: int, exclude=()) -> str:
        """A supplier of `tag` near `near_city`: an existing SME (often) or a new one."""
        rng = self.rng
        cities = PRODUCTS[tag][3]
        makers = [f["ref"] for f in self.firms
                  if f["kind"] == "leading" and self.meta[f["ref"]]["tag"] == tag and f["ref"] not in exclude]
        makers.sort(key=lambda r: (self.near[near_city].index(self.meta[r]["city"]), r))
        if makers and (not cities or rng.random() < 0.3):  # a leading maker, nearest first
            return makers[0] if rng.random() < 0.7 or len(makers) == 1 else rng.choice(makers[:3])
        ranked = [c for c in self.near[near_city] if c in cities]
        city = ranked[0] if rng.random() < 0.7 else rng.choice(ranked[:3])
        pool = [r for r in self.pools.get((tag, city), []) if r not in exclude]
        if pool and rng.random() < min(0.85, 0.2 * len(pool)):
            return rng.choice(pool)
        county = rng.choice(self.counties[city])
        ref = self.add_firm("sme", tag, county, tier=tier)
        self.pools.setdefault((tag, city), []).append(ref)
        return ref

    # -- postings and links --------------------------------------------------------------
    def weekly(self, tag) -> float:
        lo, hi = PRODUCTS[tag][5]
        q = self.rng.uniform(lo, hi)
        return float(round(q)) if hi >= 20 else round(q, 1)

    def add_link(self, supplier, buyer, *, quantity=None, active=True):
        tag = self.meta[supplier]["tag"]
        cat = PRODUCTS[tag][0]
        key = (supplier, buyer, cat)
        if supplier == buyer or key in self.link_keys:
            return None
        self.link_keys.add(key)
        ref = f"L{len(self.links) + 1:04d}"
        self.links.append({
            "ref": ref, "supplier": supplier, "buyer": buyer, "category": cat,
            "quantity_per_week": quantity if quantity is not None else self.weekly(tag),
            "active": active,
        })
        return ref

    def add_need(self, firm, tag, *, quantity=None, needed_by=None, max_unit_price="auto",
                 terms=None, status="open", note=None):
        rng = self.rng
        cat, _, _, _, price, _, word = PRODUCTS[tag]
        if quantity is None:
            quantity = float(round(self.weekly(tag) * rng.randint(3, 8), 1))
        if needed_by is None:
            needed_by = AS_OF + timedelta(days=rng.randint(2, 75))
        if max_unit_price == "auto":
            max_unit_price = (round(price * rng.uniform(0.95, 1.3), 2)
                              if price and rng.random() < 0.6 else None)
        if terms is None:
            terms = [t for t in TERMS if rng.random() < 0.35]
        ref = f"N{len(self.needs) + 1:04d}"
        record = {"ref": ref, "firm": firm, "category": cat, "quantity": quantity,
                  "needed_by": needed_by.isoformat()}
        if max_unit_price:
            record["max_unit_price"] = max_unit_price
        if terms:
            record["terms"] = terms
        record["status"] = status
        record["note"] = note or f"采购{word}"
        self.needs.append(record)
        return ref

    def add_offer(self, firm, *, quantity=None, available_from=None, available_until="auto",
                  lead_time_days=None, unit_price="auto", delivery_radius_km="auto",
                  help_wanted=None, status="open", note=None):
        rng = self.rng
        tag = self.meta[firm]["tag"]
        cat, _, _, _, price, _, word = PRODUCTS[tag]
        if quantity is None:
            quantity = float(round(self.weekly(tag) * rng.randint(2, 8), 1))
        if available_from is None:
            available_from = AS_OF + timedelta(days=rng.randint(-14, 30))
        if available_until == "auto":
            available_until = (available_from + timedelta(days=rng.randint(30, 90))
                               if rng.random() < 0.5 else None)
        if lead_time_days is None:
            lead_time_days = rng.choice((0, 1, 2, 3, 5, 7, 7, 10, 14))
        if unit_price == "auto":
            unit_price = round(price * rng.uniform(0.8, 1.25), 2) if price and rng.random() < 0.7 else None
        if delivery_radius_km == "auto":
            delivery_radius_km = rng.choice((None, None, None, None, 80, 150, 250, 400, 600))
        if help_wanted is None:
            help_wanted = [h for h in HELP_KINDS if rng.random() < 0.25]
        ref = f"O{len(self.offers) + 1:04d}"
        record = {"ref": ref, "firm": firm, "category": cat, "quantity": quantity,
                  "available_from": available_from.isoformat()}
        if available_until:
            record["available_until"] = available_until.isoformat()
        record["lead_time_days"] = lead_time_days
        if unit_price:
            record["unit_price"] = unit_price
        if delivery_radius_km:
            record["delivery_radius_km"] = delivery_radius_km
        if help_wanted:
            record["help_wanted"] = help_wanted
        record["status"] = status
        record["note"] = note or f"可供{word}"
        self.offers.append(record)
        return ref


def _check_chain(b: _Builder):
    """Every link's category is an input of the buyer's own category (the chain is real)."""
    for link in b.links:
        buyer_cat = b.meta[link["buyer"]]["category"]
        if link["category"] not in b.categories[buyer_cat]["inputs"]:
            raise AssertionError(f"{link['ref']}: {link['category']} is not an input of {buyer_cat}")


def generate(seed: int = SEED) -> dict:
    """Build the demo package (a dict of sections) deterministically from `seed`."""
    rng = random.Random(seed)
    b = _Builder(rng)

    # 1. leading firms
    leaders = []
    for tag, county, brand, suffix, park, inputs in LEADING:
        ref = b.add_firm("leading", tag, county, brand=brand, suffix=suffix, park=park)
        leaders.append((ref, inputs))
        own = PRODUCTS[tag][0]
        for t in inputs:
            if PRODUCTS[t][0] not in b.categories[own]["inputs"]:
                raise AssertionError(f"{t} is not an input of {tag}")

    # 2. their suppliers (tier 1), then the suppliers' suppliers (tiers 2 and 3)
    frontier = []
    for ref, inputs in leaders:
        city = b.meta[ref]["city"]
        for t in inputs:
            n = rng.randint(2, 5) if PRODUCTS[t][3] else rng.randint(1, 2)
            for _ in range(n):
                s = b.sme_supplier(t, city, tier=1, exclude=(ref,))
                if b.add_link(s, ref) and b.firm(s)["kind"] == "sme":
                    frontier.append((s, 1))
    seen = set()
    while frontier:
        ref, tier = frontier.pop(0)
        if ref in seen or tier >= 3:
            continue
        seen.add(ref)
        tag = b.meta[ref]["tag"]
        for t, p, (lo, hi) in SME_INPUTS.get(tag, ()):
            if rng.random() >= p:
                continue
            for _ in range(rng.randint(lo, hi)):
                s = b.sme_supplier(t, b.meta[ref]["city"], tier=tier + 1, exclude=(ref,))
                if b.add_link(s, ref) and b.firm(s)["kind"] == "sme":
                    frontier.append((s, tier + 1))

    # 3. more SMEs (no links; they post offers), until there are 440, and a few in the risk counties
    offer_only = [t for t, spec in PRODUCTS.items() if spec[2] and spec[3] and t != "fans"]
    while sum(f["kind"] == "sme" for f in b.firms) < 440:
        t = rng.choice(offer_only)
        city = rng.choice(PRODUCTS[t][3])
        s = b.add_firm("sme", t, rng.choice(b.counties[city]), tier=1)
        b.pools.setdefault((t, city), []).append(s)
    for county in (HIGH_RISK_COUNTY, MEDIUM_RISK_COUNTY):  # a few more in the risk counties
        for t in ("corn", "soy", "hogs") if county == HIGH_RISK_COUNTY else ("coal", "milk", "rice"):
            s = b.add_firm("sme", t, county, tier=1)
            b.pools.setdefault((t, county[:4]), []).append(s)
            buyers = [r for r, inputs in leaders if t in inputs]
            buyers.sort(key=lambda r: (b.distance(s, r), r))
            b.add_link(s, buyers[0])

    # 4. resumption status of every firm not in a scenario
    _assign_status(b)

    # 5. hand-built scenarios (their firms are locked: healthy or down as the story needs)
    _scenarios(b, dict((b.meta[r]["tag"] + ":" + b.firm(r)["region"], r) for r, _ in leaders))

    # 6. needs and offers
    _postings(b, leaders)
    _check_chain(b)

    region_records = []
    for code, risk in ((MEDIUM_RISK_COUNTY, "medium"), (HIGH_RISK_COUNTY, "high")):
        r = b.regions[code]
        region_records.append({"code": code, "name": r["name"], "level": r["level"], "parent": r["parent"],
                               "lat": r["lat"], "lon": r["lon"], "risk": risk})
    _emails(b)
    return {
        "regions": region_records,
        "firms": [_clean(f) for f in b.firms],
        "needs": b.needs,
        "offers": b.offers,
        "links": b.links,
    }


def _assign_status(b: _Builder):
    rng = b.rng
    smes = [f for f in b.firms if f["kind"] == "sme"]
    # every factor appears: the first blocked firms get them in turn
    cycle = list(FACTORS)
    for f in b.firms:
        if b.meta[f["ref"]]["locked"]:
            continue
        x = rng.random()
        leading = f["kind"] == "leading"
        if x < (0.04 if leading else 0.13):
            f["operating"] = False
            f["capacity_utilization"] = 0.0
            f["workers_back"] = round(rng.uniform(0.0, 0.35), 2)
            k = rng.randint(1, 3)
        elif x < (0.3 if leading else 0.45):
            f["operating"] = True
            f["capacity_utilization"] = round(rng.uniform(0.25, 0.8), 2)
            f["workers_back"] = round(rng.uniform(0.4, 0.9), 2)
            k = rng.randint(1, 2)
        else:
            f["operating"] = True
            f["capacity_utilization"] = round(rng.uniform(0.6, 1.0), 2)
            f["workers_back"] = round(rng.uniform(0.75, 1.0), 2)
            k = 0
        blockers = []
        for _ in range(k):
            factor = cycle.pop(0) if cycle else rng.choice(FACTORS)
            if factor not in blockers:
                blockers.append(factor)
        f["blockers"] = sorted(blockers, key=FACTORS.index)
        if rng.random() < 0.08:  # not every firm reports its figures
            f["capacity_utilization"] = None
            f["workers_back"] = None
    assert len(smes) >= 400


def _scenarios(b: _Builder, leader_at):
    """The hand-built chains listed in :data:`SCENARIOS`."""
    healthy = {"operating": True, "blockers": (), "capacity": 0.9, "workers": 0.95, "locked": True}

    def sme(tag, county, **status):
        s = dict(healthy)
        s.update(status)
        locked = s.pop("locked")
        return b.add_firm("sme", tag, county, tier=1, locked=locked, **s)

    # dairy 克东 ← healthy farm ← feed mill not operating: upstream_break tier 2
    d1 = leader_at["dairy:230230"]
    f1 = sme("milk", "230229")  # 克山县
    m1 = sme("feed", "230231", operating=False, blockers=("labour", "ppe"), capacity=0.0, workers=0.2)
    b.add_link(f1, d1, quantity=35.0)
    b.add_link(m1, f1, quantity=12.0)

    # dairy 安达 ← healthy farm ← healthy feed mill ← corn farm in the high-risk county: tier 3
    d2 = leader_at["dairy:231281"]
    f2 = sme("milk", "231281")
    m2 = sme("feed", "231223")  # 青冈县
    c2 = sme("corn", HIGH_RISK_COUNTY, blockers=("transport",), capacity=0.3, workers=0.5)
    b.add_link(f2, d2, quantity=28.0)
    b.add_link(m2, f2, quantity=9.0)
    b.add_link(c2, m2, quantity=40.0)

    # dairy 松北 ← healthy farm ← healthy feed mill with a chain gap in fish meal (IO004)
    d3 = leader_at["dairy:230109"]
    f3 = sme("milk", "230111")  # 呼兰区
    m3 = sme("feed", "230126")  # 巴彦县
    b.add_link(f3, d3, quantity=30.0)
    b.add_link(m3, f3, quantity=10.0)
    b.add_need(m3, "fishmeal", quantity=40.0, needed_by=AS_OF + timedelta(days=25), max_unit_price=None,
               terms=["pay_first"], note="采购鱼粉作饲料蛋白原料")

    # bearing maker needs non-ferrous rolled products (IO065): no offer anywhere
    bearings = leader_at["bearings:230110"]
    b.add_need(bearings, "rolled_nonferrous", quantity=60.0, needed_by=AS_OF + timedelta(days=30),
               max_unit_price=None, terms=["order_first", "pay_first"], note="采购铜合金保持架带材")

    # machine-tool maker needs fans (IO071); every fan offer is ruled out by a matching rule
    tools = leader_at["machine_tools:230202"]
    need_by = AS_OF + timedelta(days=18)
    b.add_need(tools, "fans", quantity=6.0, needed_by=need_by, max_unit_price=50000.0,
               terms=["order_first"], note="采购数控机床配套工业风机")
    late = sme("fans", "230108")
    dear = sme("fans", "230110")
    down = sme("fans", "230104", operating=False, blockers=("funds",), capacity=0.0, workers=0.1)
    b.add_offer(late, quantity=10.0, available_from=need_by + timedelta(days=10), available_until=None,
                lead_time_days=0, unit_price=42000.0, delivery_radius_km=None, help_wanted=["orders"])
    b.add_offer(dear, quantity=8.0, available_from=AS_OF, available_until=None, lead_time_days=3,
                unit_price=80000.0, delivery_radius_km=None, help_wanted=[])
    b.add_offer(dear, quantity=5.0, available_from=AS_OF - timedelta(days=30),
                available_until=AS_OF - timedelta(days=5), lead_time_days=0, unit_price=45000.0,
                delivery_radius_km=None, help_wanted=[], note="过期报价")
    b.add_offer(late, quantity=4.0, available_from=AS_OF, available_until=None, lead_time_days=2,
                unit_price=41000.0, delivery_radius_km=None, help_wanted=[], status="closed", note="已关闭")
    b.add_offer(down, quantity=12.0, available_from=AS_OF, available_until=None, lead_time_days=1,
                unit_price=39000.0, delivery_radius_km=None, help_wanted=["funds"])
    b.add_link(down, tools, quantity=1.0)

    # graphite maker: two graphite-ore suppliers, one not operating -> single_source
    graphite = leader_at["graphite:230307"]
    ore_ok = sme("graphite_ore", "230303")  # 恒山区
    ore_down = sme("graphite_ore", "230421", operating=False, blockers=("orders", "funds"),
                   capacity=0.0, workers=0.3)  # 萝北县
    b.add_link(ore_ok, graphite, quantity=120.0)
    b.add_link(ore_down, graphite, quantity=80.0)

    # a supplier not operating that reports no blocker (factor "other")
    quiet = sme("timber", "230722", operating=False, capacity=0.0, workers=0.0)  # 嘉荫县
    wood = leader_at["wood:230781"]
    b.add_link(quiet, wood, quantity=60.0)


def _postings(b: _Builder, leaders):
    rng = b.rng
    # needs of leading firms, in the categories they buy
    for ref, inputs in leaders:
        for t in inputs:
            if rng.random() < 0.75:
                b.add_need(ref, t)
        if rng.random() < 0.25 and inputs:
            b.add_need(ref, rng.choice(inputs))
    # needs of SMEs short of materials (tier-2 demand)
    for f in b.firms:
        meta = b.meta[f["ref"]]
        if f["kind"] != "sme" or meta["locked"]:
            continue
        wants = SME_INPUTS.get(meta["tag"], ())
        if wants and ("materials" in f["blockers"] or rng.random() < 0.06):
            b.add_need(f["ref"], wants[0][0])
    # a few closed needs and a few past due
    open_needs = [n for n in b.needs if n["status"] == "open" and n["category"] not in ("IO004", "IO065", "IO071")]
    for n in rng.sample(open_needs, 6):
        n["status"] = "closed"
    for n in rng.sample([n for n in open_needs if n["status"] == "open"], 3):
        n["needed_by"] = (AS_OF - timedelta(days=rng.randint(3, 14))).isoformat()
    # offers: most SMEs, some leading makers of intermediate goods
    for f in b.firms:
        meta = b.meta[f["ref"]]
        if meta["tag"] == "fans":
            continue
        if f["kind"] == "sme":
            if rng.random() < 0.72:
                b.add_offer(f["ref"])
                if rng.random() < 0.12:
                    b.add_offer(f["ref"])
        elif meta["tag"] in ("coal", "refined", "soy_oil", "milled", "chemicals", "crude", "timber") \
                and rng.random() < 0.7:
            b.add_offer(f["ref"], help_wanted=[])
    for o in rng.sample([o for o in b.offers if o["category"] != "IO071"], 12):
        o["status"] = "closed"
    # a few links that no longer run (kept for the record, not part of the supply graph)
    loose = [link for link in b.links
             if not b.meta[link["supplier"]]["locked"] and not b.meta[link["buyer"]]["locked"]]
    for link in rng.sample(loose, 12):
        link["active"] = False


def _emails(b: _Builder):
    rng = b.rng
    for f in b.firms:
        if f["kind"] == "leading" or rng.random() < 0.3:
            f["contact_email"] = f"{'supply' if f['kind'] == 'leading' else 'sales'}.{f['ref'].lower()}@example.com"


def _clean(firm: dict) -> dict:
    """Leave out unset fields (a package record may omit what takes its default)."""
    out = {}
    for k, v in firm.items():
        if v is None or (k == "blockers" and not v):
            continue
        out[k] = v
    return out


def write(path: Path | str = DEMO_FILE, seed: int = SEED) -> dict:
    """Generate the package and write it as JSON (UTF-8, sorted as generated); return it."""
    package = generate(seed)
    Path(path).write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return package
