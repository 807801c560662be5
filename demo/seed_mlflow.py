"""Writes sample agent traces into an MLflow tracking server through the real MLflow SDK.

Scenarios:
  demo   three agents (name/version/type), LLM spans with model and token usage, tool and
         retriever spans, and one ERROR trace. Skipped when the experiment is already seeded,
         so running the demo twice adds nothing.
  bulk   N traces of about 8 spans each, for benchmarks and load tests.

Usage: python seed_mlflow.py --tracking-uri URL --experiment NAME [--scenario demo|bulk] [--count N]
Prints one JSON line: {"experimentId": ..., "traces": ..., "seeded": bool}
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

SEEDED_TAG = "langguard.seeded"

AGENTS = [
    {"agent.name": "CustomerService", "agent.version": "2.0.0", "agent.type": "RAG"},
    {"agent.name": "CodeReviewer", "agent.version": "1.4.2", "agent.type": "TOOL_CALLING"},
    {"agent.name": "DataAnalyst", "agent.version": "0.9.0", "agent.type": "SQL"},
]

QUESTIONS = [
    "How do I reset my password?",
    "Review the retry logic in payments.py",
    "What was revenue by region last quarter?",
    "Can I change my billing address?",
    "Is this SQL query safe to run in production?",
    "Summarise last week's churn",
]


def llm_call(model: str, provider: str, prompt: str, answer: str, tokens: tuple[int, int]) -> str:
    with mlflow.start_span(name=f"{provider}.chat", span_type="CHAT_MODEL") as span:
        span.set_inputs({"model": model, "messages": [{"role": "user", "content": prompt}]})
        span.set_attributes(
            {
                "mlflow.llm.model": model,
                "mlflow.llm.provider": provider,
                "mlflow.chat.tokenUsage": {"input_tokens": tokens[0], "output_tokens": tokens[1], "total_tokens": tokens[0] + tokens[1]},
            }
        )
        span.set_outputs({"choices": [{"message": {"role": "assistant", "content": answer}}]})
    return answer


def retrieve(query: str) -> list[dict]:
    with mlflow.start_span(name="vector_search", span_type="RETRIEVER") as span:
        docs = [{"page_content": f"Help article about {query[:20]}", "metadata": {"doc_uri": "kb://articles/42"}}]
        span.set_inputs({"query": query})
        span.set_outputs(docs)
        return docs


def tool(name: str, args: dict, result):
    with mlflow.start_span(name=name, span_type="TOOL") as span:
        span.set_inputs(args)
        span.set_outputs(result)
        return result


def run_agent(index: int, question: str, fail: bool = False) -> None:
    agent = AGENTS[index % len(AGENTS)]

    @mlflow.trace(name=agent["agent.name"], span_type="AGENT", attributes=agent)
    def handle(question: str) -> str:
        mlflow.update_current_trace(tags={"environment": "demo", "team": "platform"})
        if agent["agent.type"] == "RAG":
            docs = retrieve(question)
            return llm_call("gpt-4o-mini", "openai", f"{question}\n\n{docs[0]['page_content']}", "Here is how...", (120 + index, 40 + index))
        if agent["agent.type"] == "TOOL_CALLING":
            code = tool("read_file", {"path": "payments.py"}, "def retry(): ...")
            if fail:
                tool("run_linter", {"path": "payments.py"}, None)
                raise RuntimeError("linter crashed: exit status 2")
            return llm_call("claude-sonnet-4", "anthropic", f"Review:\n{code}", "Looks fine except...", (300 + index, 90))
        rows = tool("sql_query", {"sql": "SELECT region, sum(revenue) FROM sales GROUP BY 1"}, [["EMEA", 1200], ["AMER", 3400]])
        return llm_call("databricks-meta-llama-3-3-70b-instruct", "databricks", f"Summarise {rows}", "AMER leads with...", (80, 25 + index))

    try:
        handle(question)
    except RuntimeError:
        pass  # the trace is recorded with status ERROR, which is the point


def bulk_trace(index: int) -> None:
    agent = AGENTS[index % len(AGENTS)]

    @mlflow.trace(name=agent["agent.name"], span_type="AGENT", attributes=agent)
    def handle(i: int) -> str:
        retrieve(f"question {i}")
        tool("lookup", {"id": i}, {"ok": True})
        tool("format", {"id": i}, "formatted")
        with mlflow.start_span(name="plan", span_type="CHAIN"):
            llm_call("gpt-4o-mini", "openai", f"plan {i}", "plan", (50, 10))
            tool("validate", {"id": i}, True)
        return llm_call("gpt-4o-mini", "openai", f"answer {i}", "answer", (60, 20))

    handle(index)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--scenario", choices=["demo", "bulk"], default="demo")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="seed even if the experiment was seeded before")
    args = parser.parse_args()

    mlflow.set_tracking_uri(args.tracking_uri)
    experiment = mlflow.set_experiment(args.experiment)
    client = MlflowClient()
    if args.scenario == "demo" and experiment.tags.get(SEEDED_TAG) and not args.force:
        print(json.dumps({"experimentId": experiment.experiment_id, "traces": 0, "seeded": False}))
        return 0

    if args.scenario == "demo":
        count = 0
        for i, question in enumerate(QUESTIONS * 2):
            run_agent(i, question, fail=(i == 1))
            count += 1
    else:
        count = args.count
        for i in range(count):
            bulk_trace(i)
    mlflow.flush_trace_async_logging() if hasattr(mlflow, "flush_trace_async_logging") else None
    client.set_experiment_tag(experiment.experiment_id, SEEDED_TAG, "true")
    print(json.dumps({"experimentId": experiment.experiment_id, "traces": count, "seeded": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
