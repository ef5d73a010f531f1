"""The demo site tree, in Vietnamese: home, about pages, news and help.

`demo_site_build()` is idempotent: pages are found by their slug under their parent and
only missing ones are created (an editor's later changes to existing pages are kept).
"""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from wagtail.models import Page, Site

from content.models import (
    HelpIndexPage,
    HelpPage,
    HomePage,
    NewsArticlePage,
    NewsIndexPage,
    SiteSettings,
    StandardPage,
)

HOME_SLUG = "trang-chu"


def _heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def _callout(kind: str, text: str, title: str = "") -> dict:
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": f"<p>{text}</p>"}}


def _steps(title: str, steps: list[str]) -> dict:
    return {
        "type": "steps",
        "value": {
            "title": title,
            "steps": [{"text": f"<p>{s}</p>", "screenshot": None, "screenshot_alt": ""} for s in steps],
        },
    }


def _quote(text: str, attribution: str) -> dict:
    return {"type": "quote", "value": {"text": text, "attribution": attribution}}


STANDARD_PAGES = [
    {
        "slug": "gioi-thieu",
        "title": "Giới thiệu",
        "intro": "Nền tảng học kỹ năng số miễn phí cho mọi người dân, cán bộ, công chức, viên chức "
        "và các tổ công nghệ số cộng đồng.",
        "body": [
            _heading("Chúng tôi làm gì"),
            _paragraph(
                "<p>Các khoá học ngắn, dễ hiểu, học được trên điện thoại giá rẻ và kết nối mạng yếu: "
                "dùng điện thoại thông minh, tài khoản định danh điện tử VNeID, dịch vụ công trực tuyến, "
                "thanh toán không dùng tiền mặt, mua bán trên mạng và phòng tránh lừa đảo.</p>"
            ),
            _heading("Ai có thể học"),
            _paragraph(
                "<ul><li>Mọi người dân, hoàn toàn miễn phí.</li>"
                "<li>Cán bộ, công chức, viên chức hoàn thành bồi dưỡng kỹ năng số hằng năm.</li>"
                "<li>Tổ công nghệ số cộng đồng hướng dẫn bà con ngay tại thôn, tổ dân phố.</li></ul>"
            ),
            _quote(
                "Học xong, tôi tự nộp được hồ sơ khai sinh cho cháu mà không phải lên xã.",
                "Chị Lò Thị Mai, học viên tại Sơn La",
            ),
        ],
    },
    {
        "slug": "dieu-khoan-su-dung",
        "title": "Điều khoản sử dụng",
        "intro": "Những điều bạn đồng ý khi dùng nền tảng.",
        "body": [
            _heading("Tài khoản"),
            _paragraph(
                "<p>Mỗi người dùng một tài khoản, đăng ký bằng số điện thoại hoặc thư điện tử. "
                "Bạn giữ bí mật mật khẩu và mã xác nhận; không ai từ nền tảng hỏi mã của bạn.</p>"
            ),
            _heading("Nội dung học tập"),
            _paragraph(
                "<p>Bài học được dùng miễn phí cho mục đích học tập, không dùng cho mục đích thương mại.</p>"
            ),
        ],
    },
    {
        "slug": "chinh-sach-du-lieu-ca-nhan",
        "title": "Chính sách bảo vệ dữ liệu cá nhân",
        "intro": "Chúng tôi thu thập ít dữ liệu nhất có thể và chỉ dùng cho việc học của bạn.",
        "body": [
            _paragraph(
                "<p>Nền tảng tuân thủ Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15. Chúng tôi không thu "
                "số căn cước công dân. Bạn có thể yêu cầu xoá dữ liệu cá nhân bất cứ lúc nào.</p>"
            ),
            _callout("tip", "Bạn có thể xem và tải về dữ liệu của mình trong mục Tài khoản."),
        ],
    },
]

