"""What the demo is made of: its seed and date, the kinds of firm (a tag: the input-output
category they sell in, name suffixes, cities), the leading firms with the product each makes
first, and which kinds of supplier SMEs of each kind buy from.  The products themselves (what
each kind makes and each buyer buys, with industries, prices and quantities) are in
:mod:`matchmaker.demo.goods`.

Industries (GB/T 4754-2017), the categories (the 2020 input-output table) and the products (the
shipped catalogue) are real; brands, prices and quantities are invented.  The vocabularies below are the demo's own copies, in the
order the seeded generator draws from them, so the demo does not shift when a list in
``matchmaker.rules.vocabulary`` grows.
"""
from __future__ import annotations

from datetime import date

from matchmaker.demo.places import (DAQING, DAXINGANLING, HARBIN, HEGANG, HEIHE, JIAMUSI, JIXI, MUDANJIANG,
                                    QIQIHAR, QITAIHE, SHUANGYASHAN, SUIHUA, YICHUN, CITIES)

__all__ = ["SEED", "AS_OF", "FACTORS", "TERMS", "HELP_KINDS", "KINDS", "LEADING", "SME_INPUTS", "NAME_FITS",
           "OWN_SUFFIX", "suffix_fits", "fitting_suffix"]

SEED = 2020
AS_OF = date(2020, 3, 16)

FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders", "other")
TERMS = ("order_first", "supply_first", "pay_first")
HELP_KINDS = ("orders", "marketing", "technology", "management", "funds", "materials")

# ---------------------------------------------------------------------------------------
# Kinds of firm: the category a firm sells in (raw milk and live hogs are both IO003: the tag
# tells a dairy farm from a hog farm; what it makes is in goods.MAKES).
# ---------------------------------------------------------------------------------------

