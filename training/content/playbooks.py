"""The shipped playbooks (岗位手册), one per role, in English and 简体中文.

Written from the admission guide (../shared/reference/new-customer-admission-guide.zh.txt) and from
how Vetted works. Loaded by the data migration and ``load_training`` (idempotent: an edited
playbook is never overwritten).
"""

COMMON_EN = """
## The pipeline in one look

Draft → document review → background check → committee review → approved or rejected.
Each stage can return the application to its sales owner for information; the sales owner resubmits.
Every move is recorded in the history with who, when and why.

**Segregation of duties.** Nobody acts on an application they created, and nobody who reviewed
its documents or investigated it votes on it. Vetted judges this from the record, not from who
clicked last.
"""

COMMON_ZH = """
## 流程概览

草稿 → 资料审核 → 背景调查 → 审批会议 → 准入或拒绝。
每个环节都可以把申请退回客户经理补充资料，客户经理补充后重新提交。
每一次流转都会记录在历史中：谁、何时、为什么。

**职责分离。** 任何人不得处理自己创建的申请；审核过资料或做过背景调查的人不得参与该申请的审批投票。
系统依据记录判断，而不是只看最后是谁点击的按钮。
"""

PLAYBOOKS = {
    "sales": (
        "Sales playbook: applying for a new customer",
        "客户经理手册：为新客户提交准入申请",
        """# Sales playbook

Admission is not one department's work: you start it, and what you send decides how fast and how
well the others can do theirs.

## Your steps
1. **Create the application** with the unified form: basic data, contacts and the financial statements.
2. **Upload the documents** of the checklist (business licence, financial statements, and what the
   checklist asks for). Files are checked: only the accepted types, no empty or oversized files.
3. **Submit.** The application goes to document review; you can no longer edit it.
4. **Answer a return.** When a reviewer, an investigator or the committee returns the application,
   read the reason, complete what is missing and **resubmit**.
5. **Withdraw** when the customer no longer wants to apply.

## What the score means
The scorecard turns financial status, business background and credit record into points and a
tier A–D. You cannot change it; good, complete statements are what helps.
""" + COMMON_EN,
        """# 客户经理手册

客户准入不是某一个部门的工作：由你发起，你提交的资料决定了其他部门能多快、多好地完成工作。

## 你的步骤
1. **创建申请**：在统一的申请表中填写基本信息、联系人和财务报表。
2. **上传资料**：按清单上传营业执照、财务报表等材料。系统会检查文件：只接受规定的类型，不接受空文件或过大的文件。
3. **提交**：申请进入资料审核，之后不能再修改。
4. **处理退回**：资料审核、背景调查或审批会议退回申请时，请阅读退回原因，补充缺少的内容后**重新提交**。
5. **撤回**：客户不再申请时撤回申请。

## 评分的含义
评分卡把财务状况、业务背景和信用记录换算成分数和 A–D 等级。你不能修改评分；完整、真实的报表才是最好的帮助。
""" + COMMON_ZH,
    ),
    "document_reviewer": (
        "Document reviewer playbook: checking the documents",
        "资料审核手册：审核申请资料",
        """# Document reviewer playbook

Document review is the first check of the admission process (guide, 3.2): the basic data, the
financial status and the business background as the documents show them.

## Your steps
1. Open the application from the **work queue**; the oldest waiting and overdue come first.
2. Check **each document against the checklist**: is it the right document, readable, current, for this customer?
3. **Accept** it, or **reject** it with a reason the sales owner can act on. A rejected document is replaced by a new upload.
4. When **all required documents are accepted**, **pass to background check**.
5. Otherwise **return for information** (with the questions) or **reject** the application (with the reason).

## Points to watch
- The name on the licence matches the applicant; the statements are for the declared year.
- You may not review an application you created. After you have reviewed its documents you will not vote on it.
""" + COMMON_EN,
        """# 资料审核手册

资料审核是准入流程中的第一道检查（指南 3.2）：依据资料核对客户的基本信息、财务状况和业务背景。

## 你的步骤
1. 从**工作队列**打开申请；等待最久和已超期的排在前面。
2. **按清单逐份核对资料**：资料是否正确、清晰、在有效期内、属于该客户？
3. **通过**该资料，或填写客户经理能据以改正的原因后**驳回**。被驳回的资料由新上传的文件替换。
4. **所有必需资料均已通过**后，**转入背景调查**。
5. 否则**退回补充资料**（写明问题）或**拒绝**申请（写明原因）。

## 注意事项
- 营业执照上的名称与申请人一致；财务报表属于申报的年度。
- 你不能审核自己创建的申请。审核过资料后，你不能参与该申请的审批投票。
""" + COMMON_ZH,
    ),
    "investigator": (
        "Investigator playbook: background check",
        "背景调查手册：详细背景调查",
        """# Investigator playbook

After the first screening the company needs a detailed background check (guide, section 2) to
learn the customer's real situation and avoid hidden risks.

## Your records
- **Interview** (客户访谈): business model, management team, core strengths, plans.
- **Site visit** (实地考察) with photos (JPEG or PNG): production and operations, office, staff; does
  what you see confirm what the customer declared?
- **Third-party report** (第三方调查): provider, date, conclusion, with the report file.

Which records are required depends on the tier and the size of the request (the investigation policy).

## Scoring and watchlists
- Read the **score**: points per criterion, total, tier, knock-outs fired. Ask for a new evaluation when the data changed.
- **Disposition every watchlist hit**: false positive or true match, always with a reason. A true match is a knock-out.

## Passing to the committee
You can pass when the scorecard was evaluated on the current data, every hit is dispositioned and
the required records exist. Otherwise return for information or reject with the reason.
""" + COMMON_EN,
        """# 背景调查手册

初步筛选之后，还需要进行详细的背景调查（指南第二部分），了解客户的实际情况，避免潜在风险。

## 你的记录
- **客户访谈**：业务模式、管理团队、核心竞争力和未来规划。
- **实地考察**（附 JPEG 或 PNG 照片）：生产经营状况、办公环境、员工素质；看到的情况是否证实客户提供的信息？
- **第三方调查**：机构、日期、结论，并附报告文件。

需要哪些记录取决于等级和申请规模（背景调查规则）。

## 评分与名单筛查
- 阅读**评分**：每项指标的得分、总分、等级和触发的否决规则。数据变化后请重新评估。
- **逐条处理名单命中**：误报或确认命中，都必须写明原因。确认命中即触发否决。

## 提交审批会议
评分基于最新数据、所有命中均已处理、所需记录齐全时，才能提交审批会议。否则写明原因退回补充资料或拒绝。
""" + COMMON_ZH,
    ),
    "risk_manager": (
        "Risk manager playbook: rules, monitoring and alerts",
        "风险经理手册：规则、监控与预警",
        """# Risk manager playbook

You keep the rules and watch the admitted customers (guide, sections 1, 5 and 7).

## The scorecard
- Versioned: edit a **draft**, another risk manager **publishes** it (maker-checker). A published version is never edited.
- Criteria in three groups (financial status, business background, credit record), each with bands and a weight;
  **knock-out rules** override the score; thresholds map the score to tiers A–D.
- Publishing sends a **briefing** to investigators, approvers and risk managers with every change, old → new.

## Committee policies
Per tier: which departments vote, the rule (unanimous or majority) and which departments can veto.

## Monitoring
Set the **cadence** per tier and the **indicators' thresholds**. Work the **alerts**: acknowledge, then
resolve with a note or escalate (a re-review opens). Order a **re-review** when a customer needs one.

## Training and communication
Keep the playbooks current, read the weekly work report and the training overview, and check who
has read each briefing.
""" + COMMON_EN,
        """# 风险经理手册

你负责维护规则并持续监控已准入的客户（指南第一、五、七部分）。

## 评分卡
- 分版本管理：编辑**草稿**，由另一位风险经理**发布**（双人复核）。已发布的版本不能再修改。
- 指标分为三组（财务状况、业务背景、信用记录），每项有分档和权重；**否决规则**优先于分数；阈值把分数映射为 A–D 等级。
- 发布后，系统向背景调查、审批人员和风险经理发送**变更通知**，列出每一项变化（原值 → 新值）。

## 审批规则
按等级设定：哪些部门投票、规则（一致同意或多数通过）以及哪些部门拥有否决权。

## 持续监控
按等级设定**复评周期**和**预警指标阈值**。处理**预警**：先确认，再填写说明后解决或升级（开启复审）。客户需要时**发起复审**。

## 培训与沟通
保持岗位手册最新，阅读每周工作报告和培训概览，检查每条变更通知的阅读情况。
""" + COMMON_ZH,
    ),
}

