"""Sample reports in the 附件3 shape, for benchmarks, tests and the Excel round trip.

``full_length_report`` fills every text to exactly its R5 limit with varied, plausible
Chinese (no one repeated character), so layout and font subsetting see a realistic load.
"""

from __future__ import annotations

from datetime import date
from itertools import cycle, islice

from review.exporters.data import ComparisonRow, ElementRow, ReportData, VerdictReportData
from review.services.deadlines import rectification_due
from review.services.limits import (
    EFFECTS_LIMIT,
    MEASURES_LIMIT,
    OPINION_LIMIT,
    OVERVIEW_LIMIT,
)
from review.services.verdict import (
    MeasuresRating,
    decide_verdict,
    explain_verdict,
    improvement_period_end,
    needs_improvement_period,
)

# 附件1 / 附件3: (project code, project name, ((element code, element name), …)).
ANNEX3_ELEMENTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "1",
        "体系总体构架",
        (
            ("1.1", "质量保证理念"),
            ("1.2", "组织构架"),
            ("1.3", "制度构架"),
            ("1.4", "信息系统"),
        ),
    ),
    (
        "2",
        "专业质量保证",
        (("2.1", "专业建设规划"), ("2.2", "专业诊改"), ("2.3", "课程质量保证")),
    ),
    ("3", "师资质量保证", (("3.1", "师资队伍建设规划"), ("3.2", "师资建设诊改工作"))),
    ("4", "学生全面发展保证", (("4.1", "育人体系"), ("4.2", "成长环境"))),
    (
        "5",
        "体系运行效果",
        (
            ("5.1", "外部环境改进"),
            ("5.2", "质量事故管控"),
            ("5.3", "质量保证效果"),
            ("5.4", "体系特色"),
        ),
    ),
)

_OVERVIEW = (
    "学校以立德树人为根本任务，按照省教育厅关于诊断与改进工作的部署，成立了由校长任组长的诊改工作领导小组。",
    "二〇二五年以来，学校围绕“五纵五横一平台”建设，完成了学校、专业、课程、教师、学生五个层面的目标链与标准链梳理。",
    "全校共修订制度四十六项，发布专业标准十八个、课程标准三百二十门，建立了年度质量报告与常态化自我诊断机制。",
    "信息平台已接入教务、学工、人事、资产等九个业务系统，实现数据实时采集与预警，为各层面诊改提供了依据。",
    "对照复核指标，学校逐项开展自查，召开专题会议十二次，组织师生座谈二十余场，收集意见建议三百余条。",
    "自我诊断发现，部分二级学院对诊改理念理解不深，质量改进螺旋在课程层面运行不够顺畅，数据应用仍以统计为主。",
    "针对上述问题，学校制定了整改清单，明确责任部门和完成时限，并将诊改成效纳入年度绩效考核。",
    "经过一轮完整的诊改周期，专业人才培养方案执行率、课程目标达成率和学生满意度均有不同程度提高。",
    "同时也要看到，质量文化建设仍需久久为功，个别教师参与的主动性不强，校企协同诊改的深度有待拓展。",
    "下一步，学校将持续完善内部质量保证体系，推动质量文化入脑入心，切实提升人才培养质量和社会服务能力。",
)

_OPINION = (
    "学校将质量保证理念写入章程和十四五发展规划，目标达成度总体良好。",
    "近三年，专业群建设成效明显，获批省级高水平专业群两个，省级精品在线开放课程九门。",
    "教师对诊改工作的认同度由二〇二三年的百分之六十八提升到百分之八十七，全员参与的格局初步形成。",
    "存在的主要问题是：部分部门仍把诊改当作一项阶段性任务，目标设定偏重数量、轻视质量。",
    "二级学院之间进展不平衡，个别专业的年度诊改报告内容雷同，问题分析流于表面。",
    "原因分析：一是培训覆盖面不够，基层管理者对标准链与目标链的关系把握不准；",
    "二是考核激励机制尚不健全，诊改结果与资源配置、评优评先的挂钩不够紧密；",
    "三是信息平台的数据口径尚未完全统一，部分指标依靠人工填报，及时性和准确性有待提高。",
    "学校已建立校院两级质量监控机构，配备专职人员十一名，质量年报按时公开发布。",
    "麦可思第三方调查显示，毕业生就业率连续三年保持在百分之九十六以上，用人单位满意度较高。",
    "但课程层面的诊改仍以期末总结为主，过程性监测点设置偏少，预警后的跟踪改进记录不完整。",
    "学生成长档案虽已建立，但个性化成长目标与专业人才培养方案之间的衔接还不够紧密。",
    "对外合作方面，校企共建实训基地二十七个，企业兼职教师承担专业课课时比例达到百分之二十九。",
    "质量事故报告与处理程序已经明确，但应急演练频次不足，个别事件的原因追溯不够深入。",
    "学校特色在于依托海洋产业办学，形成了“港校协同、工学交替”的人才培养模式。",
    "总体来看，体系框架已经搭建完成，运行机制正在由“建起来”向“转起来”“用起来”过渡。",
)

