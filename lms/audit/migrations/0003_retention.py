"""Retention of the audit log (lms.audit.services.retention_apply): the trigger of 0002
now lets one kind of DELETE through, the retention job's. It must (1) run in a
transaction that set `lms.audit_retention` to 'on' (SET LOCAL: the transaction's end
turns it off), and (2) delete only rows older than 365 days (RETENTION_MIN_DAYS), a
floor no setting can lower: even code that sets the flag cannot erase the recent log.
UPDATE stays refused. Anyone who can change the trigger (the table's owner) can still
remove rows: docs/security.md, "Audit log"."""

from django.db import migrations, models

PG_UP = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('lms.audit_retention', true) = 'on'
       AND OLD.at < now() - interval '365 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'audit_auditevent is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
"""
PG_DOWN = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit_auditevent is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_trigger'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('login', 'Đăng nhập'), ('login_failed', 'Đăng nhập thất bại'), ('login_locked', 'Tạm khoá đăng nhập'), ('logout', 'Đăng xuất'), ('role_assigned', 'Giao vai trò'), ('role_changed', 'Sửa phân công vai trò'), ('role_ended', 'Kết thúc vai trò'), ('role_deleted', 'Xoá phân công vai trò'), ('mfa_added', 'Bật xác thực hai lớp'), ('mfa_removed', 'Tắt xác thực hai lớp'), ('mfa_reset', 'Tạo lại mã khôi phục'), ('mfa_failed', 'Nhập sai mã xác thực hai lớp'), ('pd_view', 'Xem dữ liệu cá nhân'), ('pd_export', 'Xuất dữ liệu cá nhân'), ('audit_export', 'Xuất nhật ký truy cập'), ('audit_retention', 'Xoá nhật ký quá hạn lưu giữ')], db_index=True, max_length=32, verbose_name='hành động'),
        ),
        migrations.RunPython(up, down),
    ]
