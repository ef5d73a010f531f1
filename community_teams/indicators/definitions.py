"""Defaults the data files do not carry: Vietnamese and English names and the default age
band of each indicator (from the `population` column of indicators.csv). Both are
editable afterwards (IndicatorDefinition in the admin); the loader only fills them in
for new rows."""

NAMES = {
    "smartphone": ("Người trưởng thành có điện thoại thông minh", "Adults who own a smartphone"),
    "digital_identity": (
        "Người dân có định danh điện tử (VNeID mức 1 hoặc 2)",
        "People with an electronic identity",
    ),
    "vneid_level2": ("Người dân có VNeID mức 2", "People with a level-2 VNeID account"),
    "payment_account": ("Người từ 15 tuổi có tài khoản thanh toán", "People aged 15+ with a payment account"),
    "online_public_services": (
        "Người trưởng thành dùng dịch vụ công trực tuyến trong 12 tháng",
        "Adults who used an online public service in the last 12 months",
    ),
    "digital_signature": (
        "Người trưởng thành có chữ ký số cá nhân",
        "Adults with a personal digital signature",
    ),
    "basic_digital_skills": (
        "Người trong độ tuổi lao động tự làm được cả 5 kỹ năng số cơ bản",
        "Working-age people who can do all five basic skills alone",
    ),
    "basic_digital_skills_trained": (
        "Người trong độ tuổi lao động được bồi dưỡng kỹ năng số cơ bản",
        "Working-age people trained in basic digital skills",
    ),
    "cyber_safety_reached": (
        "Người dùng Internet được hướng dẫn an toàn trên mạng",
        "Internet users reached by online-safety guidance",
    ),
    "fibre_household": ("Hộ gia đình có Internet cáp quang", "Households with fibre broadband"),
    "household_five_skills": (
        "Hộ có ít nhất một người tự làm được 5 kỹ năng số cơ bản",
        "Households with a member who can do all five basic skills alone",
    ),
    "teams_active": ("Tổ công nghệ số có hoạt động trong kỳ", "Teams that logged a visit in the period"),
    "households_reached": ("Hộ được thăm trong kỳ", "Households visited in the period"),
}

# (min_age, max_age); None = no bound. Residents are recorded from 16, so a band starting
# below 16 counts the register's 16+.
DEFAULT_BANDS = {
    "smartphone": (15, None),
    "digital_identity": (14, None),
    "vneid_level2": (14, None),
    "payment_account": (15, None),
    "online_public_services": (15, None),
    "digital_signature": (15, None),
    "basic_digital_skills": (15, 60),
    "basic_digital_skills_trained": (15, 60),
    "cyber_safety_reached": (None, None),
    "fibre_household": (None, None),
    "household_five_skills": (None, None),
    "teams_active": (None, None),
    "households_reached": (None, None),
}

STATUS_FROM_CSV = {"in force": "in_force", "guidance": "guidance", "draft": "draft"}
