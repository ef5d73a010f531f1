"""Question banks and quizzes for the quiz tests, built through the services."""

from decimal import Decimal

from assessments.quizzes.models import Question
from assessments.quizzes.services import category_create, question_create, quiz_create

T = Question.Type


def one_of_each(category) -> dict[str, Question]:
    """One question of every type, with Vietnamese content and a known key."""
    return {
        "single": question_create(
            category=category,
            type=T.SINGLE_CHOICE,
            text="Mã OTP có nên đọc cho người gọi điện không?",
            choices=[
                {"text": "Không bao giờ", "correct": True, "feedback": "Đúng: OTP là bí mật."},
                {"text": "Có, nếu họ xưng là công an"},
                {"text": "Có, nếu họ xưng là ngân hàng"},
            ],
            feedback="Không ai được hỏi mã OTP của bạn.",
            explanation="Kẻ gian giả danh để lấy OTP.",
        ),
        "multiple": question_create(
            category=category,
            type=T.MULTIPLE_CHOICE,
            text="Những dấu hiệu nào là lừa đảo?",
            choices=[
                {"text": "Yêu cầu chuyển tiền gấp", "correct": True},
                {"text": "Đường dẫn lạ", "correct": True},
                {"text": "Giọng nói đe doạ", "correct": True},
                {"text": "Gọi từ tổng đài chính thức đã biết"},
                {"text": "Tin nhắn từ người thân ngồi cạnh"},
            ],
            explanation="Ba dấu hiệu đầu là điển hình.",
        ),
        "truefalse": question_create(
            category=category,
            type=T.TRUE_FALSE,
            text="VNeID là ứng dụng định danh điện tử của Bộ Công an.",
            correct=True,
        ),
        "matching": question_create(
            category=category,
            type=T.MATCHING,
            text="Ghép dịch vụ với ứng dụng",
            pairs=[
                ("Định danh điện tử", "VNeID"),
                ("Dịch vụ công", "Cổng Dịch vụ công quốc gia"),
                ("Nộp thuế", "eTax Mobile"),
                ("", "Zalo"),
            ],
        ),
        "ordering": question_create(
            category=category,
            type=T.ORDERING,
            text="Sắp xếp các bước kích hoạt VNeID",
            items=["Tải ứng dụng", "Nhập số định danh", "Nhập mã kích hoạt", "Đặt mật khẩu"],
        ),
        "numeric": question_create(
            category=category,
            type=T.NUMERIC,
            text="Mã OTP thường có bao nhiêu chữ số?",
            numeric=[(Decimal("6"), Decimal("0"))],
        ),
        "short": question_create(
            category=category,
            type=T.SHORT_TEXT,
            text="Thủ đô của Việt Nam là gì?",
            accepted=["Hà Nội", ("Thăng Long", Decimal("0.5"))],
            explanation="Hà Nội là thủ đô.",
        ),
    }


def bank_with_quiz(**quiz_options):
    category = category_create(name="An toàn trên mạng")
    questions = one_of_each(category)
    quiz = quiz_create(title="Kiểm tra an toàn số", questions=list(questions.values()), **quiz_options)
    return quiz, questions, category
