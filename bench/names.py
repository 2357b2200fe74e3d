"""Realistic Vietnamese names and addresses for generated data (not real people)."""

from __future__ import annotations

import random

FAMILY = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trương", 1),
    ("Đoàn", 1),
    ("Lương", 1),
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Xuân", "Đình", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Mai", "Bích", "Kim", "Hồng", "Phương", "Diệu"]
GIVEN_MALE = [
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quang",
    "Sơn",
    "Thắng",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Hoà",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Thảo",
    "Thuý",
    "Trang",
    "Yến",
]
HAMLETS = [
    "Thôn Đông",
    "Thôn Tây",
    "Thôn Trung",
    "Xóm Đình",
    "Thôn Hòa Bình",
    "Xóm Mới",
    "Thôn Phú Lộc",
    "Thôn An Thịnh",
]


def person(rng: random.Random) -> tuple[str, str, int]:
    """(full name, sex 'M'/'F', birth year)."""
    names, weights = zip(*FAMILY, strict=True)
    family = rng.choices(names, weights)[0]
    if rng.random() < 0.5:
        return (
            f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}",
            "M",
            rng.randint(1940, 2024),
        )
    return (
        f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}",
        "F",
        rng.randint(1940, 2024),
    )


def cccd(rng: random.Random, sex: str, year: int) -> str:
    digit4 = (year // 100 - 19) * 2 + (1 if sex == "F" else 0)
    return f"{rng.randint(1, 96):03d}{digit4}{year % 100:02d}{rng.randint(0, 999999):06d}"


def address(rng: random.Random) -> str:
    return f"{rng.choice(HAMLETS)}, xã An Hòa"


def phone(rng: random.Random) -> str:
    return f"0{rng.choice([3, 5, 7, 8, 9])}{rng.randint(0, 99_999_999):08d}"