#: tag -> (category, name suffixes of SMEs, cities where SMEs of the kind are).  Tags with no
#: suffixes are made only by leading firms; tags with no cities have no SMEs.
KINDS = {
    "milk": ("IO003", ("牧业有限公司", "奶牛养殖专业合作社", "生态牧场有限公司"),
             (QIQIHAR, HARBIN, DAQING, SUIHUA, SHUANGYASHAN, MUDANJIANG, HEIHE)),
    "hogs": ("IO003", ("养殖有限公司", "生猪养殖专业合作社", "牧业有限公司"), (HARBIN, SUIHUA, JIAMUSI, QIQIHAR, MUDANJIANG)),
    "antler": ("IO003", ("鹿业有限公司", "特种养殖专业合作社"), (HARBIN, YICHUN, MUDANJIANG, SHUANGYASHAN)),
    "soy": ("IO001", ("种植专业合作社", "大豆种植专业合作社", "农业发展有限公司"), (HEIHE, QIQIHAR, SUIHUA, JIAMUSI, HEGANG)),
    "corn": ("IO001", ("种植专业合作社", "玉米种植专业合作社", "农业发展有限公司"),
             (SUIHUA, HARBIN, QIQIHAR, DAQING, JIAMUSI, SHUANGYASHAN)),
    "rice": ("IO001", ("水稻种植专业合作社", "米业种植专业合作社", "农业发展有限公司"),
             (HARBIN, JIAMUSI, SUIHUA, MUDANJIANG, JIXI, SHUANGYASHAN)),
    "herbs": ("IO001", ("中药材种植专业合作社", "北药种植有限公司"), (YICHUN, HARBIN, MUDANJIANG, DAXINGANLING, HEIHE)),
    "feed": ("IO013", ("饲料有限公司", "饲料科技有限公司"), (HARBIN, SUIHUA, QIQIHAR, DAQING, JIAMUSI, MUDANJIANG)),
    "fertilizer": ("IO044", ("肥业有限公司", "生物肥料有限公司"), (HARBIN, SUIHUA, JIAMUSI, QIQIHAR, DAQING)),
    "oilfield_service": ("IO011", ("石油技术服务有限公司", "油田工程技术有限公司"), (DAQING,)),
    "crude": ("IO007", ("油田开发有限公司",), (DAQING,)),
    "chemicals": ("IO043", ("化工有限公司", "化学有限公司"), (DAQING, HARBIN, QITAIHE, JIXI)),
    "special_chem": ("IO048", ("精细化工有限公司", "化学助剂有限公司"), (DAQING, HARBIN, QIQIHAR)),
    "coal": ("IO006", ("煤业有限公司", "煤矿有限责任公司"), (JIXI, HEGANG, SHUANGYASHAN, QITAIHE)),
    "refractory": ("IO059", ("耐火材料有限公司",), (QITAIHE, JIXI, HARBIN)),
    "graphite_ore": ("IO010", ("石墨矿业有限公司",), (JIXI, HEGANG)),
    "steel": ("IO062", ("钢材加工有限公司", "金属材料有限公司"), (HARBIN, QIQIHAR, JIAMUSI, MUDANJIANG, DAQING)),
    "metal_products": ("IO066", ("金属结构有限公司", "铸造有限公司", "钢结构有限公司"),
                       (HARBIN, QIQIHAR, JIAMUSI, MUDANJIANG, DAQING)),
    "nonferrous": ("IO064", ("铝业有限公司", "合金材料有限公司"), (HARBIN, QIQIHAR)),
    "pumps": ("IO070", ("阀门有限公司", "泵业有限公司"), (HARBIN, QIQIHAR, MUDANJIANG)),
    "machinery": ("IO073", ("机械制造有限公司", "传动设备有限公司", "精密机械有限公司"),
                  (HARBIN, QIQIHAR, JIAMUSI, MUDANJIANG)),
    "controls": ("IO085", ("电气有限公司", "电力设备有限公司"), (HARBIN, QIQIHAR)),
    "cables": ("IO086", ("电缆有限公司", "线缆有限公司"), (HARBIN, QIQIHAR)),
    "electronics": ("IO094", ("电子有限公司", "电子科技有限公司"), (HARBIN,)),
    "auto_parts": ("IO080", ("汽车零部件有限公司", "汽车配件有限公司"), (HARBIN, QIQIHAR, MUDANJIANG)),
    "timber": ("IO002", ("林业有限公司", "木材经营有限公司", "林场有限公司"), (YICHUN, DAXINGANLING, HEIHE, MUDANJIANG)),
    "forest_service": ("IO005", ("林业服务有限公司", "农机服务专业合作社"), (YICHUN, DAXINGANLING, MUDANJIANG)),
    "wood": ("IO035", ("木业有限公司", "木制品有限公司", "板材有限公司"), (YICHUN, DAXINGANLING, MUDANJIANG, HARBIN)),
    "cartons": ("IO037", ("包装有限公司", "纸制品有限公司"), (HARBIN, DAQING, QIQIHAR, SUIHUA, SHUANGYASHAN)),
    "tyres": ("IO052", ("轮胎有限公司", "橡胶制品有限公司"), (HARBIN, QIQIHAR, MUDANJIANG)),
    "fans": ("IO071", ("风机有限公司",), (HARBIN,)),
    # made (in the demo) by leading firms only
    "dairy": ("IO020", (), ()),
    "soy_oil": ("IO014", (), ()),
    "milled": ("IO012", (), ()),
    "meat": ("IO016", (), ()),
    "refined": ("IO041", (), ()),
    "synthetic": ("IO047", (), ()),
    "power": ("IO100", (), ()),
    "coke": ("IO042", (), ()),
    "boilers": ("IO067", (), ()),
    "heavy_eq": ("IO074", (), ()),
    "rail": ("IO081", (), ()),
    "machine_tools": ("IO068", (), ()),
    "bearings": ("IO073", (), ()),
    "pharma": ("IO050", (), ()),
    "vehicles": ("IO079", (), ()),
    "furniture": ("IO036", (), ()),
    "graphite": ("IO060", (), ()),
    # wanted in the demo, made by nobody (chain gaps)
    "protein_meal": ("IO014", (), ()),
    "rolled_nonferrous": ("IO065", (), ()),
}

