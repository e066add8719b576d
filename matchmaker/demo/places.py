"""Where the demo's firms are: the 13 cities of Heilongjiang (province 23), their parks, and
the two counties the demo gives a raised risk level; distances between places.

The codes are real (GB/T 2260); the risk levels are a demo setting, not a historical record.
"""
from __future__ import annotations

import math

__all__ = [
    "PROVINCE", "HIGH_RISK_COUNTY", "MEDIUM_RISK_COUNTY", "HARBIN", "QIQIHAR", "JIXI", "HEGANG", "SHUANGYASHAN",
    "DAQING", "YICHUN", "JIAMUSI", "QITAIHE", "MUDANJIANG", "HEIHE", "SUIHUA", "DAXINGANLING", "CITIES", "PARKS",
    "haversine", "short_place",
]

PROVINCE = "23"

#: The demo's risk levels (a demo setting, not a historical record).
HIGH_RISK_COUNTY = "231221"  # 绥化市望奎县
MEDIUM_RISK_COUNTY = "230506"  # 双鸭山市宝山区

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



def haversine(a, b) -> float:
    """Great-circle distance in km between two ``(lat, lon)`` points."""
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def short_place(name: str) -> str:
    """A county's name without its administrative suffix (区, 县, 市...), for firm names."""
    for suffix in ("达斡尔族区", "蒙古族自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name
