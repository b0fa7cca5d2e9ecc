"""The Guide: answers from README/docs, streamed through the openai client when a key is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from core.agents.guide import answer_from_docs, best_sections
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI

DOCS = {
    "README.md": "# HossAgent\n\nIntro text.\n\n## Email\n\nSet BIZDEV_SMTP_HOST and BIZDEV_EMAIL_FROM to send real email.\n"
                 "```\n# not a heading\n```\n",
    "docs/ops.md": "# Ops\n\nThe ops pool runs tasks with OPS_WORKER_COUNT workers.\n",
}


@pytest.fixture
def docs_root(tmp_path: Path) -> Path:
    for name, body in DOCS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    return tmp_path


def test_the_best_section_is_the_one_sharing_most_terms(docs_root) -> None:
    top = best_sections("how do I turn on real email?", 1, docs_root)[0]
    assert (top.file, top.heading) == ("README.md", "Email")


def test_without_a_key_the_answer_names_file_and_section(settings, docs_root) -> None:
    answer = "".join(answer_from_docs(settings, "how do I send real email?", root=docs_root))
    assert "README.md" in answer and "Email" in answer and "BIZDEV_SMTP_HOST" in answer


def test_an_unmatched_question_says_nothing_was_found(settings, docs_root) -> None:
    assert "nothing" in "".join(answer_from_docs(settings, "zebra quantum", root=docs_root))


def test_with_a_key_the_answer_streams_through_the_openai_client(settings, docs_root) -> None:
    fake = FakeOpenAI(reply="Set BIZDEV_SMTP_HOST (README.md, Email).")
    with serve_asgi(fake.app()) as url:
        live = settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": url + "/v1"})
        chunks = list(answer_from_docs(live, "how do I send real email?", root=docs_root))
    assert "".join(chunks) == "Set BIZDEV_SMTP_HOST (README.md, Email)."
    assert len(chunks) > 1
    request = fake.requests[0]
    assert request["stream"] is True and request["temperature"] <= 0.2
    assert "BIZDEV_SMTP_HOST" in request["messages"][0]["content"]


def test_an_llm_failure_falls_back_to_the_docs_section(settings, docs_root) -> None:
    fake = FakeOpenAI(fail_with=500, fail_times=10)
    with serve_asgi(fake.app()) as url:
        live = settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": url + "/v1"})
        answer = "".join(answer_from_docs(live, "how do I send real email?", root=docs_root))
    assert "could not answer" in answer and "BIZDEV_SMTP_HOST" in answer


def test_the_stand_in_still_answers_non_stream_requests(settings) -> None:
    from openai import OpenAI

    fake = FakeOpenAI(reply="plain")
    with serve_asgi(fake.app()) as url:
        reply = OpenAI(api_key="k", base_url=url + "/v1", timeout=5).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "plain" and reply.usage.total_tokens == 200


def test_giving_a_worker_a_task_answers_with_the_readmes_section() -> None:
    from core.agents.guide import best_sections

    assert best_sections("how do I give a worker a task?", 1)[0].heading == "Give a worker a task"