NEWS_ARTICLES = [
    {
        "slug": "da-nang-ra-mat-to-cong-nghe-so-cong-dong",
        "title": "Đà Nẵng ra mắt tổ công nghệ số cộng đồng ở tất cả thôn, tổ dân phố",
        "date": datetime.date(2025, 9, 12),
        "intro": "Các tổ sẽ đến từng hộ gia đình ở Đà Nẵng để hướng dẫn cài VNeID, mở tài khoản thanh toán "
        "và nộp hồ sơ dịch vụ công trực tuyến.",
        "body": [
            _paragraph(
                "<p>Mỗi tổ có từ 3 đến 5 thành viên: trưởng thôn, đoàn viên thanh niên, công an khu vực và "
                "người dân thạo công nghệ. Tổ ghi lại từng lượt hỗ trợ để xã, phường theo dõi tiến độ.</p>"
            ),
            _heading("Hỗ trợ tận nhà"),
            _paragraph(
                "<p>Người cao tuổi và người khuyết tật ở Đà Nẵng được ưu tiên hỗ trợ tại nhà, "
                "vào buổi tối hoặc cuối tuần.</p>"
            ),
            _callout("phone", "Mở ứng dụng VNeID, chọn “Thông tin cư trú” để kiểm tra địa chỉ của bạn."),
        ],
    },
    {
        "slug": "thanh-hoa-nguoi-cao-tuoi-hoc-cai-vneid",
        "title": "Thanh Hóa: người cao tuổi học cài VNeID ngay tại nhà văn hóa thôn",
        "date": datetime.date(2025, 10, 3),
        "intro": "Hơn hai trăm người cao tuổi ở một xã miền núi tỉnh Thanh Hóa đã tự đăng nhập được VNeID "
        "sau ba buổi học.",
        "body": [
            _paragraph(
                "<p>Các buổi học diễn ra vào buổi sáng tại nhà văn hóa thôn. Mỗi người được một đoàn viên "
                "kèm riêng, học trên chính chiếc điện thoại của mình.</p>"
            ),
            _quote("Giờ tôi tự xem được lương hưu trên điện thoại, không phải nhờ con cháu nữa.",
                   "Ông Lê Văn Hùng, 72 tuổi"),
        ],
    },
    {
        "slug": "cho-phien-khong-dung-tien-mat-thanh-hoa",
        "title": "Chợ phiên không dùng tiền mặt ở vùng cao Thanh Hoá",
        "date": datetime.date(2025, 10, 20),
        "intro": "Bà con bán hàng ở chợ phiên đã quen nhận tiền bằng mã QR, nhờ tổ công nghệ số cộng đồng "
        "hướng dẫn từng người.",
        "body": [
            _paragraph(
                "<p>Ở một chợ phiên vùng cao Thanh Hoá, nhiều sạp hàng đã dán mã QR để khách chuyển khoản. "
                "Tổ công nghệ số hướng dẫn bà con kiểm tra tin nhắn báo tiền về trước khi giao hàng.</p>"
            ),
            _callout("warning", "Luôn kiểm tra tiền đã về tài khoản trước khi giao hàng. Ảnh chụp màn hình "
                     "chuyển khoản có thể là giả.", "Cẩn thận ảnh chuyển khoản giả"),
        ],
    },
    {
        "slug": "canh-bao-gia-danh-cong-an-goi-dien",
        "title": "Cảnh báo: giả danh công an gọi điện đề nghị “cập nhật định danh”",
        "date": datetime.date(2025, 11, 5),
        "intro": "Kẻ gian gọi điện, gửi đường liên kết lạ và yêu cầu cài ứng dụng giả để chiếm đoạt "
        "tài khoản ngân hàng.",
        "body": [
            _paragraph(
                "<p>Công an không bao giờ gọi điện yêu cầu bạn cài ứng dụng, cung cấp mật khẩu hay mã OTP. "
                "VNeID chỉ tải từ CH Play hoặc App Store.</p>"
            ),
            _callout("warning", "Không bấm vào đường liên kết lạ, không đọc mã OTP cho bất kỳ ai.",
                     "Dấu hiệu lừa đảo"),
        ],
    },
]

