"""Question files in and out: CSV, XLSX, Moodle XML and GIFT.

Every reader produces the neutral `QuestionData` (formats.neutral); every writer starts
from it; `formats.services.questions_import` writes through `services.question_create`
(one path, one validation for all formats). The file layouts are documented in each
module: `table` (CSV/XLSX), `moodle`, `gift`.
"""