_MEASURES = (
    "制定诊改工作三年行动计划，把目标任务分解到部门和个人，按季度跟踪落实。",
    "开展分层分类培训，年内实现中层干部和专业带头人培训全覆盖。",
    "修订绩效考核办法，将诊改成效与经费分配、职称评聘直接挂钩。",
    "统一数据标准，完成二十项核心指标的自动采集，减少人工填报。",
    "在课程层面增设过程监测点，建立预警、反馈、改进、复查的闭环机制。",
    "每学期召开一次专题质量分析会，对照标准查找差距并公开整改结果。",
    "深化校企合作，引入行业标准修订课程内容，聘请企业专家参与质量评价。",
    "完善学生成长档案，为每名学生制定个性化成长计划并定期反馈。",
)

_EFFECTS = (
    "截至二〇二六年三月，已完成十二个部门的目标分解，任务按期完成率达到百分之九十二。",
    "中层干部培训覆盖率达到百分之百，各二级学院诊改报告质量明显提高。",
    "新的考核办法已于上一学年实施，教师主动参与课程诊改的比例提高了二十一个百分点。",
    "数据平台新增自动采集指标十八项，月度质量监测报告实现自动生成。",
    "课程预警后整改完成率由百分之六十一提升至百分之八十九，学生评教满意度同步上升。",
    "校企共同修订课程标准四十三门，毕业生岗位适应期平均缩短约两个月。",
    "学生个性化成长计划已覆盖全部一年级新生，辅导员反馈及时率显著提高。",
    "部分措施仍在实施之中，其成效将在下一个诊改周期内加以检验并如实报告。",
)

_PUNCTUATION = "，、；：。“”"


def _fill(lead: str, pool: tuple[str, ...], start: int, limit: int) -> str:
    """``lead`` then sentences from ``pool`` (from ``start``), exactly ``limit`` characters."""
    text = lead
    # Bounded: a few rounds of the pool always fill a text; a bad pool fails loudly.
    for sentence in islice(cycle(pool), start % len(pool), start % len(pool) + 20 * len(pool)):
        room = limit - len(text)
        if len(sentence) < room - 1 or len(sentence) == room:
            text += sentence
            if len(text) == limit:
                return text
            continue
        # The last sentence does not fit: cut it short, but never end on a comma.
        clipped = sentence[: room - 1]
        if len(sentence) > room and clipped[-1] not in _PUNCTUATION:
            return text + clipped + "。"
    raise ValueError(f"cannot fill {limit} characters from this pool")


def full_length_report(school_name: str = "厦门海洋职业技术学院", year: int = 2026) -> ReportData:
    """A submitted report with all 15 elements and every text at its R5 limit."""
    rows: list[ElementRow] = []
    index = 0
    for project_code, project_name, elements in ANNEX3_ELEMENTS:
        for element_code, element_name in elements:
            rows.append(
                ElementRow(
                    project_code=project_code,
                    project_name=project_name,
                    element_code=element_code,
                    element_name=element_name,
                    opinion=_fill(f"关于“{element_name}”，", _OPINION, index * 3, OPINION_LIMIT),
                    measures=_fill(f"针对{element_name}的问题：", _MEASURES, index, MEASURES_LIMIT),
                    effects=_fill(f"{element_name}改进成效：", _EFFECTS, index + 2, EFFECTS_LIMIT),
                )
            )
            index += 1
    return ReportData(
        school_name=school_name,
        year=year,
        overview=_fill(f"{school_name}{year}年自我诊改工作概述。", _OVERVIEW, 0, OVERVIEW_LIMIT),
        rows=rows,
        principal_name="林海涛",
        signed_on=date(year, 5, 20),
        status_label="已提交",
    )


