"""The offline visit form: app shell, web manifest and service worker (scope
/to-cong-nghe-so/ung-dung/).

The shell is an ordinary login-required page; everything it does after loading goes
through the JSON API (docs/community-teams.md, "Visit app"). The service worker is a
Django template so that its precache list carries the real static URLs (hashed in
production) and its cache name changes whenever one of those files changes.
"""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

APP = "community_teams/app/"

# Bare module names the app's ES modules import, mapped by an import map in the shell to
# their (possibly hashed) static URLs.
MODULES = {
    "idb": APP + "vendor/idb/idb.js",
    "visit-app/fold": APP + "fold.js",
    "visit-app/store": APP + "store.js",
    "visit-app/api": APP + "api.js",
    "visit-app/form": APP + "form.js",
}
ENTRY = APP + "app.js"
STYLES = ("css/site.css", APP + "app.css")
ICONS = (
    (APP + "icons/icon-192.png", "192x192", "any"),
    (APP + "icons/icon-512.png", "512x512", "any"),
    (APP + "icons/icon-maskable-512.png", "512x512", "maskable"),
)
TOUCH_ICON = APP + "icons/apple-touch-icon-180.png"
# Static files the service worker keeps for offline use.
PRECACHE = (*STYLES, ENTRY, *MODULES.values(), *(icon for icon, _size, _purpose in ICONS), TOUCH_ICON)

API_PREFIX = "/api/v1/"
STALE_AFTER_DAYS = 30  # a device not synced for this long wipes its register at start
BATCH_SIZE = 500  # visits per upload, the API's maximum


def _strings() -> dict[str, str]:
    """Every sentence the JavaScript shows, translated here so it can be translated.
    `{n}`, `{detail}`, `{date}` … are filled in by the script."""
    return {
        "online": _("Đang có mạng"),
        "offline": _("Đang ngoại tuyến: lượt thăm được lưu trên máy và gửi khi có mạng."),
        "queueCount": _("{n} lượt thăm chờ gửi"),
        "queueEmpty": _("Không còn lượt thăm nào chờ gửi."),
        "pending": _("Chờ gửi"),
        "conflict": _("Xung đột"),
        "invalid": _("Không hợp lệ"),
        "remove": _("Xoá khỏi máy"),
        "confirmRemove": _("Xoá lượt thăm này khỏi máy? Nó chưa được gửi và sẽ mất."),
        "activitiesCount": _("{n} hoạt động"),
        "sending": _("Đang gửi…"),
        "sent": _("Đã gửi {n} lượt thăm."),
        "alreadyReceived": _("{n} lượt thăm máy chủ đã nhận từ trước (không tạo thêm)."),
        "flagged": _("{n} lượt thăm thuộc tháng đã chốt: đã nhận và đánh dấu để xem xét."),
        "keptWithErrors": _("{n} lượt thăm chưa được nhận, xem lý do bên dưới."),
        "downloaded": _("Đã cập nhật danh sách: {n} hộ."),
        "lastSync": _("Đồng bộ lần cuối: {date}"),
        "neverSynced": _("Chưa đồng bộ lần nào."),
        "networkError": _("Không kết nối được máy chủ. Lượt thăm vẫn nằm trên máy và sẽ được gửi sau."),
        "serverError": _("Máy chủ báo lỗi ({status}): {detail}"),
        "signinOffline": _("Cần có mạng để đăng nhập thiết bị lần đầu."),
        "signinNotMember": _("Tài khoản này không phải thành viên của tổ công nghệ số nào đang hoạt động."),
        "signinLogin": _("Phiên đăng nhập đã hết. Hãy đăng nhập lại trang web rồi mở lại ứng dụng."),
        "signinDone": _("Thiết bị đã được đăng nhập."),
        "wipedRevoked": _("Thiết bị này đã bị thu hồi hoặc hết hạn: dữ liệu ngoại tuyến đã được xoá."),
        "wipedStale": _(
            "Đã hơn 30 ngày chưa đồng bộ: dữ liệu ngoại tuyến đã được "
            "xoá để bảo vệ thông tin hộ dân."
        ),
        "lostVisits": _("{n} lượt thăm chưa gửi đã bị xoá cùng."),
        "signedOut": _("Đã đăng xuất thiết bị và xoá dữ liệu trên máy."),
        "confirmSignout": _(
            "Đăng xuất thiết bị sẽ xoá danh sách hộ và {n} lượt thăm "
            "chưa gửi khỏi máy. Tiếp tục?"
        ),
        "noHouseholds": _("Không tìm thấy hộ nào. Thử gõ ít chữ hơn, có dấu hay không dấu đều được."),
        "typeToSearch": _("Gõ tên hộ để tìm (có dấu hay không dấu đều được)."),
        "moreHouseholds": _("Còn {n} hộ nữa: gõ thêm để thu hẹp."),
        "noResidents": _("Hộ này chưa có người nào từ 16 tuổi được ghi."),
        "female": _("Nữ"),
        "male": _("Nam"),
        "other": _("Khác"),
        "born": _("sinh {year}"),
        "outcome": _("Kết quả"),
        "done": _("Đã làm xong"),
        "partly": _("Làm được một phần"),
        "not_possible": _("Không làm được"),
        "reason": _("Lý do"),
        "forResident": _("Cho người nào"),
        "chooseResident": _("— chọn người —"),
        "errHousehold": _("Hãy chọn hộ gia đình."),
        "errDate": _("Hãy chọn ngày thăm (không sau hôm nay)."),
        "errActivity": _("Hãy chọn ít nhất một hoạt động."),
        "errReason": _("Hãy ghi lý do cho hoạt động không làm được: {name}."),
        "errResident": _("Hãy chọn người được hỗ trợ cho: {name}."),
        "saved": _("Đã lưu lượt thăm trên máy."),
        "locating": _("Đang lấy vị trí…"),
        "locationSet": _("Vị trí gần đúng: {lat}, {lon}"),
        "locationFailed": _("Không lấy được vị trí. Lượt thăm vẫn lưu được khi không có vị trí."),
        "noBrowserSupport": _(
            "Trình duyệt này không lưu được dữ liệu ngoại tuyến "
            "(IndexedDB). Hãy dùng Chrome mới."
        ),
        "deviceOf": _("Thiết bị của {name}"),
        "otherUser": _(
            "Thiết bị này đang đăng nhập cho {name}, không phải tài khoản đang mở trang. "
            "Hãy đăng xuất thiết bị (mục Thiết bị ở cuối trang) trước khi ghi lượt thăm của bạn."
        ),
        "coursesCount": _("{n} khoá học có thể ghi danh cho người dân."),
        "chooseCourse": _("— chọn khoá học —"),
        "errEnrolIncomplete": _(
            "Để đăng ký học, hãy chọn người, chọn khoá học và nhập số điện thoại; "
            "nếu không đăng ký thì để trống cả ba."
        ),
        "errEnrolPhone": _("Số điện thoại của người học chưa đúng (ví dụ: 0912 345 678)."),
        "errEnrolConsent": _("Hãy đánh dấu rằng người dân đã đồng ý đăng ký học."),
        "edit": _("Sửa"),
        "editingQueued": _("Đang sửa lượt thăm chưa gửi: {label}. Lưu sẽ thay nội dung đang chờ gửi."),
        "editingSent": _("Đang sửa lượt thăm đã gửi: {label}. Lưu sẽ gửi một bản sửa thay cho bản cũ."),
        "editGone": _("Hộ của lượt thăm này không còn trên máy nên không sửa được."),
    }


