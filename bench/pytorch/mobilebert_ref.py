#!/usr/bin/env python3
"""The project's own plain-PyTorch MobileBERT (same config JSON, same semantics as dev.mobilebert.model.nn.Blocks),
used only as the speed reference for `bin/mobilebert bench`. Run with the thread settings pinned, e.g.

  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE \
    /usr/bin/python3 bench/pytorch/mobilebert_ref.py latency --config conf/models/uncased_L-24_H-128_B-512_A-4_F-4_OPT.json
  ... train-step --config ... --batch 8 --seq-len 128 --predictions 20
"""
import argparse, json, math, os, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Norm(nn.Module):
    def __init__(self, width, layer_norm, eps):
        super().__init__()
        self.layer_norm, self.eps = layer_norm, eps
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))

    def forward(self, x):
        if self.layer_norm:
            return F.layer_norm(x, x.shape[-1:], self.weight, self.bias, self.eps)
        return x * self.weight + self.bias


def act(name):
    return {"relu": F.relu, "gelu": F.gelu, "tanh": torch.tanh,
            "gelu_new": lambda x: F.gelu(x, approximate="tanh"), "relu6": F.relu6}[name]


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, tt, i = c["hidden_size"], c["true_hidden_size"], c["intermediate_size"]
        ln, eps = c["normalization_type"] == "layer_norm", c.get("layer_norm_eps", 1e-12)
        self.c, self.heads, self.act = c, c["num_attention_heads"], act(c["hidden_act"])
        ub, uba, kq = c["use_bottleneck"], c["use_bottleneck_attention"], c["key_query_shared_bottleneck"]
        qk_in = (tt if (uba or kq) else h) if ub else h
        v_in = tt if (ub and uba) else h
        self.q, self.k, self.v = nn.Linear(qk_in, tt), nn.Linear(qk_in, tt), nn.Linear(v_in, tt)
        self.o, self.o_norm = nn.Linear(tt, tt), Norm(tt, ln, eps)
        self.ffn = nn.ModuleList([nn.ModuleList([nn.Linear(tt, i), nn.Linear(i, tt), Norm(tt, ln, eps)])
                                  for _ in range(c["num_feedforward_networks"] - 1)])
        self.inter, self.out, self.out_norm = nn.Linear(tt, i), nn.Linear(i, tt), Norm(tt, ln, 1e-5)
        if ub:
            self.bi, self.bi_norm = nn.Linear(h, tt), Norm(tt, ln, eps)
            self.ob, self.ob_norm = nn.Linear(tt, h), Norm(h, ln, eps)
            if kq and not uba:
                self.ba, self.ba_norm = nn.Linear(h, tt), Norm(tt, ln, eps)

    def forward(self, x, bias):
        c = self.c
        if c["use_bottleneck"]:
            li = self.bi_norm(self.bi(x))
            if c["use_bottleneck_attention"]:
                q = k = v = li
            elif c["key_query_shared_bottleneck"]:
                q = k = self.ba_norm(self.ba(x)); v = x
            else:
                q = k = v = x
        else:
            q = k = v = li = x
        b, t, _ = x.shape
        def heads(z): return z.view(b, t, self.heads, -1).transpose(1, 2)
        qh, kh, vh = heads(self.q(q)), heads(self.k(k)), heads(self.v(v))
        s = qh @ kh.transpose(-1, -2) / math.sqrt(qh.shape[-1]) + bias
        self.probs = s.softmax(-1)  # kept for attention transfer (PKT)
        p = F.dropout(self.probs, c["attention_probs_dropout_prob"], self.training)
        ctx = (p @ vh).transpose(1, 2).reshape(b, t, -1)
        a = self.o(ctx)
        if not c["use_bottleneck"]:
            a = F.dropout(a, c["hidden_dropout_prob"], self.training)
        h = self.o_norm(a + li)
        for d1, d2, n in self.ffn:
            h = n(d2(self.act(d1(h))) + h)
        o = self.out(self.act(self.inter(h)))
        if not c["use_bottleneck"]:
            return self.out_norm(F.dropout(o, c["hidden_dropout_prob"], self.training) + h)
        o = self.out_norm(o + h)
        return self.ob_norm(F.dropout(self.ob(o), c["hidden_dropout_prob"], self.training) + x)