#: Leading firms: (tag, county, brand word, suffix, park or None, the kinds of supplier they buy
#: from, the product they make first).  Every supplier kind's category is an input of the
#: firm's category (checked), and goods.BUYS says which products they buy from it.
LEADING = [
    # dairy
    ("dairy", "230230", "克东", "乳业股份有限公司", None, ("milk",), "P020002"),
    ("dairy", "230109", "松北", "乳品有限公司", "哈尔滨高新技术产业开发区", ("milk",), "P020001"),
    ("dairy", "230624", "草原", "乳业有限公司", None, ("milk",), "P020001"),
    ("dairy", "231281", "安达", "乳业集团有限公司", "安达经济开发区", ("milk",), "P020002"),
    ("dairy", "230506", "完达", "乳业有限公司", None, ("milk",), "P020002"),
    ("dairy", "231084", "镜泊", "乳业有限公司", None, ("milk",), "P020006"),
    # soybean and grain processing, feed, meat
    ("soy_oil", "231181", "北安", "粮油有限公司", None, ("soy",), "P014003"),
    ("soy_oil", "231183", "嫩江", "大豆产业有限公司", None, ("soy",), "P014001"),
    ("soy_oil", "230281", "讷河", "油脂有限公司", None, ("soy",), "P014002"),
    ("soy_oil", "230882", "富锦", "粮油集团有限公司", None, ("soy",), "P014003"),
    ("milled", "230184", "五常", "米业有限公司", "五常经济开发区", ("rice",), "P012004"),
    ("milled", "230826", "三江", "米业有限公司", None, ("rice",), "P012001"),
    ("milled", "231224", "庆安", "粮食加工有限公司", None, ("rice",), "P012001"),
    ("milled", "231282", "肇东", "玉米开发有限公司", None, ("corn",), "P012003"),
    ("feed", "230113", "双城", "饲料集团有限公司", "双城经济技术开发区", ("corn", "soy_oil", "milled"), "P013001"),
    ("feed", "231202", "寒地", "饲料有限公司", "绥化经济技术开发区", ("corn", "soy_oil"), "P013002"),
    ("meat", "230113", "龙江", "肉业有限公司", "双城经济技术开发区", ("hogs",), "P016003"),
    ("meat", "231221", "望奎", "食品有限公司", None, ("hogs",), "P016001"),
    ("meat", "230822", "桦南", "肉类联合加工有限公司", None, ("hogs",), "P016001"),
    # petrochemicals around Daqing
    ("crude", "230602", "萨尔图", "石油开发集团有限公司", "大庆经济技术开发区", ("oilfield_service",), "P007001"),
    ("refined", "230604", "让胡路", "炼化有限公司", "大庆经济技术开发区", ("crude",), "P041002"),
    ("refined", "230603", "龙凤", "石化有限公司", "大庆高新技术产业开发区", ("crude",), "P041001"),
    ("chemicals", "230603", "庆化", "化工集团有限公司", "大庆高新技术产业开发区", ("refined", "coal", "crude"), "P043001"),
    ("chemicals", "230671", "高新", "化学工业有限公司", "大庆高新技术产业开发区", ("refined", "crude"), "P043002"),
    ("synthetic", "230606", "大同", "新材料有限公司", None, ("chemicals", "refined", "special_chem"), "P047025"),
    ("synthetic", "230671", "油城", "聚合材料有限公司", "大庆高新技术产业开发区", ("chemicals", "refined"), "P047001"),
    # coal: power, coking, mining groups
    ("power", "230502", "双鸭山", "热电有限公司", "双鸭山经济开发区", ("coal",), "P100004"),
    ("power", "230403", "鹤岗", "发电有限公司", "鹤岗经济开发区", ("coal",), "P100001"),
    ("power", "230302", "鸡西", "热电有限公司", "鸡西经济开发区", ("coal",), "P100004"),
    ("coke", "230902", "七台河", "焦化有限公司", "七台河经济开发区", ("coal", "refractory"), "P042001"),
    ("coke", "230903", "桃山", "煤化工有限公司", "七台河经济开发区", ("coal", "refractory"), "P042001"),
    ("coal", "230304", "滴道", "矿业集团有限公司", None, (), "P006002"),
    ("coal", "230407", "兴山", "煤业集团有限公司", "鹤岗经济开发区", (), "P006001"),
    ("coal", "230505", "四方台", "能源有限公司", "双鸭山经济开发区", (), "P006002"),
    ("coal", "230904", "茄子河", "煤业有限公司", None, (), "P006001"),
    ("graphite", "230307", "麻山", "石墨新材料有限公司", "鸡西经济开发区", ("coal",), "P060002"),
    # equipment manufacturing (Harbin, Qiqihar)
    ("boilers", "230110", "哈锅", "电站设备有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "pumps", "machinery"),
     "P067001"),
    ("boilers", "230108", "平房", "动力装备有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "machinery"), "P067003"),
    ("heavy_eq", "230206", "富拉尔基", "重型装备有限公司", "富拉尔基经济开发区",
     ("steel", "metal_products", "machinery", "pumps", "bearings"), "P074012"),
    ("rail", "230204", "齐车", "轨道装备有限公司", "齐齐哈尔高新技术产业开发区",
     ("steel", "metal_products", "controls", "cables", "electronics"), "P081001"),
    ("machine_tools", "230202", "龙沙", "数控机床有限公司", "齐齐哈尔高新技术产业开发区",
     ("steel", "nonferrous", "metal_products", "machinery", "controls", "bearings"), "P068001"),
    ("machine_tools", "230203", "建华", "重型机床有限公司", "齐齐哈尔高新技术产业开发区", ("steel", "metal_products", "electronics"),
     "P068009"),
    ("bearings", "230110", "北轴", "精密轴承有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "nonferrous"), "P073001"),
    ("pumps", "230108", "冰城", "泵阀有限公司", "哈尔滨经济技术开发区", ("steel", "metal_products", "machinery"), "P070002"),
    # pharmaceuticals
    ("pharma", "230102", "道里", "制药集团有限公司", None, ("herbs", "antler"), "P050017"),
    ("pharma", "230108", "平房", "药业有限公司", "哈尔滨经济技术开发区", ("herbs",), "P050017"),
    ("pharma", "230781", "铁力", "北药有限公司", "伊春经济开发区", ("herbs",), "P050004"),
    ("pharma", "231003", "阳明", "生物制药有限公司", "牡丹江经济技术开发区", ("herbs", "antler"), "P050017"),
    # auto and auto parts
    ("vehicles", "230108", "哈飞", "汽车工业有限公司", "哈尔滨经济技术开发区", ("auto_parts",), "P079003"),
    ("vehicles", "230113", "冰雪", "新能源汽车有限公司", "双城经济技术开发区", ("auto_parts",), "P079002"),
    ("auto_parts", "230112", "阿城", "汽车部件有限公司", None, ("steel", "nonferrous"), "P080003"),
    ("auto_parts", "231005", "牡丹江", "汽车零部件有限公司", "牡丹江经济技术开发区", ("steel", "nonferrous"), "P080004"),
    # forest products (Yichun, Daxing'anling)
    ("wood", "230781", "小兴安岭", "木业有限公司", "伊春经济开发区", ("timber", "special_chem"), "P035003"),
    ("wood", "232761", "加格达奇", "林产工业有限公司", "加格达奇林业经济开发区", ("timber",), "P035001"),
    ("wood", "232722", "塔河", "木材加工有限公司", None, ("timber",), "P035017"),
    ("furniture", "230719", "红松", "家具有限公司", None, ("wood", "metal_products"), "P036002"),
    ("timber", "232701", "北极", "林业集团有限公司", None, ("forest_service",), "P002001"),
]

#: Which kinds of supplier an SME of each kind buys from (tier 2 and deeper), with the chance
#: of each and the number of suppliers.
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
    "chemicals": (("coal", 0.5, (1, 1)),),
    "special_chem": (("chemicals", 0.8, (1, 1)),),
    "oilfield_service": (("steel", 0.4, (1, 1)), ("special_chem", 0.4, (1, 1))),
    "steel": (("coke", 0.3, (1, 1)),),
}


#: Name suffixes that name particular goods: suffix -> the products a firm so named may make.
#: Suffixes not listed name the kind as a whole (化工有限公司, 饲料有限公司...).  A firm's
#: suffix must fit what it makes (issue 10: no foundry selling bolts, no maize co-operative
#: selling sorghum): see :func:`fitting_suffix`.
NAME_FITS = {
    "玉米种植专业合作社": frozenset({"P001002", "P001008"}),          # 玉米, 全株青贮玉米
    "生物肥料有限公司": frozenset({"P044009"}),                        # 有机肥
    "化学助剂有限公司": frozenset({"P048019", "P048010", "P048014"}),  # 钻井液助剂, 破乳剂, 结构胶
    "金属结构有限公司": frozenset({"P066001"}),                        # 钢结构件
    "钢结构有限公司": frozenset({"P066001"}),
    "铸造有限公司": frozenset({"P066015"}),                            # 灰铁铸件
    "紧固件有限公司": frozenset({"P066002"}),                          # 六角螺栓
    "铝业有限公司": frozenset({"P064003", "P064002"}),                 # 铝合金锭, 电解铝
    "合金材料有限公司": frozenset({"P064003"}),
    "铜业有限公司": frozenset({"P064001"}),                            # 阴极铜
    "阀门有限公司": frozenset({"P070001", "P070004", "P070006"}),      # 闸阀, 安全阀, 调节阀
    "泵业有限公司": frozenset({"P070002", "P070010"}),                 # 离心泵, 液压泵
    "传动设备有限公司": frozenset({"P073003", "P073009"}),             # 齿轮, 减速机
    "林业服务有限公司": frozenset({"P005002"}),                        # 植保飞防服务
    "农机服务专业合作社": frozenset({"P005001", "P005002"}),           # 农机作业服务, 植保飞防服务
    "板材有限公司": frozenset({"P035003", "P035002"}),                 # 胶合板
    "木制品有限公司": frozenset({"P035003", "P035002"}),
}

#: The suffix of a product no suffix of its kind names (the kind's list is part of the random
#: draws, so it stays as it is).
OWN_SUFFIX = {"P066002": "紧固件有限公司", "P064001": "铜业有限公司"}


def suffix_fits(suffix: str, product: str) -> bool:
    """Whether a firm whose name ends in `suffix` may make `product` (NAME_FITS)."""
    named = NAME_FITS.get(suffix)
    return named is None or product in named


def fitting_suffix(drawn: str, suffixes: tuple, product: str) -> str:
    """The name suffix of a firm that makes `product` first: the one drawn if it fits, else the
    next of its kind's suffixes that fits (chosen without a draw, so the demo's random stream
    is unchanged), else the product's own (OWN_SUFFIX)."""
    if suffix_fits(drawn, product):
        return drawn
    start = suffixes.index(drawn) if drawn in suffixes else 0
    for i in range(1, len(suffixes) + 1):
        candidate = suffixes[(start + i) % len(suffixes)]
        if suffix_fits(candidate, product):
            return candidate
    return OWN_SUFFIX[product]