@login_required
def app_shell(request: HttpRequest) -> HttpResponse:
    """The app's single page. Login is required to reach it the first time; later the
    service worker serves the cached copy and the device token does the rest."""
    config = {
        "scope": reverse("community_teams:visit_app"),
        "serviceWorker": reverse("community_teams:visit_app_sw"),
        "loginUrl": f"{reverse('account_login')}?next={reverse('community_teams:visit_app')}",
        "api": {
            "devices": API_PREFIX + "teams/devices",
            "syncData": API_PREFIX + "teams/sync-data",
            "visitsSync": API_PREFIX + "visits/sync",
        },
        "csrfCookie": settings.CSRF_COOKIE_NAME,
        "csrfToken": get_token(request),
        "userId": request.user.pk,
        "staleAfterDays": STALE_AFTER_DAYS,
        "batchSize": BATCH_SIZE,
    }
    context = {
        "app_strings": _strings(),
        "app_config": config,
        "import_map": json.dumps({"imports": {name: static(path) for name, path in MODULES.items()}}),
        "entry": ENTRY,
        "touch_icon": TOUCH_ICON,
    }
    return render(request, "community_teams/app/shell.html", context)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (public: browsers fetch it without cookies)."""
    scope = reverse("community_teams:visit_app")
    data = {
        "name": _("Tổ công nghệ số"),
        "short_name": _("Tổ CNS"),
        "description": _("Ghi lượt thăm hỗ trợ hộ dân, cả khi không có mạng."),
        "lang": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "id": scope,
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": static(path), "sizes": size, "type": "image/png", "purpose": purpose}
            for path, size, purpose in ICONS
        ],
    }
    body = json.dumps(data, ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _file_bytes(path: str) -> bytes:
    found = finders.find(path)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    with staticfiles_storage.open(path) as handle:  # collected only (no source tree)
        return handle.read()


def _precache_fingerprint(urls: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for path, url in zip(PRECACHE, urls, strict=True):
        digest.update(url.encode())
        digest.update(_file_bytes(path))
    return digest.hexdigest()[:12]


_cached_fingerprint = lru_cache(maxsize=4)(_precache_fingerprint)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script. Served from the app's own path so its default scope is
    the app; Service-Worker-Allowed states that scope; never cached by HTTP so updates
    are seen on the next visit."""
    scope = reverse("community_teams:visit_app")
    urls = tuple(static(path) for path in PRECACHE)
    fingerprint = (_precache_fingerprint if settings.DEBUG else _cached_fingerprint)(urls)
    script = render_to_string(
        "community_teams/app/sw.js",
        {
            "cache_prefix": "visit-app-",
            "version": fingerprint,
            "shell_url": json.dumps(scope),
            "scope": json.dumps(scope),
            "assets": json.dumps(list(urls)),
            "api_prefix": json.dumps(API_PREFIX),
        },
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response