# A published verdict: two elements the panel found inconsistent, and the panel's reasons.
_INCONSISTENT_REASONS = {
    "1.2": (
        "学校自评校院两级质量保证机构运行顺畅、职责清晰，但复核发现五个二级学院中有三个未配备"
        "专职质量管理人员，院级诊改工作小组全年仅召开会议一次，质量管理办公室与教务处职责交叉，"
        "自我诊断意见对上述问题未作反映，判断与实际情况存在明显差距。"
    ),
    "3.2": (
        "学校自评教师个人发展诊改已全面实施，但专家组抽查的四十份教师个人发展规划中有十七份"
        "未设定年度目标，也没有过程监测与改进记录；教师发展中心的年度诊改报告以活动罗列为主，"
        "问题分析流于表面，自我诊断意见高估了该要素的实际运行状况。"
    ),
}
_CONSISTENT_EVIDENCE = (
    "专家组查阅了相关制度文件、会议纪要和质量年报，",
    "专家组抽查了平台监测数据和二级学院诊改报告，",
    "专家组走访了职能部门和二级学院，并与教师、学生代表座谈，",
    "专家组核对了近两年人才培养工作状态数据和满意度调查报告，",
)
_CONSISTENT_FINDINGS = (
    "学校对目标达成程度和主要成绩的判断有据可查，所列问题与复核所见一致，原因分析具体。",
    "学校自我诊断意见反映了该要素的实际运行状况，存在问题把握准确，改进方向明确。",
    "复核所见与学校自评基本一致，问题与原因分析约占一半篇幅，符合自我诊断要求。",
)
_MEASURES_REASON = (
    "学校针对自我诊断发现的问题制定了整改清单，多数措施明确了责任部门和完成时限；"
    "但部分措施与问题对应不够紧密，课程和教师层面的措施可操作性不强，"
    "已显现的成效主要集中在信息平台建设方面，尚未达到“针对性强、切实可行、成效明显”的要求。"
)
_VERDICT_REPORT = (
    "根据《福建省高等职业院校内部质量保证体系诊断与改进工作实施方案（修订）》，专家组于"
    "二〇二六年五月二十日至二十二日对{school}内部质量保证体系诊断与改进工作进行了现场复核。"
    "专家组听取了学校自主诊改工作汇报，查阅了学校提交的八类材料，走访了九个职能部门和五个二级学院，"
    "召开师生座谈会六场，并对信息平台的运行情况进行了现场核查。",
    "总体评价：学校高度重视诊改工作，建立了校长负责的诊改工作领导机制，“五纵五横一平台”框架已基本搭建，"
    "目标链与标准链梳理较为系统，质量年报按时公开发布，诊改理念在管理层中得到较好认同。",
    "主要成绩：一是制度体系较为完备，修订制度四十六项，形成了专业、课程两级标准；"
    "二是信息平台接入九个业务系统，实现了数据实时采集与预警；"
    "三是依托海洋产业办学，“港校协同、工学交替”的人才培养模式特色鲜明，毕业生就业质量较高。",
    "主要问题：一是二级学院质量保证组织建设不平衡，院级诊改运行不够规范；"
    "二是教师层面诊改尚停留在规划填报，过程监测与改进记录缺失；"
    "三是课程层面诊改以期末总结为主，质量改进螺旋尚未真正运转；"
    "四是部分改进措施针对性不强，与自我诊断发现的问题对应不够紧密。",
    "改进建议：学校应以本次复核为契机，健全二级学院质量保证机构并配齐专职人员，"
    "把教师个人发展诊改纳入常态化监测，完善课程层面的预警与跟踪改进机制，"
    "并对照本报告逐项制定整改方案，明确责任、时限和验收标准，按期完成整改任务。",
)
_PANEL = (
    "陈建华（组长）",
    "林志远",
    "黄丽娟",
    "郑国强",
    "吴晓东",
    "刘雅琴",
    "张海峰",
)


def verdict_report_sample(*, r15: bool = False) -> VerdictReportData:
    """A published verdict: 待改进 with 13 of 15 matched (1.2 and 3.2 not), or an R15 异常."""
    # Imported here: the verdict rule lives with Django's models (TextChoices).
    published_on = date(2026, 6, 10)
    if r15:
        verdict = decide_verdict(0, MeasuresRating.WEAK, diagnosed_on_time=False)
        return VerdictReportData(
            school_name="福建船政交通职业学院",
            cycle_name="2026—2028 年诊改周期",
            recheck_start=None,
            recheck_end=None,
            verdict_label=verdict.label,
            matched=None,
            measures_label="",
            measures_reason="",
            explanation=explain_verdict(0, MeasuresRating.WEAK, diagnosed_on_time=False),
            rows=[],
            report="",
            panel=[],
            published_on=published_on,
            rectification_due=None,
            improvement_period_end=improvement_period_end(published_on),
        )

    school = full_length_report()
    rows = [
        ComparisonRow(
            project_code=row.project_code,
            project_name=row.project_name,
            element_code=row.element_code,
            element_name=row.element_name,
            school_opinion=row.opinion,
            consistent=row.element_code not in _INCONSISTENT_REASONS,
            reason=_INCONSISTENT_REASONS.get(
                row.element_code,
                _CONSISTENT_EVIDENCE[index % len(_CONSISTENT_EVIDENCE)]
                + _CONSISTENT_FINDINGS[index % len(_CONSISTENT_FINDINGS)],
            ),
        )
        for index, row in enumerate(school.rows)
    ]
    matched = sum(row.consistent for row in rows)
    measures = MeasuresRating.ADEQUATE
    verdict = decide_verdict(matched, measures)
    recheck_end = date(2026, 5, 22)
    return VerdictReportData(
        school_name=school.school_name,
        cycle_name="2026—2028 年诊改周期",
        recheck_start=date(2026, 5, 20),
        recheck_end=recheck_end,
        verdict_label=verdict.label,
        matched=matched,
        measures_label=measures.label,
        measures_reason=_MEASURES_REASON,
        explanation=explain_verdict(matched, measures),
        rows=rows,
        report="\n".join(_VERDICT_REPORT).format(school=school.school_name),
        panel=list(_PANEL),
        published_on=published_on,
        rectification_due=rectification_due(recheck_end),
        improvement_period_end=(
            improvement_period_end(published_on) if needs_improvement_period(verdict) else None
        ),
    )
