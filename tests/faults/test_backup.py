"""Backups: ops/backup.sh then ops/restore.sh into a fresh database (on the throwaway
server) and an empty media folder give the same rows per table, the same sequences and the
same media files."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from community_teams.sync import visit_batch_sync
from courses.certificates.models import Certificate
from courses.services import enrolment_create, lesson_complete
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

from .conftest import REPO, database_url
from .data import team_world, visit_items

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COUNTS = """
SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',
       n.nspname, c.relname), false, true, '')))[1]::text::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' ORDER BY c.relname
"""
SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(r) for r in cursor.fetchall()]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _script(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(REPO / "ops" / name), *args],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )


def test_backup_then_restore_into_a_fresh_database(throwaway_postgres, tmp_path):
    server = throwaway_postgres
    # Data: a team's register and visits, a learner's completion, its certificate (a PDF in
    # media, drawn inline by the test settings' eager jobs) and an upload with a Vietnamese name.
    world = team_world(villages=2, households=2)
    for team in world["villages"]:
        visit_batch_sync(member=team["member"], device=None, items=visit_items(team["households"]))
    course = course_build(index=index_build(), lessons_per_module=1, slug="sao-luu")
    learner = UserFactory(username="hoc-vien-sao-luu")
    enrolment_create(learner=learner, course=course)
    with transaction.atomic():
        lesson_complete(learner=learner, lesson=lessons_of(course)[0])
    certificate = Certificate.objects.get(learner=learner)
    assert certificate.pdf_state == Certificate.PdfState.READY
    media = Path(settings.MEDIA_ROOT)
    (media / "tai-lieu").mkdir(parents=True)
    (media / "tai-lieu" / "Hướng dẫn sử dụng.txt").write_text("Nội dung tài liệu.\n", encoding="utf-8")

    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "MEDIA_ROOT": str(media),
        "PG_BIN": str(server.bin),
    }
    backup = _script("backup.sh", str(tmp_path / "backups"), env=env)
    assert backup.returncode == 0, backup.stderr
    backup_dir = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup_dir.iterdir()) == [
        "SHA256SUMS", "counts.tsv", "db.dump", "media.sha256", "media.tar.gz",
    ]
    source_counts = _rows(COUNTS)
    source_sequences = _rows(SEQUENCES)
    counted = dict(line.split("\t") for line in (backup_dir / "counts.tsv").read_text().splitlines())
    assert {t: int(n) for t, n in counted.items()} == dict(source_counts)

    dbname = f"restored_{uuid.uuid4().hex[:10]}"
    restored_media = tmp_path / "restored-media"
    try:
        restore = _script("restore.sh", str(backup_dir), server.url(dbname), str(restored_media), env=env)
        assert restore.returncode == 0, restore.stderr
        assert "restore.sh: OK:" in restore.stderr

        # Checked here independently of the script's own checks.
        restored_counts = [
            (t, int(n)) for t, n in (
                line.split("|") for line in server.psql(COUNTS.replace("\n", " "), dbname).splitlines()
            )
        ]
        assert restored_counts == source_counts
        counts = dict(source_counts)
        assert counts["community_teams_supportvisit"] == 4 and counts["certificates_certificate"] == 1
        assert sum(n > 0 for _t, n in source_counts) >= 20
        restored_sequences = [
            (s, int(v) if v else None)
            for s, v in (line.split("|") for line in server.psql(SEQUENCES, dbname).splitlines())
        ]
        assert restored_sequences == source_sequences  # new rows get new ids, no collisions
        assert server.psql(
            f"SELECT code || ' ' || pdf FROM certificates_certificate WHERE id = {certificate.pk}", dbname
        ) == f"{certificate.code} {certificate.pdf.name}"
        assert _files(restored_media) == _files(media)
        assert certificate.pdf.name in _files(restored_media)

        # A second restore never overwrites: the database exists now.
        again = _script("restore.sh", str(backup_dir), server.url(dbname), str(tmp_path / "other"), env=env)
        assert again.returncode == 2 and "already exists" in again.stderr
    finally:
        server.psql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