_APPROVER_EN = """# {dept_en} approver playbook

The internal approval meeting (guide, 3.3) brings finance, legal and business together so that the
decision is sound and complete. You vote for the **{dept_en}** department.

## Before you vote
Read the application, the documents, the investigation records, the **score and tier** and why, and
the dispositioned watchlist hits. {focus_en}

## Your vote
One vote per department per round: **approve**, **approve with conditions** (terms not above the
request, conditions with due dates), **reject**, or **request information**. A reason is required for
all but a plain approval. **Votes are final.**

## How the round is decided
The tier's policy says which departments vote, the rule (unanimous or majority) and which can veto.
An approval is not settled while a department with a veto has not voted. The decision is applied
once, as soon as the rule settles it; the minutes of the round record every vote and reason.
"""

_APPROVER_ZH = """# {dept_zh}审批手册

内部审批会议（指南 3.3）由财务、法务、业务等部门共同参与，确保决策科学、全面。你代表**{dept_zh}**部门投票。

## 投票之前
阅读申请、资料、背景调查记录、**评分和等级**及其原因，以及已处理的名单命中。{focus_zh}

## 你的投票
每轮每个部门一票：**同意**、**附条件同意**（条款不得高于申请，条件须有到期日）、**拒绝**或**要求补充资料**。
除直接同意外都必须填写原因。**投票一经提交不可更改。**

## 如何形成决定
该等级的审批规则规定哪些部门投票、规则（一致同意或多数通过）以及哪些部门拥有否决权。
拥有否决权的部门尚未投票时，同意不会生效。规则一旦形成决定即执行且只执行一次；会议纪要记录每一票及其原因。
"""

for role, dept_en, dept_zh, focus_en, focus_zh in (
    ("approver_finance", "Finance", "财务",
     "Finance looks at the ability to pay: debt and current ratios, cash flow, the credit limit and payment terms asked for.",
     "财务重点关注支付能力：资产负债率、流动比率、现金流，以及申请的信用额度和账期。"),
    ("approver_legal", "Legal", "法务",
     "Legal looks at litigation, tax standing, licences and any watchlist exposure.",
     "法务重点关注诉讼、纳税情况、证照以及名单筛查风险。"),
    ("approver_business", "Business", "业务",
     "Business looks at market position, industry risk, customer concentration and the value of the relationship.",
     "业务重点关注市场地位、行业风险、客户集中度以及合作价值。"),
):
    PLAYBOOKS[role] = (
        f"{dept_en} approver playbook: the committee vote",
        f"{dept_zh}审批手册：审批会议投票",
        _APPROVER_EN.format(dept_en=dept_en, focus_en=focus_en) + COMMON_EN,
        _APPROVER_ZH.format(dept_zh=dept_zh, focus_zh=focus_zh) + COMMON_ZH,
    )
