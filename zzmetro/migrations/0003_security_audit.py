"""The security audit log (DOMAIN G2): an append-only table whose rows older than 180 days alone may be purged."""
import django.utils.timezone
from django.db import migrations, models


def install_guard(apps, schema_editor):
    from zzmetro.audit import install_guard

    install_guard(schema_editor)


def remove_guard(apps, schema_editor):
    from zzmetro.audit import remove_guard

    remove_guard(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('zzmetro', '0001_outbox'),
    ]

    operations = [
        migrations.CreateModel(
            name='SecurityEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间')),
                ('event', models.CharField(choices=[('login', '登录成功'), ('login_failed', '登录失败'), ('lockout', '登录锁定'), ('logout', '退出登录'), ('password_change', '修改密码'), ('password_reset_request', '申请重置密码'), ('password_reset', '重置密码'), ('account_create', '新建账号'), ('account_change', '账号变更'), ('role_change', '角色变更'), ('account_delete', '删除账号'), ('export', '导出数据'), ('download', '下载文件'), ('admin_add', '后台新增'), ('admin_change', '后台修改'), ('admin_delete', '后台删除'), ('admin_action', '后台办理')], db_index=True, max_length=32, verbose_name='事件')),
                ('account', models.CharField(blank=True, db_index=True, max_length=150, verbose_name='账号')),
                ('address', models.CharField(blank=True, max_length=64, verbose_name='来源地址')),
                ('target', models.CharField(blank=True, max_length=300, verbose_name='操作对象')),
                ('result', models.CharField(default='成功', max_length=40, verbose_name='结果')),
                ('detail', models.TextField(blank=True, verbose_name='说明')),
                ('path', models.CharField(blank=True, max_length=300, verbose_name='请求地址')),
            ],
            options={
                'verbose_name': '安全审计记录',
                'verbose_name_plural': '安全审计日志（不可修改）',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.RunPython(install_guard, remove_guard),
    ]