HELP_PAGES = [
    {
        "slug": "dang-ky-bang-so-dien-thoai",
        "title": "Đăng ký tài khoản bằng số điện thoại",
        "topic": HelpPage.Topic.ACCOUNT,
        "summary": "Tạo tài khoản học miễn phí chỉ với số điện thoại và một mã xác nhận gửi qua tin nhắn.",
        "body": [
            _steps("Các bước đăng ký", [
                "Bấm <b>Đăng ký</b> ở đầu trang.",
                "Nhập số điện thoại của bạn, ví dụ 0912 345 678, và họ tên.",
                "Chờ tin nhắn có mã xác nhận gồm 6 chữ số, rồi nhập mã vào ô “Mã xác nhận”.",
                "Đặt mật khẩu dài ít nhất 8 ký tự. Xong! Bạn có thể bắt đầu học.",
            ]),
            _callout("tip", "Không nhận được tin nhắn sau 2 phút? Bấm “Gửi lại mã”. Kiểm tra điện thoại còn "
                     "sóng và số đã nhập đúng."),
        ],
    },
    {
        "slug": "cai-dat-vneid",
        "title": "Cài đặt và kích hoạt ứng dụng VNeID",
        "topic": HelpPage.Topic.PUBLIC_SERVICES,
        "summary": "Tải VNeID chính thức, kích hoạt tài khoản định danh điện tử và đăng nhập lần đầu.",
        "body": [
            _paragraph("<p>VNeID là ứng dụng định danh điện tử của Bộ Công an. Chỉ tải ứng dụng từ CH Play "
                       "(Android) hoặc App Store (iPhone).</p>"),
            _steps("Cài đặt VNeID", [
                "Mở CH Play hoặc App Store, tìm “VNeID”. Kiểm tra nhà phát triển là Trung tâm dữ liệu "
                "quốc gia về dân cư.",
                "Bấm <b>Cài đặt</b>, chờ tải xong rồi mở ứng dụng.",
                "Chọn <b>Kích hoạt tài khoản</b>, nhập số định danh cá nhân và số điện thoại.",
                "Nhập mã OTP gửi về điện thoại, đặt mật khẩu và mã bảo vệ.",
            ]),
            _callout("phone", "Mở VNeID và thử đăng nhập ngay bây giờ. "
                     "Nếu quên mật khẩu, chọn “Quên mật khẩu”."),
        ],
    },
    {
        "slug": "phong-tranh-lua-dao-truc-tuyen",
        "title": "Nhận biết và phòng tránh lừa đảo trên mạng",
        "topic": HelpPage.Topic.SAFETY,
        "summary": "Năm dấu hiệu thường gặp của lừa đảo qua điện thoại, tin nhắn và mạng xã hội.",
        "body": [
            _heading("Năm dấu hiệu lừa đảo"),
            _paragraph(
                "<ol><li>Người lạ xưng là công an, ngân hàng, nhân viên điện lực và hối thúc bạn.</li>"
                "<li>Yêu cầu đọc mã OTP hoặc mật khẩu.</li>"
                "<li>Gửi đường liên kết lạ hoặc yêu cầu cài ứng dụng ngoài CH Play, App Store.</li>"
                "<li>Hứa trúng thưởng, việc nhẹ lương cao, cần nộp tiền trước.</li>"
                "<li>Đề nghị chuyển tiền vào “tài khoản an toàn”.</li></ol>"
            ),
            _callout("warning", "Gác máy, không bấm liên kết, hỏi người thân hoặc gọi 113 khi nghi ngờ.",
                     "Khi nghi ngờ"),
        ],
    },
    {
        "slug": "quen-mat-khau",
        "title": "Quên mật khẩu thì làm thế nào?",
        "topic": HelpPage.Topic.ACCOUNT,
        "summary": "Đặt lại mật khẩu bằng mã gửi về số điện thoại hoặc thư điện tử của bạn.",
        "body": [
            _steps("", [
                "Ở trang Đăng nhập, bấm “Quên mật khẩu?”.",
                "Nhập số điện thoại hoặc thư điện tử đã đăng ký.",
                "Nhập mã nhận được và đặt mật khẩu mới.",
            ]),
        ],
    },
]


