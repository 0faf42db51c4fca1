"""The column's data labels, listed so that `makemessages` collects them for the English
frame (templates translate them with ``{% translate value %}``). Kept in step with the choices
by tests/disclosure/test_english_column.py."""

from django.utils.translation import gettext_noop

from disclosure.models import DocumentKind
from review.models import MaterialKind
from review.services.verdict import Verdict
from schools.models import City

LABELED_CHOICES = (City, Verdict, DocumentKind, MaterialKind)

LABELS = (
    # City
    gettext_noop("福州"), gettext_noop("厦门"), gettext_noop("泉州"), gettext_noop("漳州"),
    gettext_noop("莆田"), gettext_noop("三明"), gettext_noop("南平"), gettext_noop("龙岩"),
    gettext_noop("宁德"), gettext_noop("平潭"),
    # Verdict
    gettext_noop("有效"), gettext_noop("异常"), gettext_noop("待改进"),
    # DocumentKind (column)
    gettext_noop("政策文件"), gettext_noop("通知公告"),
    # MaterialKind
    gettext_noop("学校《内部质量保证体系诊断与改进工作实施细则》"),
    gettext_noop("学校《内部质量保证体系自我诊断与改进工作报告》（附件3格式）"),
    gettext_noop("近 2 年学校《人才培养质量年度报告》"),
    gettext_noop("近 2 年学校《人才培养工作状态数据分析报告》"),
    gettext_noop("近 2 年学校及校内职能部门、院（系）的年度自我诊改报告"),
    gettext_noop("学校面向在校生及近 3 届毕业生开展的学生满意度调查分析报告"),
    gettext_noop("学校事业发展规划及其他子规划"),
    gettext_noop("学校所在地区的区域经济社会事业发展规划"),
)  # fmt: skip
