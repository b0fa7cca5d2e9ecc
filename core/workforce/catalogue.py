"""The role catalogue: six templates with workflows written to produce work a customer would pay for."""

from __future__ import annotations

from core.workforce import schemas as sc
from core.workforce.template import RoleTemplate, Step

_HOUSE_MODEL = "gpt-4o-mini"

_SELF_CHECK = Step(
    "self-check",
    "Review the previous step's deliverable as a demanding editor would. Check every claim against the research "
    "notes, flag anything vague, unsupported or off-brief, and say whether it is ready to send. Score 1 (unusable) "
    "to 5 (send as is). List concrete fixes, not general advice.",
    "json", sc.SelfCheck,
    {"ready": True, "score": 4, "issues": ["the second section repeats the first"],
     "fixes": ["merge sections 1 and 2"]},
)

RESEARCH_ANALYST = RoleTemplate(
    role="research-analyst", title="Research analyst",
    description="Plans a question, researches it, writes a decision-ready report and checks her own work.",
    steps=(
        Step("plan",
             "Turn the task into a research plan: one sentence objective, 3-6 questions whose answers would settle "
             "it, the kinds of sources you would use for each (public filings, pricing pages, reviews, industry "
             "reports), and what is deliberately out of scope.",
             "json", sc.ResearchPlan,
             {"objective": "Size the market", "questions": ["Who are the top vendors?", "What do they charge?"],
              "sources": ["vendor pricing pages"], "out_of_scope": ["hardware"]}),
        Step("research",
             "Answer each question of the plan with concrete findings: named companies, figures with their units and "
             "year, and where each comes from. Mark anything you are unsure of as an assumption. Bullet points, "
             "grouped by question; no conclusions yet."),
        Step("synthesize",
             "Write the report for the customer: a three-sentence executive summary, the findings organised by what "
             "matters to the customer's business, a short table or list where it helps comparison, and three "
             "recommended next steps. At most 600 words; plain Markdown."),
        _SELF_CHECK,
    ),
    human_minutes=240, default_tone="precise, neutral, evidence-first", default_model=_HOUSE_MODEL,
    review_by_default=True, permissions=("deliver",), revise_from="synthesize", deliverable="synthesize",
    starter_keywords=("research", "landscape", "market", "competitive"),
)

COPYWRITER = RoleTemplate(
    role="copywriter", title="Copywriter",
    description="Writes copy in the house tone from a brief, then tightens it.",
    steps=(
        Step("brief",
             "Write the brief for this piece: who reads it, the one message they must take away, 2-4 proof points "
             "drawn from what we know about the customer, the call to action, and a target length in words.",
             "json", sc.Brief,
             {"audience": "operations leads at mid-size retailers", "key_message": "Robots pay back in a year",
              "proof_points": ["30% fewer picking errors"], "call_to_action": "Book a demo", "length_words": 250}),
        Step("draft",
             "Write the piece to the brief in the worker's tone. Open with the reader's problem, not the company. "
             "Short sentences, concrete nouns, one idea per paragraph, the call to action at the end."),
        Step("polish",
             "Edit the draft: cut every word that does not earn its place, replace vague claims with the brief's "
             "proof points, keep within the target length, and return only the final copy."),
    ),
    human_minutes=90, default_tone="warm, confident, plain English", default_model=_HOUSE_MODEL,
    review_by_default=True, permissions=("deliver", "email"), revise_from="draft",
    starter_keywords=("summary", "copy", "draft", "write", "blog", "newsletter"),
)

