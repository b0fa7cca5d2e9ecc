"""An OpenAI-compatible chat completions server: records each request, answers with real usage figures."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class FakeOpenAI:
    """Behaviour knobs and the log of what arrived. `reply` may be text or a callable(request_json) -> text."""

    reply: Any = "Research summary: the market is growing and the team should focus on mid-size accounts."
    prompt_tokens: int = 120
    completion_tokens: int = 80
    include_usage: bool = True
    latency_s: float = 0.0
    fail_with: int | None = None  # HTTP status to answer instead (e.g. 429, 500)
    fail_times: int = 0  # how many requests get `fail_with` before answering normally
    tool_calls: list[dict[str, Any]] | None = None  # answer with these tool calls instead of text
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    def app(self) -> Starlette:
        async def completions(request: Request) -> Response:
            body = await request.json()
            with self._lock:
                self.requests.append(body)
                self.headers.append(dict(request.headers))
                failing = self.fail_with is not None and self.fail_times > 0
                if failing:
                    self.fail_times -= 1
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            if failing:
                return JSONResponse(
                    {"error": {"message": f"stand-in failure {self.fail_with}", "type": "server_error", "code": None}},
                    status_code=self.fail_with,
                )
            text = self.reply(body) if callable(self.reply) else self.reply
            if body.get("stream"):
                return StreamingResponse(self._sse(body, text), media_type="text/event-stream")
            message: dict[str, Any] = {"role": "assistant", "content": text}
            finish = "stop"
            if self.tool_calls is not None:
                message = {"role": "assistant", "content": None, "tool_calls": [
                    {"id": f"call_{i}", "type": "function",
                     "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments", {}))}}
                    for i, c in enumerate(self.tool_calls)
                ]}
                finish = "tool_calls"
            payload: dict[str, Any] = {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "gpt-4o-mini"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            }
            if self.include_usage:
                payload["usage"] = {
                    "prompt_tokens": self.prompt_tokens,
                    "completion_tokens": self.completion_tokens,
                    "total_tokens": self.prompt_tokens + self.completion_tokens,
                }
            return JSONResponse(payload)

        return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])

    def _sse(self, body: dict[str, Any], text: str):
        """`stream: true`: the reply as chat.completion.chunk events, word by word, then `data: [DONE]`."""
        base = {"id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": body.get("model", "gpt-4o-mini")}
        pieces = [p for p in text.split(" ")]
        frames = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
        frames += [
            {**base, "choices": [{"index": 0, "delta": {"content": p if i == 0 else " " + p}, "finish_reason": None}]}
            for i, p in enumerate(pieces)
        ]
        frames.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if self.include_usage and (body.get("stream_options") or {}).get("include_usage"):
            frames.append({**base, "choices": [], "usage": {
                "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens}})

        async def gen():
            for frame in frames:
                yield f"data: {json.dumps(frame)}\n\n"
            yield "data: [DONE]\n\n"

        return gen()
