"""The shipped courses (培训课程): one per role, built from its playbook, each with at least eight questions.

A question is ``(kind, text_en, text_zh, explanation_en, explanation_zh, [(choice_en, choice_zh, correct), ...])``.
"""

S, M = "single", "multiple"

PIPELINE = [
    (S, "Who may act on an application you created yourself?", "谁可以处理你自己创建的申请？",
     "Segregation of duties: nobody acts on an application they created.",
     "职责分离：任何人不得处理自己创建的申请。",
     [("Somebody else; never you", "其他人；你自己不可以", True), ("You, if nobody else is free", "没有其他人时可以是你", False),
      ("You, with the risk manager's consent", "经风险经理同意后可以是你", False)]),
    (S, "What does Vetted write for every change of an application's state?", "申请状态每次变化时，系统会记录什么？",
     "Every state change writes a history row: from, to, who, why and when.",
     "每一次状态变化都会写入历史记录：原状态、新状态、操作人、原因和时间。",
     [("A history row with who, when and why", "一条包含操作人、时间和原因的历史记录", True), ("Nothing", "不记录", False),
      ("Only an e-mail", "只发一封邮件", False)]),
    (S, "An application is returned for information. Who continues it?", "申请被退回补充资料后，由谁继续？",
     "A returned application goes back to its sales owner, who completes it and resubmits.",
     "被退回的申请回到客户经理手中，由其补充后重新提交。",
     [("Its sales owner, by resubmitting", "客户经理，补充后重新提交", True), ("The committee", "审批会议", False),
      ("It is closed for good", "申请永久关闭", False)]),
    (M, "Which of these are final states of an application? (choose all)", "以下哪些是申请的最终状态？（多选）",
     "Approved, rejected and withdrawn are final; returned is not.",
     "准入、拒绝和撤回是最终状态；退回不是。",
     [("Approved", "已准入", True), ("Rejected", "已拒绝", True), ("Withdrawn", "已撤回", True),
      ("Returned", "已退回", False)]),
]

COMMITTEE = [
    (S, "When is a reason required with a committee vote?", "审批投票什么时候必须填写原因？",
     "A reason is required for every decision except a plain approval.",
     "除直接同意外，所有投票都必须填写原因。",
     [("For every vote except a plain approval", "除直接同意外的所有投票", True), ("Never", "从不需要", False),
      ("Only for a rejection", "只有拒绝时", False)]),
    (S, "Can you change your vote after casting it?", "投票提交后可以修改吗？",
     "Votes are final once cast.", "投票一经提交不可更改。",
     [("No, votes are final", "不可以，投票不可更改", True), ("Yes, until the round closes", "可以，会议结束前都能改", False),
      ("Yes, with a reason", "可以，需填写原因", False)]),
    (S, "A department with a veto has not voted yet and the others approved. What happens (by default)?",
     "拥有否决权的部门尚未投票，其他部门都已同意。默认情况下会怎样？",
     "An approval is not settled while a department that can veto has not voted (unless the policy says its silence consents).",
     "拥有否决权的部门尚未投票时，同意不会生效（除非审批规则规定其沉默视为同意）。",
     [("The round waits for that department", "等待该部门投票", True), ("The application is approved", "申请立即准入", False),
      ("The application is rejected", "申请被拒绝", False)]),
    (M, "Which votes can a department cast? (choose all)", "部门可以投出哪些票？（多选）",
     "Approve, approve with conditions, reject, or request information.",
     "同意、附条件同意、拒绝或要求补充资料。",
     [("Approve", "同意", True), ("Approve with conditions", "附条件同意", True), ("Reject", "拒绝", True),
      ("Request information", "要求补充资料", True), ("Abstain", "弃权", False)]),
    (S, "You investigated an application. May you vote on it?", "你做过某申请的背景调查，可以参与其投票吗？",
     "Nobody who reviewed documents or investigated an application votes on it.",
     "审核过资料或做过背景调查的人不得参与该申请的投票。",
     [("No", "不可以", True), ("Yes", "可以", False), ("Only to approve", "只能投同意", False)]),
]