SDR = RoleTemplate(
    role="sdr", title="Sales development rep",
    description="Finds who to contact and writes the first outreach emails.",
    steps=(
        Step("prospects",
             "From the task and the customer's notes, describe the ideal customer in one sentence and list up to 10 "
             "prospect companies with the role to contact and a specific reason to reach out now.",
             "json", sc.ProspectList,
             {"ideal_customer": "mid-size retailers with their own warehouses",
              "prospects": [{"company": "Example GmbH", "role": "Head of Operations", "reason": "opened a new DC"}]}),
        Step("outreach",
             "Write one first-touch email per prospect: a subject line under 7 words, 3-5 sentences that name the "
             "prospect's reason, one concrete benefit and a low-friction ask. No flattery, no attachments."),
        Step("sequence",
             "Add two follow-ups for each email (day 3 and day 8), each shorter than the last and adding one new "
             "piece of value. Return the full sequence per prospect as Markdown."),
    ),
    human_minutes=120, default_tone="direct, friendly, brief", default_model=_HOUSE_MODEL,
    review_by_default=True, permissions=("deliver", "email"), revise_from="outreach",
    starter_keywords=("outreach", "prospect", "leads", "sales"),
)

SUPPORT_TRIAGE = RoleTemplate(
    role="support-triage", title="Support triage",
    description="Classifies a support request and drafts the reply.",
    steps=(
        Step("classify",
             "Classify the request: category, urgency (critical only when customers cannot work), a one-line "
             "summary, whether a human must act, and any information missing to resolve it.",
             "json", sc.Triage,
             {"category": "how-to", "urgency": "low", "summary": "asks how to export invoices",
              "needs_human": False, "missing_information": []}),
        Step("reply",
             "Draft the reply to the customer: acknowledge the problem in their words, give the answer or the next "
             "step with a time frame, ask only for the missing information, and sign off. At most 150 words."),
    ),
    human_minutes=20, default_tone="calm, empathetic, exact", default_model=_HOUSE_MODEL,
    review_by_default=False, permissions=("deliver", "email"), revise_from="reply",
    starter_keywords=("support", "ticket", "complaint"),
)

BOOKKEEPER = RoleTemplate(
    role="bookkeeper", title="Bookkeeper",
    description="Categorises money lines and writes the month's summary.",
    steps=(
        Step("categorise",
             "Turn every money line in the task into a categorised line: description, amount in integer cents, "
             "category (revenue, software, payroll, fees, llm, other) and direction (in/out). List what you could "
             "not place instead of guessing.",
             "json", sc.Categorised,
             {"lines": [{"description": "Stripe payout", "amount_cents": 12000, "category": "revenue",
                         "direction": "in"}], "unclear": []}),
        Step("summarise",
             "Write the bookkeeping note: totals in and out by category, the net, anything unusual compared with a "
             "normal month, and the questions for the owner. Amounts as dollars with two decimals."),
        Step("reconcile",
             "Check the note against the categorised lines: every total must equal the sum of its lines. Return "
             "the corrected note, then a one-line statement that it reconciles (or what does not)."),
    ),
    human_minutes=60, default_tone="exact, sober", default_model=_HOUSE_MODEL,
    review_by_default=True, permissions=("deliver",), revise_from="summarise",
    starter_keywords=("invoice", "bookkeeping", "expenses", "ledger"),
)

QA_REVIEWER = RoleTemplate(
    role="qa-reviewer", title="QA reviewer",
    description="Inspects a deliverable against its brief and writes the verdict.",
    steps=(
        Step("inspect",
             "Inspect the deliverable described in the task: list what you checked (accuracy, completeness against "
             "the request, tone, formatting, links and figures), every defect worst first, and an overall severity.",
             "json", sc.Findings,
             {"checked": ["figures", "tone"], "defects": ["the pricing table has no currency"], "severity": "minor"}),
        Step("verdict",
             "Write the verdict for the author: pass or fail in the first line, then each defect with the exact fix. "
             "Be specific enough that someone else could apply the fixes without asking."),
    ),
    human_minutes=45, default_tone="blunt, constructive", default_model=_HOUSE_MODEL,
    review_by_default=False, permissions=("deliver",), revise_from="verdict",
    starter_keywords=("review", "qa", "audit", "check"),
)

ROLES: dict[str, RoleTemplate] = {t.role: t for t in (RESEARCH_ANALYST, COPYWRITER, SDR, SUPPORT_TRIAGE, BOOKKEEPER,
                                                      QA_REVIEWER)}