class MobileBert(nn.Module):
    def __init__(self, c):
        super().__init__()
        c = dict(c)
        c["true_hidden_size"] = c["intra_bottleneck_size"] if c["use_bottleneck"] else c["hidden_size"]
        self.c = c
        h, e = c["hidden_size"], c["embedding_size"]
        ln = c["normalization_type"] == "layer_norm"
        self.word = nn.Embedding(c["vocab_size"], e)
        self.transform = nn.Linear(e * (3 if c["trigram_input"] else 1), h) if (c["trigram_input"] or e != h) else None
        self.pos, self.typ = nn.Embedding(c["max_position_embeddings"], h), nn.Embedding(c["type_vocab_size"], h)
        self.emb_norm = Norm(h, ln, 1e-5)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.pooler = nn.Linear(h, h) if c["classifier_activation"] else None
        self.mlm_dense, self.mlm_norm = nn.Linear(h, h), Norm(h, True, c.get("layer_norm_eps", 1e-12))
        self.mlm_extra = nn.Parameter(torch.randn(h - e, c["vocab_size"]) * 0.02) if h > e else None
        self.mlm_bias = nn.Parameter(torch.zeros(c["vocab_size"]))
        self.nsp = nn.Linear(h, 2)
        self.act = act(c["hidden_act"])

    def encode(self, ids, types, mask):
        x = self.word(ids)
        if self.c["trigram_input"]:
            x = torch.cat([F.pad(x[:, 1:], [0, 0, 0, 1]), x, F.pad(x[:, :-1], [0, 0, 1, 0])], dim=2)
        if self.transform is not None:
            x = self.transform(x)
        t = ids.shape[1]
        x = self.emb_norm(x + self.pos.weight[:t] + self.typ(types))
        x = F.dropout(x, self.c["hidden_dropout_prob"], self.training)
        bias = ((1.0 - mask) * -10000.0)[:, None, None, :]
        for l in self.layers:
            x = l(x, bias)
        return x

    def encode_upto(self, ids, types, mask, layer, train_from=None):
        """Embeddings and layers 0..layer; returns layer's output and attention. Layers below train_from run without
        gradient (PKT's frozen lower layers)."""
        with torch.no_grad():
            x = self.word(ids)
            if self.c["trigram_input"]:
                x = torch.cat([F.pad(x[:, 1:], [0, 0, 0, 1]), x, F.pad(x[:, :-1], [0, 0, 1, 0])], dim=2)
            if self.transform is not None:
                x = self.transform(x)
            x = self.emb_norm(x + self.pos.weight[:ids.shape[1]] + self.typ(types))
            bias = ((1.0 - mask) * -10000.0)[:, None, None, :]
            start = layer + 1 if train_from is None else train_from
            for l in self.layers[:start]:
                x = l(x, bias)
        for l in self.layers[start:layer + 1]:
            x = l(x, bias)
        return x, self.layers[layer].probs

    def pretraining_loss(self, ids, types, mask, positions, lm_ids, lm_w, nsp_labels):
        x = self.encode(ids, types, mask)
        g = torch.gather(x, 1, positions[:, :, None].expand(-1, -1, x.shape[-1]))
        g = self.mlm_norm(self.act(self.mlm_dense(g)))
        e = self.c["embedding_size"]
        logits = g[..., :e] @ self.word.weight.t() + self.mlm_bias
        if self.mlm_extra is not None:
            logits = logits + g[..., e:] @ self.mlm_extra
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), lm_ids.reshape(-1), reduction="none")
        mlm = (ce * lm_w.reshape(-1)).sum() / (lm_w.sum() + 1e-5)
        pooled = x[:, 0]
        if self.pooler is not None:
            pooled = torch.tanh(self.pooler(pooled))
        return mlm + F.cross_entropy(self.nsp(pooled), nsp_labels)


def pkt_loss(x, att, th, ta):
    """Feature-map transfer (MSE + mean/variance matching, official weights 100, 5000, 5) + attention KL."""
    mse = F.mse_loss(x, th)
    mean_l = (x.mean(-1) - th.mean(-1)).abs().mean()
    var_l = (x.var(-1, unbiased=False) - th.var(-1, unbiased=False)).abs().mean()
    kl = (ta * (torch.log(ta + 1e-12) - torch.log(att + 1e-12))).sum(-1).mean()
    return 100 * mse + 5000 * mean_l + 5 * var_l + kl


def peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    ms, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter(); fn()
        ms.append((time.perf_counter() - t0) * 1000); cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(ms), min(ms), statistics.median(cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["latency", "train-step", "pkt-step"])
    ap.add_argument("--teacher", help="pkt-step: the teacher's config JSON")
    ap.add_argument("--layer", type=int, help="pkt-step: the transferred layer (default: the last)")
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--predictions", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    c = {k: v for k, v in json.load(open(a.config)).items() if not k.startswith("_")}
    m = MobileBert(c)
    b, t = a.batch or (1 if a.what == "latency" else 8), a.seq_len
    ids = torch.randint(1000, c["vocab_size"], (b, t)); types = torch.zeros(b, t, dtype=torch.long); mask = torch.ones(b, t)
    if a.what == "pkt-step":
        ct = {k: v for k, v in json.load(open(a.teacher)).items() if not k.startswith("_")}
        teacher = MobileBert(ct).eval()
        layer = c["num_hidden_layers"] - 1 if a.layer is None else a.layer
        m.eval()  # the official distillation runs the student without dropout
        params = list(m.layers[layer].parameters())
        opt = torch.optim.AdamW(params, lr=1e-4)
        def step():
            with torch.no_grad():
                th, ta = teacher.encode_upto(ids, types, mask, layer)
            opt.zero_grad()
            x, att = m.encode_upto(ids, types, mask, layer, train_from=layer)
            pkt_loss(x, att, th, ta).backward(); opt.step()
        med, mn, cpu = timed(step, a.warmup, a.runs)
        what = f"pkt step layer={layer} b={b} T={t}"
    elif a.what == "latency":
        m.eval()
        with torch.no_grad():
            med, mn, cpu = timed(lambda: m.encode(ids, types, mask), a.warmup, a.runs)
        what = f"encoder forward b={b} T={t}"
    else:
        m.train()
        opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
        pos = torch.stack([torch.arange(a.predictions) * (t - 1) // a.predictions + 1] * b)
        lm = torch.randint(1000, c["vocab_size"], (b, a.predictions)); w = torch.ones(b, a.predictions)
        nsp = torch.zeros(b, dtype=torch.long)
        def step():
            opt.zero_grad(); m.pretraining_loss(ids, types, mask, pos, lm, w, nsp).backward(); opt.step()
        med, mn, cpu = timed(step, a.warmup, a.runs)
        what = f"train step b={b} T={t} P={a.predictions}"
    print(f"pytorch {torch.__version__} {a.config} threads={torch.get_num_threads()}: {what}: median {med:.1f} ms, min {mn:.1f} ms over {a.runs} runs, cpu median {cpu:.1f} ms, peak rss {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
