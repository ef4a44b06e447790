#!/usr/bin/env python3
"""openai_author.py - a burn external author (search.strategy: command) backed by a language
model behind an OpenAI-compatible HTTP API (llama.cpp's llama-server, vLLM, ...).

Reads burn's prompt (protocol burn-author/1, JSON) on stdin, asks the model for `want`
configs through POST {url}/chat/completions, and prints them on stdout as a JSON array of
{"config": YAML, "why": one line} objects, which `burn author` validates. Standard library
only. Errors go to stderr with exit status 1 (burn then tops the round up at random).

  --url URL          API base, ending in /v1 (env OPENAI_BASE_URL; default http://127.0.0.1:8080/v1)
  --model NAME       model name (env OPENAI_MODEL; default "default")
  --api-key-env VAR  environment variable holding a bearer token, sent only if set
                     (default OPENAI_API_KEY)
  --temperature T    sampling temperature (default 0.7)
  --max-tokens N     reply length bound (default 4096)
  --timeout S        seconds per HTTP request (default 120)
  --attempts K       requests at most, while fewer than `want` configs came back (default 2)
  --best N           best records shown to the model (default 8)
"""
import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request

SYSTEM = """You design fixed-point configurations (hls4ml HLSConfig) for a neural-network \
block on an FPGA. Each config sets, per layer, the ap_fixed types of weight, bias, accumulator \
and result, the ReuseFactor and the Strategy, plus the input type. You see the task, the \
results of earlier configs and the config format. Propose new configs that score higher. \
Answer with exactly the number of configs asked for, each in its own ```yaml fenced block, \
each starting with a one-line YAML comment saying why (# ...). No other fenced blocks."""


def fmt_num(x, digits=4):
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def record_line(r):
    parts = [f"tier {r.get('tier')}", f"reward {fmt_num(r.get('reward'), 6)}"]
    if r.get("tier") != "failed":
        parts += [f"max_err {fmt_num(r.get('max_err'))}",
                  f"LUT {fmt_num(r.get('lut'))}", f"FF {fmt_num(r.get('ff'))}",
                  f"DSP {fmt_num(r.get('dsp'))}", f"BRAM18 {fmt_num(r.get('bram18'))}",
                  f"latency {fmt_num(r.get('latency_cycles'))} cycles"]
        if r.get("layer_max_err"):
            parts.append("per-layer max_err " +
                         ", ".join(fmt_num(v) for v in r["layer_max_err"]))
    else:
        parts.append(f"failed in {r.get('failed_step', '?')}: {r.get('error', '')[-400:]}")
    return "; ".join(parts)


def user_message(p, n_best):
    t = p["task"]
    lines = []
    lines.append(f"Round {p['round']}. Propose {p['want']} new configs.")
    layers = ", ".join(f"{l['name']} ({l['n_in']} -> {l['n_out']}, {l['activation']}"
                       f"{', bias' if l['bias'] else ''})" for l in t["block"]["layers"])
    lines.append(f"Block: {layers}; {t['block']['macs']} multiply-accumulates.")
    pt = t["part"]
    lines.append(f"Part {pt['name']}: {pt['lut']} LUT, {pt['ff']} FF, {pt['dsp']} DSP "
                 f"({pt['dsp_a_bits']}x{pt['dsp_b_bits']} multipliers), {pt['bram18']} BRAM18; "
                 f"clock {t['clock_ns']} ns.")
    lines.append(f"Accuracy bound: max_err <= eps_max = {t['eps_max']}.")
    rw = t["reward"]
    lines.append("Reward weights: " + ", ".join(f"{k} {v}" for k, v in rw.items()) + ".")
    lines.append(t["objective"])
    f = p["config_format"]
    lines.append("\nConfig format: " + f["description"])
    lines += ["- " + r for r in f["rules"]]
    lines.append("The starting config (hls4ml's default):\n```yaml\n" + f["default"] + "```")
    h = p["history"]
    lines.append(f"\nResults so far: {h['records']} configs, by tier " +
                 ", ".join(f"{k} {v}" for k, v in h["by_tier"].items()) + ".")
    for i, r in enumerate(h["best"][:n_best]):
        lines.append(f"\nBest #{i + 1}: {record_line(r)}\n```yaml\n{r['config']}```")
    if h["failures"]:
        lines.append("\nFailures (do not repeat them; fix what the error says):")
        for r in h["failures"]:
            lines.append(f"- {record_line(r)}\n```yaml\n{r['config'][:2000]}\n```")
    if h["last_round"]:
        lines.append("\nOther results of the last round:")
        for r in h["last_round"][:n_best]:
            lines.append(f"- {record_line(r)}\n```yaml\n{r['config']}```")
    lines.append(f"\nNow write {p['want']} new configs, each in its own ```yaml block with a "
                 "'# why' comment as its first line.")
    return "\n".join(lines)


