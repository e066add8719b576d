"""What the demo is made of: its seed and date, the products firms make (by input-output
category and tag), the leading firms, and what inputs SMEs of each product buy.

Industries (GB/T 4754-2017) and the categories (the 2020 input-output table) are real; brands,
prices and quantities are invented.  The vocabularies below are the demo's own copies, in the
order the seeded generator draws from them, so the demo does not shift when a list in
``matchmaker.rules.vocabulary`` grows.
"""
from __future__ import annotations

from datetime import date

from matchmaker.demo.places import (DAQING, DAXINGANLING, HARBIN, HEGANG, HEIHE, JIAMUSI, JIXI, MUDANJIANG,
                                    QIQIHAR, QITAIHE, SHUANGYASHAN, SUIHUA, YICHUN, CITIES)

__all__ = ["SEED", "AS_OF", "FACTORS", "TERMS", "HELP_KINDS", "PRODUCTS", "LEADING", "SME_INPUTS"]

SEED = 2020
AS_OF = date(2020, 3, 16)

FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders", "other")
TERMS = ("order_first", "supply_first", "pay_first")
HELP_KINDS = ("orders", "marketing", "technology", "management", "funds", "materials")

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

