#!/usr/bin/env python3
"""Writes N synthetic cost records (the JSON Lines record format) over the last 60 days, for `llmcost report` timings.

Usage: python3 make-records.py N OUT.jsonl  (deterministic: the same N gives the same file)
"""
import json, random, sys, uuid
from datetime import datetime, timedelta, timezone

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261130)
end = datetime(2026, 11, 30, tzinfo=timezone.utc)
start = end - timedelta(days=60)
span = int((end - start).total_seconds())
features = ["ticket-triage", "chat-assistant", "search-summaries", "code-review", "labs", None]
teams = ["support", "platform", "search", "dev-productivity", "research", None]
customers = [f"customer-{i:03d}" for i in range(200)]
models = [("openai", "gpt-4o-2024-08-06", 2.5, 10.0), ("openai", "gpt-4o-mini-2024-07-18", 0.15, 0.6),
          ("anthropic", "claude-sonnet-4-5-20250929", 3.0, 15.0), ("anthropic", "claude-haiku-4-5-20251001", 1.0, 5.0),
          ("openai", "internal-preview-1", None, None)]
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        provider, model, pin, pout = models[rng.randrange(len(models))]
        ts = start + timedelta(seconds=rng.randrange(span), milliseconds=rng.randrange(1000))
        k = rng.randrange(len(features))
        inp, cached, outp = rng.randrange(200, 4000), 0, rng.randrange(20, 800)
        cached = inp // 2 if rng.random() < 0.3 else 0
        record = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z",
            "provider": provider, "operation": "chat", "model": model, "requestModel": model,
            "streaming": rng.random() < 0.5, "statusCode": 200, "durationMs": round(rng.uniform(200, 4000), 1),
            "tags": {"feature": features[k], "team": teams[k], "customer": customers[rng.randrange(len(customers))], "environment": "production"},
            "usage": {"inputTokens": inp, "cachedInputTokens": cached, "cacheWriteInputTokens": 0, "outputTokens": outp, "reasoningTokens": 0, "source": "provider"},
            "cost": None, "price": None,
        }
        if pin is not None:
            ci = round((inp - cached) * pin / 1e6, 8); cc = round(cached * pin / 10 / 1e6, 8); co = round(outp * pout / 1e6, 8)
            record["cost"] = {"currency": "USD", "input": ci, "cachedInput": cc, "cacheWrite": 0, "output": co, "total": round(ci + cc + co, 8)}
            record["price"] = {"tableVersion": "2026.11.3", "entry": f"{provider}/{model}", "effectiveFrom": "2024-10-01"}
        f.write(json.dumps(record, separators=(",", ":")) + "\n")