FENCE = re.compile(r"```[ \t]*(?:ya?ml|YAML)?[ \t]*\n(.*?)```", re.S)


def extract(text):
    """Configs in a model's reply: fenced blocks, else a JSON array, else '---' documents."""
    blocks = [b for b in FENCE.findall(text) if b.strip()]
    if not blocks:
        m = re.search(r"\[.*\]", text, re.S)
        if m:
            try:
                items = json.loads(m.group(0))
                blocks = [i if isinstance(i, str) else json.dumps(i) for i in items]
            except ValueError:
                blocks = []
    if not blocks:
        blocks = [d for d in re.split(r"^---[ \t]*$", text, flags=re.M) if d.strip()]
    out = []
    for b in blocks:
        why = ""
        first = b.lstrip().splitlines()[0] if b.strip() else ""
        if first.startswith("#"):
            why = first.lstrip("#").strip()[:150]
        out.append({"config": b, "why": why})
    return out


def ask(args, prompt, key):
    body = {
        "model": args.model,
        "messages": [{"role": "system", "content": SYSTEM},
                     {"role": "user", "content": user_message(prompt, args.best)}],
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "seed": int(prompt.get("seed", 0)) * 1000003 + int(prompt.get("round", 0)),
    }
    req = urllib.request.Request(args.url.rstrip("/") + "/chat/completions",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if key:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=args.timeout) as resp:
        reply = json.loads(resp.read(16 << 20).decode("utf-8", "replace"))
    choices = reply.get("choices") or []
    if not choices:
        raise ValueError("the reply has no choices")
    return choices[0].get("message", {}).get("content") or ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1"))
    ap.add_argument("--model", default=os.environ.get("OPENAI_MODEL", "default"))
    ap.add_argument("--api-key-env", default="OPENAI_API_KEY")
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--max-tokens", type=int, default=4096)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--attempts", type=int, default=2)
    ap.add_argument("--best", type=int, default=8)
    args = ap.parse_args()
    try:
        prompt = json.loads(sys.stdin.buffer.read().decode("utf-8", "replace"))
        if prompt.get("protocol") != "burn-author/1":
            raise ValueError(f"unknown protocol {prompt.get('protocol')!r}")
    except ValueError as e:
        print(f"openai_author: bad prompt on stdin: {e}", file=sys.stderr)
        return 1
    key = os.environ.get(args.api_key_env) if args.api_key_env else None
    want = int(prompt.get("want", 1))
    configs, seen = [], set()
    for _ in range(max(1, args.attempts)):
        try:
            text = ask(args, prompt, key)
        except (urllib.error.URLError, OSError, ValueError) as e:
            print(f"openai_author: {args.url}: {e}", file=sys.stderr)
            if configs:
                break
            return 1
        for c in extract(text):
            if c["config"] not in seen:
                seen.add(c["config"])
                configs.append(c)
        if len(configs) >= want:
            break
    for c in configs:
        c["why"] = f"{args.model}: {c['why']}" if c["why"] else args.model
    json.dump(configs[:max(want, 1) * 2], sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