def _page_get_or_create(*, parent: Page, model: type[Page], slug: str, fields: dict, counts: dict) -> Page:
    """The child of `parent` with `slug`, created and published when missing."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        counts["existing"] += 1
        return existing.specific
    page = model(slug=slug, live=False, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    counts["created"] += 1
    return page


def _home_get_or_create(*, counts: dict) -> HomePage:
    root = Page.get_first_root_node()
    site = Site.objects.filter(is_default_site=True).first()
    home = HomePage.objects.first()
    if home is not None:
        counts["existing"] += 1
    else:
        home = _page_get_or_create(
            parent=root,
            model=HomePage,
            slug=HOME_SLUG,
            fields={
                "title": "Trang chủ",
                "hero_title": "Học kỹ năng số miễn phí, ngay trên điện thoại",
                "hero_text": "Bài học ngắn, dễ hiểu: dùng VNeID, dịch vụ công trực tuyến, thanh toán "
                "không tiền mặt và phòng tránh lừa đảo. Học lúc nào cũng được, mạng yếu vẫn học được.",
                "intro": "<p>Nền tảng dành cho mọi người dân, cán bộ, công chức, viên chức và các "
                "tổ công nghệ số cộng đồng trên cả nước.</p>",
            },
            counts=counts,
        )
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="Kỹ năng số cho mọi người")
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.save()
        # Wagtail's "Welcome to your new Wagtail site!" page: a bare Page, never edited.
        if old_root.content_type.model_class() is Page and not old_root.get_children().exists():
            old_root.delete()
    return home


FEATURED = [
    ("dang-ky-bang-so-dien-thoai", "Đăng ký bằng số điện thoại", "Tạo tài khoản học miễn phí, hai phút."),
    ("cai-dat-vneid", "Cài đặt VNeID", "Tài khoản định danh điện tử trên điện thoại."),
    ("phong-tranh-lua-dao-truc-tuyen", "Phòng tránh lừa đảo", "Năm dấu hiệu cần nhớ để giữ an toàn."),
]


def _children_build(*, parent: Page, model: type[Page], items: list[dict], counts: dict) -> None:
    for data in items:
        fields = {k: v for k, v in data.items() if k != "slug"}
        _page_get_or_create(parent=parent, model=model, slug=data["slug"], fields=fields, counts=counts)


@transaction.atomic
def demo_site_build() -> dict:
    """Create the demo site tree (missing pages only) and refresh the search index.

    Returns {"created": n, "existing": m}, counting pages.
    """
    counts = {"created": 0, "existing": 0}
    home = _home_get_or_create(counts=counts)
    home_was_new = counts["created"] > 0

    _children_build(parent=home, model=StandardPage, items=STANDARD_PAGES, counts=counts)
    news = _page_get_or_create(
        parent=home, model=NewsIndexPage, slug="tin-tuc",
        fields={"title": "Tin tức", "intro": "Tin về chuyển đổi số và kỹ năng số ở các địa phương.",
                "show_in_menus": True},
        counts=counts,
    )
    _children_build(parent=news, model=NewsArticlePage, items=NEWS_ARTICLES, counts=counts)
    help_index = _page_get_or_create(
        parent=home, model=HelpIndexPage, slug="tro-giup",
        fields={"title": "Trợ giúp", "intro": "Hướng dẫn từng bước cho những việc hay gặp.",
                "show_in_menus": True},
        counts=counts,
    )
    _children_build(parent=help_index, model=HelpPage, items=HELP_PAGES, counts=counts)

    if home_was_new:
        # Only on a fresh home page: an editor's later choices are never overwritten.
        help_pages = {p.slug: p.pk for p in help_index.get_children()}
        home.hero_cta_text = "Xem hướng dẫn bắt đầu"
        home.hero_cta_page = help_index
        home.featured_links = [
            {"type": "link",
             "value": {"title": title, "description": text, "page": help_pages[slug], "url": ""}}
            for slug, title, text in FEATURED
        ]
        home.save_revision().publish()

    site = Site.objects.get(is_default_site=True)
    site_settings, _ = SiteSettings.objects.get_or_create(site=site)
    if not site_settings.footer_text:
        site_settings.contact_email = "hotro@kynangso.example.vn"
        site_settings.contact_phone = "1900 0000"
        site_settings.support_hours = "7:30–17:00, thứ Hai đến thứ Sáu"
        site_settings.footer_text = (
            "Nền tảng học kỹ năng số miễn phí cho người dân, cán bộ và tổ công nghệ số cộng đồng."
        )
        site_settings.save()

    call_command("update_index", stdout=StringIO(), stderr=StringIO())
    return counts
