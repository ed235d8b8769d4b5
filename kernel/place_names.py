"""English names of Chinese places, for English pages and reasons: the 34 province-level
divisions by their short names (the form listings store: 北京, 河北, 内蒙古) and the cities the
bundled listings name. Hanyu Pinyin without tones (GB/T 16159), as the places' own
governments write them, with the conventional English words for 内蒙古 and the special
administrative regions, and 西藏 as its English-language official publications write it.
Pure data: the scorer (no Django) and `marketplace.regions` both read it.
"""

from __future__ import annotations

PROVINCE_EN: dict[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi",
    "内蒙古": "Inner Mongolia", "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang",
    "上海": "Shanghai", "江苏": "Jiangsu", "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian",
    "江西": "Jiangxi", "山东": "Shandong", "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan",
    "广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan", "重庆": "Chongqing",
    "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan", "西藏": "Xizang", "陕西": "Shaanxi",
    "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia", "新疆": "Xinjiang",
    "香港": "Hong Kong", "澳门": "Macao", "台湾": "Taiwan",
}  # fmt: skip
CITY_EN: dict[str, str] = {
    "石家庄": "Shijiazhuang", "唐山": "Tangshan", "秦皇岛": "Qinhuangdao", "邯郸": "Handan",
    "邢台": "Xingtai", "保定": "Baoding", "张家口": "Zhangjiakou", "承德": "Chengde",
    "沧州": "Cangzhou", "廊坊": "Langfang", "衡水": "Hengshui", "雄安": "Xiong'an",
    "郑州": "Zhengzhou", "太原": "Taiyuan", "沈阳": "Shenyang", "大连": "Dalian",
    "南京": "Nanjing", "苏州": "Suzhou", "杭州": "Hangzhou", "济南": "Jinan", "青岛": "Qingdao",
    "武汉": "Wuhan", "广州": "Guangzhou", "深圳": "Shenzhen", "成都": "Chengdu",
}  # fmt: skip
