"""The offline question matcher: hostile patterns first, then weighted keyword features per function."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from core.analytics import intent, names, phrases, spelling
from core.analytics.registry import WHITELIST, help_lines
from core.money.words import SYNONYMS

MIN_SCORE = 2.0


@dataclass(frozen=True)
class Choice:
    """What a question maps to: a whitelisted function and its params, or None with a help message."""

    function: str | None
    params: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    via: Literal["offline", "openai"] = "offline"
    scores: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


# SQL, prompt injection, and requests to act rather than to look: never mapped to a function.
_HOSTILE = [re.compile(p) for p in (
    r"\b(drop|truncate|alter|create|grant|revoke|rename)\s+(table|database|schema|role|user|index|view|function)\b",
    r"\bdelete\s+from\b|\binsert\s+into\b|\bupdate\s+\w+\s+set\b|\bselect\b.{0,200}\bfrom\b|\bunion\b.{0,20}\bselect\b",
    r";\s*(drop|delete|insert|update|select|truncate|alter|create|grant|copy|do|call|set|begin|commit)\b",
    r"--|/\*|\*/|\bpg_\w+|\binformation_schema\b|\bxp_cmdshell\b|\bexec(ute)?\s*\(|\bsleep\s*\(|\bcopy\s+\w+\s+(to|from)\b",
    r"'\s*or\s+'?\d+'?\s*=\s*'?\d+|\bor\s+1\s*=\s*1\b|\$\$|\\x[0-9a-f]{2}|<script",
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompts?|guidelines|"
    r"restrictions?|directions|above|previous|everything|constraints?|system|whitelist)\b",
    r"\byou are now\b|\bact as\b|\bpretend (to be|you)\b|\bsystem prompt\b|\bjailbreak\b|\bdeveloper mode\b|"
    r"\bnew instructions?\b|\bfrom now on\b|\broleplay\b|\breveal\b.{0,30}\b(prompt|instructions|secrets?|keys?)\b|"
    r"\b(api|secret) keys?\b|\bpasswords?\b|\bcredentials?\b|\benv(ironment)? var",
    r"^(please\s+)?(approve|reject|send|delete|remove|drop|cancel|create|add|insert|update|set|mark|execute|"
    r"restart|deploy|write|compose|translate|buy|sell|wire|modify|edit|erase|wipe|shut|kill|disable|enable|grant|"
    r"hack|collect|remind|chase|nudge|hire|fire|pause|assign)\b",
    # A verb that is also a noun acts only when no report word follows it: "invoice Acme", not "invoice aging".
    r"^(please\s+)?(refund|charge|email|mail|change|pay|book|order|transfer|invoice|bill)\b(?!\s+(aging|ageing|"
    r"age|ages|status|statuses|stats|statistics|history|totals?|counts?|breakdown|summary|overview|trends?|"
    r"volumes?|metrics|numbers|figures|rates?|report|failures?|failed|declines?|declined|errors?|disputes?|"
    r"opens|sent)\b)",
    r"\b(write|compose|draft|generate|make)\s+(me\s+)?(a|an|some)\s+(poem|song|story|essay|haiku|joke|limerick|"
    r"letter|email|tweet|post|sonnet|rap|script)\b|\btell me a joke\b|\bweather\b|\brecipe\b|\bhoroscope\b",
)]

_CUSTOMER = r"\b(customers?|clients?|accounts?|buyers?|payers?|patrons?|companies|customer base|client base)\b"
_MONEY = (r"\b(money|revenue|revenues|sales|income|earnings|earned|billed|billings?|invoiced|turnover|paid|pays?|"
          r"collected|collect|received|"
          r"paying|spent|spend|brought|bring|brings|generated|generate|worth|valuable|dollars|cash|top line|gross)\b")
_PER_CUSTOMER = r"\b(by|per|for each|each|across|among|between) (customer|client|account|buyer|company)\b"
_TREND = (r"\b(over time|trend(s|ing|line)?|by (day|week|month)|per (day|week|month)|daily|weekly|monthly|"
          r"(week|month|day) (by|over) (week|month|day)|history|time series|each (day|week|month)|growth|grow|"
          r"growing)\b")

# function -> [(regex, weight)]; a question's score for a function is the sum of the weights that match.
_FEATURES: dict[str, list[tuple[str, float]]] = {
    "revenue_by_customer": [
        (r"\b(revenue|revenues|sales|income|earnings|turnover|top line|billings|billed|invoiced|gross)\b", 2.0),
        (_CUSTOMER, 1.5),
        (r"\b(top|biggest|largest|best|most valuable|highest[- ]paying|key|whales?|largest|richest|major)\s+"
         r"(\d+\s+|\w+\s+)?(customers?|clients?|accounts?|buyers?|payers?)\b", 3.0),
        (r"\b(paid us|pays? us|paying us|brought in|bring in|brings in|made us|spent (the )?most|spend (the )?most|"
         r"spends (the )?most|worth the most|most money|generated the most|generate the most|most revenue)\b", 2.5),
        (_PER_CUSTOMER, 2.0),
        (r"\bwho\b.{0,30}\b(pays?|paid|spends?|spent|brings?|brought)\b.{0,20}\bus\b", 2.0),
        (r"\bmoney\b", 0.5),
        (r"\binvoices?\b", 0.5),
    ],
    "profit_over_time": [
        (r"\b(profits?|profitable|profitability|margins?|bottom line|net income|p ?& ?l|pnl|rewards?|"
         r"gross margin|unit economics|net earnings)\b", 3.5),
        (_TREND, 1.0),
        (r"\b(how much (money )?(did|do|have|are) we (make|made|making|earn|earning|earned)|make money|"
         r"making money|made money|in the (black|red)|break(ing)? even)\b", 2.5),
        (r"\b((making|make|made|earn|earning|earned|profit|margin)\b.{0,20}\bper (task|job)|after (llm |ai |model )?"
         r"costs|net of (llm |ai )?costs|minus (llm |ai )?costs)\b", 3.0),
        (r"\b(revenue|income|earnings|sales) (vs\.?|versus|and|minus|against|compared to) (costs?|expenses|spend)\b",
         3.0),
    ],
    "llm_cost_over_time": [
        (r"\b(llms?|openai|open ai|gpt[-\w.]*|tokens?|inference|chatgpt|language models?|anthropic|claude|"
         r"ai (spend|spending|costs?|bill|bills|usage|expenses?)|api (costs?|spend|spending|bill|usage)|"
         r"compute (costs?|spend)|model (costs?|spend|spending|usage|bill)|prompt tokens|completion tokens|"
         r"chat completions)\b", 3.5),
        (r"\b(ai|models?)\b", 1.5),
        (r"\b(costs?|spend|spending|spent|bill|usage|expenses?|burn|burning|paying)\b", 1.0),
        (_TREND, 0.5),
    ],
    "task_throughput": [
        (r"\b(tasks?|jobs?|work items?|throughput|velocity|backlog|turnaround|cycle time|productivity|"
         r"time to (done|complete|completion|finish)|completion (rate|time)s?)\b", 3.0),
        (r"\b(completed|finished|processed|done|delivered|created|closed|shipped|failed)\b", 1.0),
        (r"\bhow (long|fast|quickly) (does|do|did|is|are)\b.{0,30}\b(take|finish|complete|done|get)\b", 1.5),
        (_TREND, 0.5),
    ],
    "lead_funnel": [
        (r"\b(leads?(?! time)|funnel|pipeline|conversions?|convert(ed|ing|s)?|prospects?|qualified|outreach|"
         r"(reply|response|win|close|conversion) rates?|sign[- ]?ups?|contacted|responded|cold emails?|"
         r"top of (the )?funnel)\b", 3.5),
        (r"\b(became|become|becoming|turn(ed)? into|turning into|won|closed)\b.{0,20}\b(customers?|clients?)\b", 2.0),
    ],
    "runway_estimate": [
        (r"\brunway\b", 5.0),
        (r"\bhow much (cash|money) (do|did|have) we (have|got)\b|\bhow much (cash|money) is (left|in the bank)\b"
         r"|\b(cash|money) in the bank\b", 6.0),
        (r"\b(how long (do|will|can|would|could) we (have|last|go on|keep going|hold out)|"
         r"(cash|money|funds|bank account) (will |would )?(run|runs|running) (out|dry)|run out|runs out)\b", 4.5),
        (r"\bhow long\b.{0,40}\b(money|cash|funds|bank|savings|last|survive|afloat|keep going|runway)\b", 4.0),
        (r"\b(run(ning)? out of (money|cash|funds)|go(ing)? broke|out of (money|cash)|months? (of cash|left|of money)|"
         r"cash (left|remaining|on hand|balance|position)|bank balance|survive|zero cash|last us|money last|"
         r"cash last|stay afloat|solvent|insolvent|out of business|money left|funds left)\b", 4.0),
    ],
    "burn_rate": [
        (r"\b(burn|burns|burning|burned|burnt|burn rate|net burn|cash burn)\b", 4.0),
        (r"\b(cash ?flow|net (loss|spend|outflow|cash)|losing money|lose money|(money|cash) (in|coming in) (vs\.?|versus|"
         r"and|against|minus) (money |cash )?(out|going out)|in (vs\.?|versus|and|minus) out|outflows?|inflows?|"
         r"how fast (are we|we're|we are|do we) (spending|losing|spend)|spending rate|net (cash )?flow|"
         r"spend minus revenue)\b", 3.0),
        (r"\b(spend|spending|spent|expenses|costs|outgoings) (minus|less|net of|vs\.?|versus|against|compared to) "
         r"(income|revenue|earnings|sales)\b", 4.0),
    ],
    "spend_by_vendor": [
        (r"\b(vendors?|suppliers?|payees?|subscriptions?|saas|contractors?|service providers?|providers?|"
         r"merchants?|tools)\b", 4.0),
        (r"\b(expenses?|expenditures?|spend|spending|spent|costs?|outgoings?|bills|purchases?|overheads?|"
         r"costliest|priciest|most expensive)\b", 2.0),
        (r"\b(who (do|are|did|have) we (pay|paying|paid)|we pay|where (does|did|do) (our|the) money go|"
         r"where (is|are) (our|the) money going|money go(es|ing)?|paying (to|for)|biggest (costs?|expenses?)|"
         r"spend(ing)? by category|cost categories)\b", 3.0),
    ],
    "failed_payments": [
        (r"\b(failed (payments?|charges?|cards?|invoices?|transactions?|billing)|payments? (failed|failures?|"
         r"failing|fail|declined|errors?|bounced|problems?|issues?|rejected)|declined (cards?|payments?|charges?|"
         r"transactions?)|cards? (were |was |got |being )?(declined|failed|failing|rejected|bounced)|dunning|"
         r"bounced|chargebacks?|insufficient funds|card (errors?|failures?|issues?|problems?)|charges? (failed|"
         r"failing|declined|bounced)|unsuccessful (payments?|charges?)|didn'?t go through|couldn'?t (pay|be charged)|"
         r"missed payments?|rejected (cards?|payments?|charges?)|failed to pay|payment failure)\b", 5.0),
        (r"\b(declin(ed|es|ing)|fail(ed|ing|ures?|s)?)\b", 1.0),
        (r"\b(payments?|charges?|cards?|stripe|transactions?)\b", 1.0),
    ],
    "invoice_aging": [
        (r"\b(aging|ageing|overdue|past due|unpaid|receivables? by age|ar aging|outstanding invoices?|late (invoices?|payments?|payers?|bills)|open invoices?|not (been |yet )?paid|"
         r"haven'?t (been |yet )?paid|hasn'?t (been |yet )?paid|still (owed|unpaid|open|pending|due)|"
         r"pending invoices?|old invoices?|awaiting payment|uncollected|debtors?|days sales outstanding|dso|"
         r"yet to pay|not paid|unsettled|due invoices?)\b", 5.0),
        (r"\binvoices?\b", 1.5),
        (r"\b(age buckets?|by age|aging|ageing|how old|days old|older than)\b", 3.0),
        (r"\b(age|old|oldest|how long|late)\b", 0.5),
        (r"\b(invoices?|bills?)\b.{0,20}\b(older than|over \d+ days|more than \d+ days|\d+\+? days)\b", 3.0),
    ],
    "receivables": [
        (r"\b(who|which customers?|which clients?|what customers?|customers?|clients?)\b.{0,20}\b(owes?|owed|owing|"
         r"hasn'?t paid|haven'?t paid|has not paid|have not paid|still (owes?|needs? to pay))\b", 7.0),
        (r"\b(receivables?|accounts receivable|a/r|ar|debtors?|owed to us|owes us|owe us|owing us|money owed|"
         r"amounts? owed|outstanding|(are|is) (we )?owed|owed|owing)\b", 5.5),
    ],
    "profit_and_loss": [
        (r"\b(net profits?|net (income|earnings|margins?|loss(es)?)|profit (and|&|n) loss|p ?& ?l|pnl|income statement|"
         r"bottom line|after (all )?(costs|expenses|spend(ing)?|payroll|overheads?)|real profit|true profit|"
         r"collected (revenue|money|cash)?|money collected|cash collected)\b", 6.0),
    ],
    "roi_by_customer": [
        (r"\b(roi|return on investment|time saved|hours saved|saved (time|hours)|value (delivered|created|"
         r"per customer|by customer|from us)|most value|net value|worth (it|serving)|unit economics)\b", 7.0),
    ],
    "plan_usage": [
        (r"\b(plan usage|usage (this month|by customer|per customer|of (the|their) plans?)|(tasks?|plans?) "
         r"(caps?|limits?|allowance|quota)|over (the|their) (cap|limit|plan|quota)|held tasks?|quota|allowance|"
         r"(caps?|limits?) (used|left|reached|hit))\b", 7.0),
    ],
    "mrr": [
        (r"\b(mrr|arr|monthly recurring revenue|recurring revenue|subscription revenue|subscriptions? by plan|"
         r"paying subscri(bers|ptions))\b", 8.0),
    ],
    "customer_profitability": [
        (r"\b(most|least|more|less|un)\s*profitable\b", 4.0),
        (r"\bprofit(s|able|ability)?\b.{0,40}\b(customers?|clients?|accounts?)\b|\b(customers?|clients?|accounts?)\b"
         r".{0,40}\b(profit(s|able|ability)?|margins?)\b", 3.0),
    ],
    "worker_performance": [
        (r"\b(each|every|per|by|which|what|all|our|any|the|a|this|that) (ai )?(workers?|employees?|hires?)\b", 6.0),
        (r"\bworkers?\b", 2.0),
        # what a worker's scorecard measures; alone under MIN_SCORE, with "worker" above agent health's 3.0
        (r"\b(performance|productivity|efficiency|utili[sz]ation|output|scorecard|leaderboard|workload|stats|"
         r"statistics|metrics)\b", 1.5),
        # a worker's money and tasks are its scorecard too; its failures stay agent health's ("worker failures")
        (r"\b(workers?|employees?|hires?)\b.{0,40}\b(earn\w*|costs?|spend\w*|margins?|revenue|profit\w*|tasks?|"
         r"done|finished|completed)\b|\b(earn\w*|costs?|spend\w*|margins?|revenue|profit\w*|tasks?|done|finished|"
         r"completed)\b.{0,40}\b(workers?|employees?|hires?)\b", 2.0),
    ],
    "agent_run_health": [
        (r"\b(agents?|bots?|workers?|scheduler|automations?|bizdev|onboarding|executor)\b", 3.0),
        (r"\b(runs?|running|ran)\b", 1.0),
        (r"\b(runs?|jobs?|cron|schedules?)\b.{0,20}\b(failed|failing|errored|crashed|broke)\b", 2.5),
        (r"\b(errors?|error rate|failures?|failing|fails|crash(es|ed|ing)?|broken|health|healthy|uptime|"
         r"reliab(le|ility)|success rate|stuck|exceptions?|breaking|going wrong|wrong|incidents?|"
         r"misbehaving|flaky|working (properly|correctly|ok))\b", 2.0),
    ],
    "proposal_stats": [
        (r"\b(proposals?|approvals?|approv(e|ed|ing)|reject(ed|ions?|ing)?|inbox|drafted actions?|proposed actions?|"
         r"pending actions?|sign[- ]off|decisions?|decided|awaiting (approval|review|decision)|review queue|"
         r"human in the loop|suggested actions?|recommendations?|suggestions?|expired)\b", 4.0),
        (r"\bactions?\b", 1.5),
        (r"\b(latency|how (fast|quickly|long)|time to (approve|decide|decision|approval)|turnaround)\b", 1.0),
    ],
}
_COMPILED = {name: [(re.compile(p), w) for p, w in feats] for name, feats in _FEATURES.items()}
# Ties go to the earlier (more specific) function.
_PRIORITY = ("mrr", "worker_performance", "customer_profitability", "roi_by_customer", "plan_usage", "runway_estimate", "failed_payments", "receivables", "profit_and_loss", "invoice_aging", "burn_rate", "llm_cost_over_time",
             "proposal_stats", "lead_funnel", "agent_run_health", "task_throughput", "spend_by_vendor",
             "profit_over_time", "revenue_by_customer")


def normalize(question: str) -> str:
    """Lower-case, plain quotes and dashes, single spaces."""
    text = unicodedata.normalize("NFKC", question or "").lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip()


# A question about the future: the canvas reports what happened and says so rather than guess.
_FORECAST = re.compile(
    r"\b(forecasts?|forecasting|predict(ed|ion|ions|s)?|projections?|projected|extrapolat\w*|outlook)\b"
    r"|\bwhat will\b.{0,60}\b(be|look like|come to)\b|\b(will|going to)\b.{0,40}\b(next|coming) (year|quarter|month|week)\b"
    r"|\b(expected|estimated?) (revenue|sales|profit|income|spend)\b.{0,30}\bnext\b"
)
FORECAST_MESSAGE = ("The canvas does not forecast: it reports what happened, read from the ledger, invoices and tasks. "
                    "Ask about a past period instead (e.g. \"net profit by month this year\").")


def is_forecast(text: str) -> bool:
    """A question that asks what will happen (revenue next year, a projection)."""
    return _FORECAST.search(text) is not None


def is_hostile(text: str) -> bool:
    """SQL, prompt injection, or an instruction to act: the canvas never maps these."""
    return any(p.search(text) for p in _HOSTILE)


def help_message(prefix: str) -> str:
    """A short list of what the canvas can answer."""
    return prefix + " I can answer questions like:\n" + "\n".join(f"- {line}" for line in help_lines())


def score(text: str) -> dict[str, float]:
    """Weighted keyword score of each whitelisted function for a normalized question, money words included."""
    scores = {name: sum(w for p, w in feats if p.search(text)) for name, feats in _COMPILED.items()}
    for name, extra in intent.synonym_scores(text).items():
        if scores[name] == 0:  # a money word the function's own patterns missed counts once, never twice
            scores[name] += extra
    if intent.profitability(text):  # net of LLM cost is the ranking's own figure, not the LLM cost series
        scores["customer_profitability"] += 4.0
        scores["revenue_by_customer"] -= 2.0
        scores["llm_cost_over_time"] -= 4.0
        scores["profit_over_time"] -= 2.0
    if re.search(_PER_CUSTOMER, text):
        scores["profit_and_loss"] -= 4.0  # the P&L has no split by customer: "collected per customer" is revenue
    customerish = re.search(_CUSTOMER, text) is not None
    moneyish = re.search(_MONEY, text) is not None
    trend = re.search(_TREND, text) is not None
    if customerish and moneyish:
        scores["revenue_by_customer"] += 2.0
    if (re.search(r"\b(revenue|sales|income|earnings|money)\b", text) and trend and not customerish
            and scores["burn_rate"] == 0):
        scores["profit_over_time"] += 2.5  # revenue as a time series is the reward line of profit_over_time
    if re.search(r"\b(we pay|we're paying|we are paying|do we pay|did we pay|are we paying)\b", text):
        scores["spend_by_vendor"] += 2.0
        scores["revenue_by_customer"] -= 2.0
    if scores["llm_cost_over_time"] >= 3.5:
        scores["spend_by_vendor"] -= 1.5  # OpenAI is a vendor, but the question is about model spend
    if re.search(r"\b(leads?|prospects?)\b", text) and not re.search(r"\blead time\b", text):
        scores["revenue_by_customer"] -= 1.5
    if re.search(r"\b(tasks?|jobs?)\b", text):
        scores["agent_run_health"] -= 1.0
        scores["failed_payments"] -= 0.5
    if re.search(r"\b(payments?|charges?|cards?|invoices?|proposals?|tasks?)\b", text):
        scores["agent_run_health"] -= 1.0 if not re.search(r"\bagents?\b", text) else 0.0
    return scores


# Every word the matcher's patterns and the money words know: what a typo is corrected towards.
VOCABULARY = spelling.vocabulary_of(
    [p for feats in _FEATURES.values() for p, _ in feats] + [_CUSTOMER, _MONEY, _TREND],
    [*SYNONYMS, *phrases.MONTHS, *phrases.NUMBER_WORDS, "fiscal", "financial", "quarter", "vendor", "vendors",
     "profit", "profitable", "revenue", "customer", "customers", "worker", "workers", "week", "month", "year",
     # what a worker or agent question asks of one: not a name ("worker performance", "agent run health")
     "performance", "efficiency", "utilization", "utilisation", "output", "stats", "statistics", "metrics", "scorecard",
     "leaderboard", "workload", "quality", "activity", "breakdown", "summary", "results", "earnings", "success",
     "roster", "overview", "comparison", "count", "counts", "status", "record", "history"],
)


def match_question(question: str, customer_names: tuple[str, ...] | list[str] = (),
                   today: date | None = None, worker_names: tuple[str, ...] | list[str] = ()) -> Choice:
    """Map a plain-English question to one whitelisted function and its params, or None with the help list.

    Typos are corrected first (core.analytics.spelling); a worker the question names is answered per worker, and
    a name it gives a worker the business lacks is refused in words, never dropped.
    """
    raw = normalize(question)
    if not raw or len(raw) > 500:
        return Choice(None, {}, help_message("Ask one question in plain English (up to 500 characters)."))
    text = spelling.correct(raw, VOCABULARY, (*customer_names, *worker_names))
    if is_hostile(raw) or is_hostile(text):
        return Choice(None, {}, help_message("The canvas only answers questions about the business; it does not "
                                             "run SQL, follow instructions or take actions."))
    if is_forecast(raw) or is_forecast(text):
        return Choice(None, {}, help_message(FORECAST_MESSAGE))
    scores = score(text)
    worker, unknown = names.worker_in(text, worker_names, VOCABULARY)
    if unknown:
        return Choice(None, {}, names.unknown_worker_message(unknown, worker_names), scores=scores)
    if worker:
        scores["worker_performance"] += 8.0
    best = max(_PRIORITY, key=lambda name: (scores[name], -_PRIORITY.index(name)))
    if scores[best] < MIN_SCORE:
        return Choice(None, {}, help_message("I can't answer that from the business data."), scores=scores)
    if best == "agent_run_health" and not phrases.parse_agent(text) and (
            agent := names.unknown_agent_in(text, VOCABULARY, (*customer_names, *worker_names))):
        return Choice(None, {}, names.unknown_agent_message(agent), scores=scores)
    params = extract_params(best, text, customer_names, today or datetime.now(UTC).date(), worker)
    fn = WHITELIST[best]
    return Choice(best, params, f"{best}: {fn.description}", scores=scores)


def extract_params(name: str, text: str, customer_names: tuple[str, ...] | list[str], today: date,
                   worker: str | None = None) -> dict[str, Any]:
    """The params `name` accepts that the question states (defaults otherwise)."""
    fields = WHITELIST[name].params_model.model_fields
    params: dict[str, Any] = {}
    if "period" in fields:
        main, other = intent.split_comparison(text, today)
        params.update(phrases.parse_period(main, today))
        if other:
            params["compare_to"] = other
    params.update(intent.extra_params(name, fields, text, today))
    if "worker" in fields and worker:
        params["worker"] = worker
    if "grain" in fields and (grain := phrases.parse_grain(text)):
        params["grain"] = grain
    if "limit" in fields and (limit := phrases.parse_limit(text)):
        params["limit"] = limit
    if "status" in fields and (status := phrases.parse_invoice_status(text)):
        params["status"] = status
    if "agent" in fields and (agent := phrases.parse_agent(text)):
        params["agent"] = agent
    if "customer" in fields and (customer := phrases.parse_customer(text, customer_names)) is not None:
        params["customer"] = customer
    return params
