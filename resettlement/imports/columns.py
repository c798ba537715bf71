"""The columns of each register. Headers are the Chinese names staff use; they are a file format,
fixed whatever the interface language, and each accepts the other spellings seen in practice."""

import dataclasses

from resettlement.imports.headers import Column

YES_NO = ("是", "否")

HOUSEHOLD_COLUMNS = (
    Column(
        "agreement_no",
        "协议编号",
        required=True,
        aliases=("协议号", "安置协议编号", "补偿协议编号"),
        help="征收（腾退）补偿安置协议编号，同一项目内不得重复。",
        example="QLS-TLM1-0001",
        width=18,
        text=True,
    ),
    Column(
        "village",
        "村",
        required=True,
        aliases=("所属村", "村名", "村组", "村别"),
        help="本项目所涉村的名称或编码。",
        example="铁炉庙一村",
    ),
    Column(
        "head_name",
        "户主姓名",
        required=True,
        aliases=("户主", "被征收人", "姓名"),
        example="张建国",
    ),
    Column(
        "head_id_number",
        "户主身份证号",
        required=True,
        aliases=("户主身份证号码", "身份证号", "身份证号码"),
        help="18位居民身份证号（旧15位号码自动升级），校验位按GB 11643检查。请将本列设为文本格式。",
        width=22,
        text=True,
    ),
    Column(
        "phone",
        "联系电话",
        aliases=("电话", "电话号码", "联系电话号码", "手机", "手机号", "手机号码", "联系方式"),
        help="11位手机号，或带区号的固定电话（029-xxxxxxxx）。",
        width=16,
        text=True,
    ),
    Column(
        "recognised_persons",
        "安置人口",
        required=True,
        aliases=("认定安置人口", "认定人口", "安置人数"),
        help="协议认定的安置人口数（含户主）。",
        example="4",
        width=10,
    ),
    Column(
        "original_area",
        "被征收面积",
        required=True,
        aliases=("被征收房屋面积", "原房屋面积", "原面积", "拆迁面积"),
        help="被征收房屋建筑面积（㎡），正数，最多两位小数。",
        example="186.50",
        width=12,
    ),
    Column(
        "entitled_area",
        "应安置面积",
        aliases=("安置面积", "应安置建筑面积"),
        help="协议确定的应安置面积（㎡）。留空则按项目安置规则计算；货币补偿户留空。",
        example="200.00",
        width=12,
    ),
    Column(
        "compensation_mode",
        "补偿方式",
        aliases=("安置方式",),
        help="产权调换、货币补偿或混合；留空视为产权调换。",
        example="产权调换",
        choices=("产权调换", "货币补偿", "混合"),
        width=12,
    ),
    Column(
        "signed_on",
        "签约日期",
        aliases=("协议签订日期", "协议签订时间", "签约时间", "签订日期", "签订时间", "签协议日期"),
        help="如 2024-05-01；留空表示尚未签约。",
        example="2024-05-01",
        width=12,
    ),
    Column(
        "elderly",
        "老人户",
        aliases=("高龄老人", "高龄老人户", "老年户"),
        help="是/否，留空为否。",
        choices=YES_NO,
        width=8,
    ),
    Column(
        "disabled",
        "残疾户",
        aliases=("残疾人", "残疾人户"),
        help="是/否，留空为否。",
        choices=YES_NO,
        width=8,
    ),
    Column(
        "hardship",
        "困难户",
        aliases=("低保户", "特困户"),
        help="是/否，留空为否。",
        choices=YES_NO,
        width=8,
    ),
    Column("note", "备注", width=24),
)

# A sheet so named is taken for the members sheet: one whose header is not found is named in
# an error rather than ignored.
MEMBER_SHEET_WORDS = ("成员", "家庭人口", "家属")

MEMBER_COLUMNS = (
    Column(
        "agreement_no",
        "协议编号",
        required=True,
        aliases=("协议号",),
        help="所属住户的协议编号，须出现在住户表中。",
        width=18,
        text=True,
    ),
    Column("name", "姓名", required=True, aliases=("成员姓名", "家庭成员姓名"), example="张小明"),
    Column(
        "relation",
        "与户主关系",
        required=True,
        aliases=("关系", "与户主的关系", "家庭关系", "称谓"),
        help="配偶、子女、子女配偶、孙子女、父母、兄弟姐妹或其他。",
        choices=("配偶", "子女", "子女配偶", "孙子女", "父母", "兄弟姐妹", "其他"),
        width=12,
    ),
    Column(
        "id_number",
        "身份证号",
        aliases=("身份证号码", "成员身份证号", "公民身份号码"),
        help="18位居民身份证号；尚未办理的可留空。",
        width=22,
        text=True,
    ),
    Column(
        "recognised",
        "是否认定安置人口",
        aliases=("认定安置人口", "是否认定"),
        help="是/否，留空为是。户主加上认定的成员数应等于住户表的安置人口。",
        choices=YES_NO,
        width=12,
    ),
)

FLAT_COLUMNS = (
    Column(
        "building",
        "楼栋",
        required=True,
        aliases=("楼号", "楼栋号", "安置楼"),
        help="已登记的安置楼编号，如 3# 或 3号楼。",
        example="3#",
        width=10,
    ),
    Column("stairwell", "单元", required=True, aliases=("单元号",), example="2", width=8),
    Column("floor", "楼层", required=True, aliases=("层",), example="15", width=8),
    Column(
        "room",
        "房号",
        required=True,
        aliases=("室号", "房间号"),
        help="楼层加两位序号，如 1502；也可只填序号 2。",
        example="1502",
        width=10,
        text=True,
    ),
    Column("layout", "户型", required=True, aliases=("户型名称",), example="A", width=10),
    Column(
        "gross_area",
        "建筑面积",
        required=True,
        aliases=("预测面积", "预测建筑面积", "面积"),
        help="预测建筑面积（㎡），正数，最多两位小数。",
        example="89.56",
        width=12,
    ),
    Column(
        "surveyed_area",
        "实测面积",
        aliases=("实测建筑面积",),
        help="实测建筑面积（㎡），测绘后填写。",
        width=12,
    ),
    Column("note", "备注", width=24),
)

# The relation that marks the head's own row in a one-sheet family register.
HEAD_RELATIONS = frozenset({"户主", "本人", "户主本人", "户主(本人)", "户主（本人）"})

# The one-sheet family register: a row per person, the head's row first (与户主关系 户主), the
# household's columns (协议编号, 村, areas…) on the head's row or merged down the family's rows.
# 姓名 and 身份证号 are then each person's; 户主姓名 and 户主身份证号 are taken from the head's row.
_PERSON_KEYS = ("name", "relation", "id_number", "recognised")
FAMILY_COLUMNS = (
    *(
        dataclasses.replace(
            column,
            required=column.required
            and column.key not in ("head_name", "head_id_number", "recognised_persons"),
            aliases=tuple(
                alias for alias in column.aliases if alias not in ("姓名", "身份证号", "身份证号码")
            ),
        )
        for column in HOUSEHOLD_COLUMNS
    ),
    *(
        dataclasses.replace(
            column, aliases=tuple(alias for alias in column.aliases if alias != "认定安置人口")
        )
        for column in MEMBER_COLUMNS
        if column.key in _PERSON_KEYS
    ),
)