SPECIFIC = {
    "sales": [
        (S, "After you submit, can you still edit the application?", "提交后还能修改申请吗？",
         "A submitted application is in document review; you edit it again only if it is returned.",
         "已提交的申请进入资料审核；只有被退回后才能再次修改。",
         [("No, only after a return", "不能，只有被退回后才能", True), ("Yes, at any time", "可以，随时修改", False)]),
        (S, "Where does a submitted application go first?", "提交后的申请首先进入哪个环节？",
         "Submit moves the application from draft to document review.", "提交后申请由草稿进入资料审核。",
         [("Document review", "资料审核", True), ("Committee review", "审批会议", False),
          ("Background check", "背景调查", False)]),
        (M, "Which can you do as a sales owner? (choose all)", "作为客户经理，你可以做哪些操作？（多选）",
         "Sales create, edit their drafts, upload documents, submit, resubmit after a return and withdraw.",
         "客户经理可以创建、编辑草稿、上传资料、提交、退回后重新提交以及撤回。",
         [("Upload documents", "上传资料", True), ("Withdraw the application", "撤回申请", True),
          ("Accept a document", "通过资料审核", False), ("Vote in the committee", "参与审批投票", False)]),
        (S, "Which applications can you see?", "你能看到哪些申请？", "Sales see only their own applications.",
         "客户经理只能看到自己的申请。",
         [("Only my own", "只有自己的", True), ("All of them", "全部", False)]),
    ],
    "document_reviewer": [
        (S, "When can you pass an application to background check?", "什么时候可以转入背景调查？",
         "All required documents must be accepted first.", "必须先通过所有必需资料。",
         [("When all required documents are accepted", "所有必需资料都已通过时", True),
          ("As soon as one document is accepted", "通过一份资料后即可", False), ("At any time", "随时", False)]),
        (S, "You reject a document. What must you give?", "驳回一份资料时必须提供什么？",
         "A rejection needs a reason the sales owner can act on.", "驳回必须写明客户经理能据以改正的原因。",
         [("A reason", "原因", True), ("Nothing", "什么都不用", False)]),
        (M, "What do you check on each document? (choose all)", "每份资料需要核对什么？（多选）",
         "Right document, readable, current and for this customer.", "资料正确、清晰、在有效期内并属于该客户。",
         [("It is the right document", "是正确的资料", True), ("It is current", "在有效期内", True),
          ("It belongs to this customer", "属于该客户", True), ("Its file is large", "文件足够大", False)]),
        (S, "The statements are for a different year than declared. What do you do?", "财务报表与申报年度不符，你应怎么做？",
         "Reject the document with the reason, or return the application for information.",
         "写明原因驳回该资料，或退回申请补充资料。",
         [("Reject it with the reason or return for information", "写明原因驳回或退回补充资料", True),
          ("Accept it", "直接通过", False)]),
    ],
    "investigator": [
        (M, "Which records make up a background check? (choose all)", "背景调查包括哪些记录？（多选）",
         "Interview, site visit and third-party report; which are required depends on tier and size.",
         "客户访谈、实地考察和第三方调查；需要哪些取决于等级和申请规模。",
         [("Interview", "客户访谈", True), ("Site visit", "实地考察", True), ("Third-party report", "第三方调查", True),
          ("The sales owner's opinion", "客户经理的意见", False)]),
        (S, "A watchlist hit is a true match. What does it do to the score?", "名单命中被确认为真实匹配，对评分有什么影响？",
         "A true match is a knock-out: it overrides the score.", "确认命中即触发否决规则，优先于分数。",
         [("It is a knock-out", "触发否决", True), ("Nothing", "没有影响", False), ("It adds points", "加分", False)]),
        (S, "What must a hit's disposition always have?", "处理名单命中时必须提供什么？",
         "Every disposition (false positive or true match) needs a reason.", "每一次处理（误报或确认命中）都必须写明原因。",
         [("A reason", "原因", True), ("A photo", "照片", False)]),
        (M, "What must hold before you pass to the committee? (choose all)", "提交审批会议前必须满足哪些条件？（多选）",
         "The scorecard evaluated on current data and every watchlist hit dispositioned (and the required records).",
         "评分基于最新数据，所有名单命中均已处理（以及所需记录齐全）。",
         [("Scorecard evaluated on current data", "评分基于最新数据", True),
          ("Every hit dispositioned", "所有命中均已处理", True),
          ("The customer has paid", "客户已付款", False)]),
        (S, "Which photo types does a site visit accept?", "实地考察接受哪些照片格式？",
         "JPEG and PNG only.", "只接受 JPEG 和 PNG。",
         [("JPEG and PNG", "JPEG 和 PNG", True), ("Any file", "任何文件", False)]),
    ],
    "risk_manager": [
        (S, "Who publishes a scorecard draft?", "谁来发布评分卡草稿？",
         "Maker-checker: a risk manager other than its author.", "双人复核：作者以外的另一位风险经理。",
         [("Another risk manager than its author", "作者以外的另一位风险经理", True), ("Its author", "作者本人", False)]),
        (S, "Can a published scorecard version be edited?", "已发布的评分卡版本可以修改吗？",
         "Never: copy it to a new draft.", "不可以：复制为新草稿后修改。",
         [("No, copy it to a new draft", "不可以，复制为新草稿", True), ("Yes", "可以", False)]),
        (M, "What does a committee policy set per tier? (choose all)", "审批规则按等级设定哪些内容？（多选）",
         "Which departments vote, the rule and which departments can veto.", "哪些部门投票、规则以及哪些部门拥有否决权。",
         [("Departments that vote", "投票部门", True), ("Unanimous or majority", "一致同意或多数通过", True),
          ("Veto departments", "否决部门", True), ("The applicant's credit limit", "申请人的信用额度", False)]),
        (S, "An alert is escalated. What follows?", "预警被升级后会怎样？",
         "The customer goes under review and a re-review opens.", "客户进入复审状态并开启复审申请。",
         [("The customer is under review and a re-review opens", "客户进入复审并开启复审", True),
          ("The alert is deleted", "预警被删除", False)]),
        (S, "What overrides the total score?", "什么优先于总分？", "Knock-out rules override the score.", "否决规则优先于分数。",
         [("Knock-out rules", "否决规则", True), ("The sales owner's note", "客户经理的备注", False)]),
    ],
    "approver_finance": [
        (S, "Finance approves with conditions. What about the terms?", "财务附条件同意时，条款有什么要求？",
         "Terms may not be above the request, and each condition has a due date today or later.",
         "条款不得高于申请，每个条件都有今天或之后的到期日。",
         [("Not above the request, conditions with due dates", "不高于申请，条件有到期日", True),
          ("Anything the approver likes", "审批人随意设定", False)]),
    ],
    "approver_legal": [
        (S, "Legal sees a confirmed watchlist match. What does the score show?", "法务看到已确认的名单命中，评分会显示什么？",
         "A true match is a knock-out: tier D and the evaluation fails.", "确认命中触发否决：等级为 D，评估不通过。",
         [("A knock-out (tier D)", "否决（D 级）", True), ("Nothing special", "没有特别之处", False)]),
    ],
    "approver_business": [
        (M, "Which criteria belong to the business background group? (choose all)", "哪些指标属于业务背景组？（多选）",
         "Years in business, registered capital, industry risk, customer concentration, market position.",
         "经营年限、注册资本、行业风险、客户集中度、市场地位。",
         [("Market position", "市场地位", True), ("Customer concentration", "客户集中度", True),
          ("Bureau score", "征信评分", False)]),
    ],
}


def questions_for(role: str) -> list:
    if role.startswith("approver_"):
        return PIPELINE + COMMITTEE + SPECIFIC[role]
    return PIPELINE + SPECIFIC[role]


LESSONS_EN = [
    ("Read your playbook", "Your role's playbook says what you do, in which order and why. "
                           "Read it first: the quiz asks about it."),
    ("The admission guide", "Admission rests on strict screening criteria, a detailed background check, a clear process, "
                            "communication and training across departments, and continuous monitoring."),
]
LESSONS_ZH = [
    ("阅读岗位手册", "你所在岗位的手册说明了你要做什么、按什么顺序以及为什么。请先阅读：测验的问题来自手册。"),
    ("准入管理指南", "客户准入依靠严格的筛选标准、详细的背景调查、清晰的准入流程、部门间的沟通与培训以及持续监控与评估。"),
]
